"""The X12 lexer: interchange header, delimiters and segments with their byte offsets.

X12 declares its own delimiters in the fixed-length ISA header (106 characters): the element
separator is the character after ``ISA``, the component separator is ISA16 (position 104) and
the segment terminator follows it (position 105); from version 00402 on, ISA11 (position 82)
is the repetition separator. The lexer works on text decoded as Latin-1, so a character index
is the byte offset in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

ISA_LEN = 106
# Positions of the 16 element separators of a well-formed ISA (fixed-width elements).
SEP_POSITIONS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_BETWEEN = "\r\n"  # what senders put after a segment terminator to make lines


@dataclass(frozen=True, slots=True, kw_only=True)
class Delimiters:
    """The delimiters one interchange declares in its ISA header."""

    element: str
    component: str
    segment: str
    repetition: str | None  # ISA11 from version 00402; None before


class Segment(NamedTuple):
    """One segment: its tag, its elements (``elements[0]`` is the tag itself), its 1-based
    index in the file and the byte offset where it starts."""

    tag: str
    elements: list[str]
    number: int
    offset: int


class IsaProblem(NamedTuple):
    message: str
    expected: str
    found: str
    offset: int


def read_isa(text: str, at: int) -> Delimiters | IsaProblem:
    """Delimiters of the interchange whose ISA starts at ``at``, or what is wrong with it."""
    head = text[at:at + ISA_LEN]
    if len(head) < ISA_LEN:
        return IsaProblem(f"ISA header is {len(head)} characters long, the data ends inside it",
                          f"{ISA_LEN} characters", repr(head[-40:]), at)
    sep = head[3]
    if sep.isalnum() or sep == " ":
        return IsaProblem("ISA element separator is a letter, digit or blank",
                          "a delimiter character after 'ISA'", repr(sep), at + 3)
    for pos in SEP_POSITIONS:
        if head[pos] != sep:
            real = [i for i, ch in enumerate(text[at:at + ISA_LEN + 40]) if ch == sep]
            found = f"separator {sep!r} at positions {', '.join(map(str, real[:17]))}"
            return IsaProblem(
                f"ISA element at position {pos} is not fixed-width: the header must be "
                f"exactly {ISA_LEN} characters with separators at fixed positions"
                + _width_report(text, at, sep),
                f"separator {sep!r} at positions {', '.join(map(str, SEP_POSITIONS))}",
                found, at + pos)
    component, term = head[104], head[105]
    for name, ch in (("component separator (ISA16)", component),
                     ("segment terminator", term)):
        if ch.isalnum() or ch == " " or ch == sep:
            return IsaProblem(f"ISA {name} is not a usable delimiter",
                              "a character that is not a letter, digit, blank or the "
                              "element separator", repr(ch), at + 104 + (ch is term))
    if component == term:
        return IsaProblem("ISA component separator and segment terminator are the same",
                          "two different delimiters", repr(term), at + 104)
    rep: str | None = None
    if head[84:89] >= "00402":
        cand = head[82]
        if not (cand.isalnum() or cand in (" ", sep, component, term)):
            rep = cand
    return Delimiters(element=sep, component=component, segment=term, repetition=rep)


# Fixed widths of ISA01..ISA16 (the padding senders trim or overfill).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def _width_report(text: str, at: int, sep: str) -> str:
    """Which ISA elements have the wrong width (``ISA06 is 6 characters, expected 15``), read
    by splitting on the separator: trimmed or overfilled padding is the usual cause."""
    parts = text[at:at + 3 * ISA_LEN].split(sep)[1:17]
    if len(parts) < 16:
        return ""
    parts[15] = parts[15][:1]  # ISA16 is followed by the segment terminator
    wrong = [f"ISA{i:02d} {parts[i - 1].strip()!r} is {len(parts[i - 1])} characters, "
             f"expected {w}" for i, w in enumerate(ISA_WIDTHS, start=1)
             if len(parts[i - 1]) != w]
    return ("; " + "; ".join(wrong[:4])) if wrong else ""


class Tail(NamedTuple):
    """Text after the last segment terminator that is not blank (a truncated segment)."""

    text: str
    offset: int


def _interchange_end(text: str, at: int, delims: Delimiters) -> int:
    """Offset just after the terminator of this interchange's IEA (end of text when none).

    ``IEA`` followed by the element separator can only be a segment start when what precedes
    it (line breaks aside) is a segment terminator: the separator never occurs in a value.
    """
    needle = "IEA" + delims.element
    pos = at
    while True:
        p = text.find(needle, pos)
        if p < 0:
            return len(text)
        q = p - 1
        while q >= at and text[q] in _BETWEEN and text[q] != delims.segment:
            q -= 1
        if q < at or text[q] == delims.segment:
            stop = text.find(delims.segment, p)
            return len(text) if stop < 0 else stop + 1
        pos = p + 1


def lex(text: str, at: int, delims: Delimiters, first_index: int
        ) -> tuple[list[Segment], Tail | None, int]:
    """Segments from ``at`` up to and including the IEA of this interchange.

    Returns the segments, the unterminated tail (when the data ends inside a segment) and the
    offset just after the last segment read (where a next interchange may start). One C-level
    split per interchange does the scanning; the loop only strips line breaks and counts.
    """
    end = _interchange_end(text, at, delims)
    parts = text[at:end].split(delims.segment)
    tail_text = parts.pop()  # after the last terminator: blank, or a truncated segment
    sep = delims.element
    crlf = delims.segment == "\n"  # a line break as terminator: drop the CR of CRLF files
    out: list[Segment] = []
    append = out.append
    pos = at
    index = first_index
    for raw in parts:
        start = pos
        pos += len(raw) + 1
        if raw and raw[0] in _BETWEEN:
            stripped = raw.lstrip(_BETWEEN)
            start += len(raw) - len(stripped)
            raw = stripped
        if crlf and raw.endswith("\r"):
            raw = raw[:-1]
        elements = raw.split(sep)
        append(Segment(elements[0], elements, index, start))
        index += 1
    tail = None
    blank = tail_text.lstrip(_BETWEEN)
    if blank:
        tail = Tail(blank, end - len(blank))
    return out, tail, end


def valid_tag(tag: str) -> bool:
    return _TAG.match(tag) is not None
