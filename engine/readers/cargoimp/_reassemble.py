"""Multi-part messages (README 1.6): FWB/FHL/FZB ``PART/<n>/CONT|LAST``; FFM ``<n>/`` on
line 2 with ``CONT``/``LAST``. Parts are grouped by (type, key) and parsed again as one line
stream, so every field keeps the position (file, message index, line) of the part it came from.

A reassembled or incomplete message keeps one ``segment[]`` record per part (``raw``,
``number``, ``marker``) so that :func:`reassemble` can regroup it with parts from other files.
"""

from __future__ import annotations

from ...diagnostics import Diagnostic, diag
from .._source import SourceMessage, SourceNode
from ._build import mkpos, put
from ._parser import Segment, parse

_KEEP = frozenset({"SRC004", "SRC005", "IMP021", "IMP022", "IMP024"})


def _digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts '²', which ``int`` refuses), and few
    enough to be a part number (``int`` refuses more than 4,300 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 9


_PART_LINE = frozenset({"FWB", "FHL", "FZB"})


class _Part:
    __slots__ = ("final", "number", "seg", "source")

    def __init__(self, seg: Segment, number: int, final: bool, source: SourceMessage) -> None:
        self.seg, self.number, self.final, self.source = seg, number, final, source


def part_info(msg: SourceMessage) -> tuple[int, bool] | None:
    """(part number, is last part) for a part of a multi-part message, else None."""
    root = msg.root
    if msg.kind in _PART_LINE:
        parts = root.all("part")
        if not parts:
            return None
        number, marker = parts[-1].value("number"), parts[-1].value("marker")
    elif msg.kind == "FFM":
        flight = root.child("flight")
        number = flight.value("part") if flight is not None else None
        ends = root.all("end")
        marker = ends[-1].value("marker") if ends else None
        if number in (None, "1") and marker != "CONT":
            return None
    else:
        return None
    return (int(number) if number and _digits(number) else 0), marker != "CONT"


def _explode(msg: SourceMessage) -> list[_Part] | None:
    records = msg.root.all("segment")
    if not records:
        info = part_info(msg)
        if info is None:
            return None
        pre = tuple(d for d in msg.diagnostics if d.code in _KEEP)
        seg = Segment(file=msg.file, index=msg.index, first_line=msg.first_line,
                      lines=tuple(msg.raw.split("\n")), envelope=msg.envelope, pre=pre)
        return [_Part(seg, info[0], info[1], msg)]
    out: list[_Part] = []
    for r in records:
        p = r.pos
        raw = r.value("raw") or ""
        pre = tuple(d for d in msg.diagnostics if d.code in _KEEP and d.source is not None
                    and d.source.file == p.file and d.source.message == p.message)
        number = r.value("number") or "0"
        seg = Segment(file=p.file, index=p.message or 0, first_line=p.line or 1,
                      lines=tuple(raw.split("\n")), envelope=msg.envelope if not out else (),
                      pre=pre)
        out.append(_Part(seg, int(number) if _digits(number) else 0,
                         r.value("marker") != "CONT", msg))
    return out


def reassemble(messages: list[SourceMessage]) -> list[SourceMessage]:
    """Join the parts of multi-part messages; other messages pass through unchanged.

    Works within one file and across files (the batch calls it over all inputs). A group
    that is incomplete still gives ONE message, with what was received and IMP016; a part
    received twice is ignored with IMP022. Never raises on bad data.
    """
    order: list[SourceMessage | tuple[str, str]] = []
    groups: dict[tuple[str, str], list[_Part]] = {}
    for msg in messages:
        parts = _explode(msg)
        if parts is None:
            order.append(msg)
            continue
        gk = (msg.kind, msg.key or f"?{msg.file}#{msg.index}")
        if gk not in groups:
            groups[gk] = []
            order.append(gk)
        groups[gk].extend(parts)
    out: list[SourceMessage] = []
    for item in order:
        if isinstance(item, SourceMessage):
            out.append(item)
        else:
            out.append(_combine(groups[item]))
    return out


def _combine(parts: list[_Part]) -> SourceMessage:
    if len(parts) == 1 and parts[0].number == 1 and parts[0].final \
            and not parts[0].source.root.all("segment"):
        return parts[0].source  # PART/1/LAST: complete as received
    parts = sorted(parts, key=lambda p: p.number)
    kept: list[_Part] = []
    dups: list[Diagnostic] = []
    for p in parts:
        if kept and kept[-1].number == p.number:
            s = p.seg
            dups.append(diag("IMP022", f"part {p.number} received again; the first copy is kept",
                             source=mkpos(("", s.first_line, s.file, s.index, 0), 1),
                             found=f"part {p.number}"))
            continue
        kept.append(p)
    numbers = [p.number for p in kept]
    complete = (numbers == list(range(1, len(kept) + 1)) and kept[-1].final
                and not any(p.final for p in kept[:-1]))
    msg = parse([p.seg for p in kept])
    for p in kept:
        s = p.seg
        ln = ("", s.first_line, s.file, s.index, 0)
        rec = SourceNode("segment", mkpos(ln, 1))
        put(rec, "raw", "\n".join(s.lines), ln, 1)
        put(rec, "number", str(p.number), ln, 1)
        put(rec, "marker", "LAST" if p.final else "CONT", ln, 1)
        msg.root.children.setdefault("segment", []).append(rec)
    if not complete:
        found = ", ".join(f"{p.number}{'/LAST' if p.final else ''}" for p in kept)
        msg.diagnostics.append(diag(
            "IMP016", source=mkpos(("", msg.first_line, msg.file, msg.index, 0), 1),
            expected=f"parts 1..{max(max(numbers), 1)}, the last one LAST",
            found=f"parts {found}"))
    seen: set[Diagnostic] = set()
    unique = []
    for d in [*msg.diagnostics, *dups]:
        if d not in seen:
            seen.add(d)
            unique.append(d)
    msg.diagnostics = unique
    return msg
