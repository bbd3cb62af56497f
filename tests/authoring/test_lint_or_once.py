"""Lint of ``or_once`` groups: with no record the rules run in the enclosing scope, so a path
may be meant for that scope (the check-list FHL reads its house's values this way instead of
``$.house``, which is every house of the message: issue 9, item 4)."""

from __future__ import annotations

from pathlib import Path

from ensgate.authoring import lint_spec

ROOT = Path(__file__).resolve().parents[2]


def _lint(tmp_path: Path, path: str) -> list[str]:
    text = (ROOT / "mappings" / "cargoimp-fhl.yaml").read_text("utf-8")
    old = "            first_of: [{from: ^.number}, {from: number}]"
    assert old in text
    spec = tmp_path / "fhl.yaml"
    spec.write_text(text.replace(old, f"            first_of: [{{from: {path}}}]"), "utf-8")
    report = lint_spec(spec)
    assert not [d for d in report.diagnostics if d.code.startswith("MAP")], report.diagnostics
    return [d.message for d in report.diagnostics if d.code == "LNT001"]


def test_a_path_of_the_enclosing_scope_is_accepted_in_an_or_once_group(tmp_path: Path) -> None:
    assert _lint(tmp_path, "weight") == []  # the house's field: read when there is no HS code
    assert _lint(tmp_path, "^.weight") == []  # and from an HS code record


def test_a_path_of_neither_scope_is_still_reported(tmp_path: Path) -> None:
    found = _lint(tmp_path, "wieght")
    assert len(found) == 1 and "wieght" in found[0]
