"""From the segments of one transaction set to a source tree.

Records are named after their segment (``bx``, ``n9``, ``r6``...) and fields after the element
position (``e01``, ``e02``...; components ``e01_1``, repetitions ``e01_r1``). Segments that open
a loop (``N1`` party, ``LX`` line item) become records holding the segments of that loop, so a
mapping can say ``n1[e01=CN].n3.e01``. The loop table is data: X12 transport sets share it.
"""

from __future__ import annotations

from ...diagnostics import SourcePos
from .. import _fastbuild
from .._source import SourceField, SourceNode
from ._lexer import Delimiters, Segment

# Loop-opening segment -> the segments (and nested loops) that belong to it [I: the N1 and LX
# loops of the transportation sets 858/309/204; a segment not listed closes the loop].
LOOPS: dict[str, frozenset[str]] = {
    "N1": frozenset({"N2", "N3", "N4", "REF", "PER", "G61"}),
    "LX": frozenset({"L5", "L0", "L1", "L4", "L7", "H1", "H2", "H3", "MEA", "PO4", "N1",
                     "MAN", "N7"}),
}


def _text(raw: str) -> str:
    """Element text; bytes beyond ASCII are read as UTF-8 when they form it, else Latin-1."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return raw


# Positions and fields are made once per element (the hot loop of the reader): their slots are
# filled directly instead of through the frozen-dataclass __init__; the objects are the same.
_new = _fastbuild.new_object
_P_FILE, _P_MSG, _P_LINE, _P_COL, _P_SEG, _P_OFF, _P_XP = _fastbuild.POS_SETTERS
_SET_TEXT, _SET_POS = _fastbuild.FIELD_SETTERS


def _pos(file: str, message: int, segment: int, offset: int) -> SourcePos:
    p: SourcePos = _new(SourcePos)
    _P_FILE(p, file)
    _P_MSG(p, message)
    _P_LINE(p, None)
    _P_COL(p, None)
    _P_SEG(p, segment)
    _P_OFF(p, offset)
    _P_XP(p, None)
    return p


def _field(text: str, pos: SourcePos) -> SourceField:
    f: SourceField = _new(SourceField)
    _SET_TEXT(f, text)
    _SET_POS(f, pos)
    return f


_NAMES = tuple(f"e{i:02d}" for i in range(100))


def record(seg: Segment, file: str, message: int, delims: Delimiters) -> SourceNode:
    node = SourceNode(seg.tag.lower(), _pos(file, message, seg.number, seg.offset))
    fields = node.fields
    comp, rep = delims.component, delims.repetition
    off = seg.offset + len(seg.tag) + 1
    for i, raw in enumerate(seg.elements[1:], start=1):
        if raw:
            pos = _pos(file, message, seg.number, off)
            name = _NAMES[i] if i < 100 else f"e{i}"
            fields[name] = _field(raw if raw.isascii() else _text(raw), pos)
            first = raw
            if rep is not None and rep in raw:
                reps = raw.split(rep)
                first = reps[0]
                for k, r in enumerate(reps, start=1):
                    if r:
                        fields[f"{name}_r{k}"] = _field(_text(r), pos)
            if comp in first:
                for k, c in enumerate(first.split(comp), start=1):
                    if c:
                        fields[f"{name}_{k}"] = _field(_text(c), pos)
        off += len(raw) + 1
    return node


def build_tree(kind: str, segments: list[Segment], envelope: list[Segment], file: str,
               message: int, delims: Delimiters) -> SourceNode:
    """The root (tag = transaction set code) with ``isa``, ``gs``, ``st`` records and the body
    segments (SE excluded) in order, loops nested."""
    st = segments[0]
    root = SourceNode(kind, SourcePos(file=file, message=message, segment=st.number,
                                      offset=st.offset))
    for seg in envelope:
        root.add(record(seg, file, message, delims))
    root.add(record(st, file, message, delims))
    body = segments[1:-1] if segments[-1].tag == "SE" else segments[1:]
    stack: list[tuple[SourceNode, frozenset[str] | None]] = [(root, None)]
    for seg in body:
        tag = seg.tag
        while len(stack) > 1 and tag not in stack[-1][1]:  # type: ignore[operator]
            stack.pop()
        node = stack[-1][0].add(record(seg, file, message, delims))
        loop = LOOPS.get(tag)
        if loop is not None:
            stack.append((node, loop))
    return root
