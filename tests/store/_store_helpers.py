"""Shared helpers of the store tests: sample messages one by one, fixed clocks, XML compared
without its issue time."""

from __future__ import annotations

import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ensgate import TranslateOptions
from ensgate.pipeline import iter_input_files, read_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
T0 = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ISSUE = re.compile(rb"<documentIssueDate>\s*<DateTime>[^<]*</DateTime>\s*</documentIssueDate>")

sys.path.insert(0, str(ROOT / "bench"))
from gen_messages import fwb as gen_fwb  # noqa: E402
from gen_messages import generate  # noqa: E402,F401


def options(**kw: object) -> TranslateOptions:
    """Reproducible runs: fixed issue time and date anchor (the clock comes with ``now``)."""
    base: dict[str, object] = {"issued": datetime(2026, 11, 20, 8, tzinfo=UTC),
                               "today": "2026-11-20"}
    base.update(kw)
    return TranslateOptions(**base)  # type: ignore[arg-type]


def without_issue_time(xml: bytes) -> bytes:
    return ISSUE.sub(b"", xml)


def sample(name: str) -> bytes:
    return next(SAMPLES.rglob(name)).read_bytes()


def s(folder: str, prefix: str) -> list[Path]:
    return sorted((SAMPLES / folder).glob(prefix + "*"))


def one_message_inputs(folder: Path) -> list[tuple[bytes, str]]:
    """Every input of ``folder`` in file order, cut into single messages where the format
    allows it: Cargo-IMP and Cargo-XML files message by message (the reader's text of each),
    EDIFACT and X12 interchanges whole (a message cannot travel without its envelope)."""
    out: list[tuple[bytes, str]] = []
    for path in iter_input_files([folder]):
        msgs = read_file(path, max_bytes=1 << 30)
        data = path.read_bytes()
        fmt = msgs[0].format if msgs else ""
        if fmt == "cargo-imp" and len(msgs) > 1:
            for m in msgs:
                out.append((m.raw.encode("latin-1", "replace") if _latin1(data)
                            else m.raw.encode("utf-8", "surrogatepass"),
                            f"{path.name}#{m.index + 1}"))
        elif fmt == "cargo-xml" and len(msgs) > 1 and all(
                m.raw.lstrip().startswith("<") for m in msgs):
            for m in msgs:
                out.append((m.raw.encode("utf-8"), f"{path.name}#{m.index + 1}"))
        else:
            out.append((data, path.name))
    return out


def _latin1(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def non_eu_fwb(awb: str = "020-12345675") -> str:
    """An FWB JFK -> NRT: ICS2 does not apply to it."""
    return gen_fwb(random.Random(3), awb, ("JFK", "AA", "US"),
                   ("NRT", "JP", "2820004", "NARITA", "CARGO ROAD", "81476"), 12)
