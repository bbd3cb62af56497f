"""Shared by the EDIFACT reader tests (no tests here): sample paths, an interchange builder with
correct control counts, and pydifact as the oracle for segment splitting."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ensgate.readers.edifact import DEFAULT, Delimiters, Lexer, Segment

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "edifact"
S1 = sorted(SAMPLES.glob("s1-*"))
S3 = sorted(SAMPLES.glob("s3-*"))


def interchange(*messages: list[str], syntax: str = "UNOC", una: bool = True,
                control: str = "REF1", sep: str = "\n") -> str:
    """An interchange around ``messages`` (each a list of segments between UNH and UNT,
    without terminators); UNT and UNZ counts are computed."""
    out = [f"UNB+{syntax}:3+SENDER:ZZZ+ENSGATE:ZZZ+261117:1200+{control}"]
    for n, segs in enumerate(messages, start=1):
        body = [segs[0] if segs[0].startswith("UNH") else f"UNH+{n}+CUSCAR:D:99B:UN",
                *(segs[1:] if segs[0].startswith("UNH") else segs)]
        ref = body[0].split("+")[1]
        out.extend(body)
        out.append(f"UNT+{len(body) + 1}+{ref}")
    out.append(f"UNZ+{len(messages)}+{control}")
    return ("UNA:+.? '" + sep if una else "") + sep.join(s + "'" for s in out) + sep


def lex(text: str, delims: Delimiters = DEFAULT, start: int = 0) -> list[Segment]:
    return list(Lexer(text, delims, start=start))


def _norm_element(el: Any) -> Any:
    comps = list(el) if isinstance(el, list) else [el]
    while comps and comps[-1] == "":
        comps.pop()
    if not comps:
        return ""
    return comps[0] if len(comps) == 1 else comps


def normalise(tag: str, elements: list[Any]) -> tuple[str, list[Any]]:
    """Trailing empty components/elements carry no data (ISO 9735 omits them); pydifact drops
    them, we keep them: compare without."""
    els = [_norm_element(e) for e in elements]
    while els and els[-1] == "":
        els.pop()
    return tag, els


def pydifact_segments(text: str) -> list[tuple[str, list[Any]]]:
    from pydifact.segmentcollection import RawSegmentCollection

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coll = RawSegmentCollection.from_str(text)
        return [normalise(s.tag, list(s.elements)) for s in coll.segments if s.tag != "UNA"]


def our_segments(text: str) -> list[tuple[str, list[Any]]]:
    start = 0
    delims = DEFAULT
    stripped = text.lstrip()
    if stripped.startswith("UNA"):
        start = len(text) - len(stripped) + 9
        delims = Delimiters.from_una(stripped[3:9])
    return [normalise(s.tag, s.elements) for s in lex(text, delims, start)]
