"""Shared helpers of the service tests: generated FWB/FFM pairs written one message a file."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "bench"))
from gen_messages import generate  # noqa: E402


def message_files(n_pairs: int, seed: int = 11) -> list[tuple[str, bytes]]:
    """``2 * n_pairs`` messages (an FWB, then the FFM of its flight), named in order."""
    return [(f"m{i:05d}.txt", text.encode("latin-1"))
            for i, text in enumerate(generate(n_pairs, seed=seed))]
