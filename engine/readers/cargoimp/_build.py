"""Building blocks of the source tree: positions, fields, diagnostics and ``/`` elements.

Positions and fields are created in the hot loop (a few hundred per message), so they are
built by setting their slots directly instead of through the frozen-dataclass ``__init__``;
the objects are identical to the ones the constructors make.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import Diagnostic, SourcePos, diag
from .. import _fastbuild
from .._source import SourceField, SourceNode
from ._layouts import FieldSpec

Line = tuple[str, int, str, int, int]
"""One meaningful line: (text, line number in the file, file, message index, part segment)."""

_new = _fastbuild.new_object
_P_FILE, _P_MSG, _P_LINE, _P_COL, _P_SEG, _P_OFF, _P_XP = _fastbuild.POS_SETTERS
_F_TEXT, _F_POS = _fastbuild.FIELD_SETTERS


def mkpos(ln: Line, col: int | None) -> SourcePos:
    """``SourcePos(file=, message=, line=, column=)`` for a place in ``ln``."""
    p: SourcePos = _new(SourcePos)
    _P_FILE(p, ln[2])
    _P_MSG(p, ln[3])
    _P_LINE(p, ln[1])
    _P_COL(p, col)
    _P_SEG(p, None)
    _P_OFF(p, None)
    _P_XP(p, None)
    return p


def put(node: SourceNode, name: str, text: str, ln: Line, col: int) -> SourceField:
    """Set field ``name`` of ``node`` (callers skip empty text: ``//`` gives no field)."""
    p: SourcePos = _new(SourcePos)  # mkpos, inlined: this is the hottest call of the reader
    _P_FILE(p, ln[2])
    _P_MSG(p, ln[3])
    _P_LINE(p, ln[1])
    _P_COL(p, col)
    _P_SEG(p, None)
    _P_OFF(p, None)
    _P_XP(p, None)
    f: SourceField = _new(SourceField)
    _F_TEXT(f, text)
    _F_POS(f, p)
    node.fields[name] = f
    return f


def record(tag: str, ln: Line, col: int = 1) -> SourceNode:
    """``SourceNode(tag, pos)`` without the dataclass ``__init__`` (same object)."""
    n: SourceNode = _new(SourceNode)
    n.tag = tag
    n.pos = mkpos(ln, col)
    n.fields = {}
    n.children = {}
    return n


def attach(parent: SourceNode, child: SourceNode) -> SourceNode:
    kids = parent.children.get(child.tag)
    if kids is None:
        parent.children[child.tag] = [child]
    else:
        kids.append(child)
    return child


def report(
    diags: list[Diagnostic], code: str, ln: Line, col: int | None = 1, *,
    expected: Any = None, found: Any = None, message: str | None = None,
) -> None:
    diags.append(diag(code, message, source=mkpos(ln, col), expected=expected, found=found))


def elements(body: str, col: int) -> tuple[list[str], list[int]]:
    """Split on ``/`` keeping empty elements (README 1.3); columns of each element's start."""
    parts = body.split("/")
    cols = []
    for p in parts:
        cols.append(col)
        col += len(p) + 1
    return parts, cols


def awb_check(serial: str) -> bool:
    """Unweighted modulus-7 check digit over the first seven digits (README 1.8)."""
    return int(serial[:7]) % 7 == int(serial[7])


def apply_fields(
    node: SourceNode, specs: tuple[FieldSpec, ...], elems: list[str], cols: list[int],
    start: int, ln: Line, diags: list[Diagnostic], stop: int | None = None,
) -> int:
    """Fill ``node`` from ``elems[start:stop]`` by position; returns the first unused element
    (``stop`` bounds a window without copying the list: a line of many pairs stays linear)."""
    i = start
    n = len(elems) if stop is None else min(stop, len(elems))
    for spec in specs:
        if i >= n:
            break
        if spec.rest:
            text = "/".join(elems[i:n])
            if text:
                put(node, spec.name, text, ln, cols[i])
            return n
        e = elems[i]
        if not e:
            if not spec.optional:
                i += 1
            continue
        rx = spec.regex
        if rx is None:
            put(node, spec.name, e, ln, cols[i])
            i += 1
            continue
        m = rx.match(e)
        if m is None:
            if spec.optional:
                continue
            # No field: a value that failed its format is only in the diagnostic and raw text.
            report(diags, "IMP011", ln, cols[i], expected=spec.expect, found=e,
                   message=f"{spec.name} does not match its format")
            i += 1
            continue
        col = cols[i]
        for g in spec.groups:
            v = m.group(g)
            if v:
                put(node, g, v, ln, col + m.start(g))
        if spec.serial_group:
            serial = m.group(spec.serial_group)
            if serial and not awb_check(serial):
                report(diags, "IMP014", ln, col + m.start(spec.serial_group),
                       expected=f"check digit {int(serial[:7]) % 7}", found=serial[7])
        i += 1
    return i
