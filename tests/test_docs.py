"""Reference docs generated from the code stay current."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import gen_docs  # noqa: E402


def test_generated_reference_docs_are_current() -> None:
    for name, make in gen_docs.FILES.items():
        assert (ROOT / "docs" / name).read_text("utf-8") == make(), \
            f"docs/{name} is stale: run python tools/gen_docs.py"


def test_every_catalogued_code_is_documented() -> None:
    from ensgate.diagnostics import CATALOGUE

    text = (ROOT / "docs" / "diagnostics.md").read_text("utf-8")
    assert all(f"`{code}`" in text for code in CATALOGUE)
