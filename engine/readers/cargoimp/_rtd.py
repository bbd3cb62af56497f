"""RTD rate lines and their goods sub-lines (README 2.4).

``RTD/1/...`` opens rate line 1; ``/<n>/...`` is a numbered rate or goods line; an unnumbered
``/NG/...`` line is a goods sub-line of the current number. Every sub-line is its own record
with its ``line_no``; NG/NC chunks keep their text exactly (mid-word splits, leading spaces).
"""

from __future__ import annotations

from .._source import SourceNode
from ._build import Line, apply_fields, attach, elements, put, record, report
from ._state import Group, State


def start(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    elems, cols = elements(body, col)
    _numbered(st, g, elems, cols, ln)


def cont(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    elems, cols = elements(body, col)
    if elems[0].isdigit():
        _numbered(st, g, elems, cols, ln)
    else:
        _content(st, g, elems, cols, 0, ln)


def _numbered(st: State, g: Group, elems: list[str], cols: list[int], ln: Line) -> None:
    if elems[0]:
        g.rate_no = (elems[0], cols[0], ln)
    _content(st, g, elems, cols, 1, ln)


def _content(st: State, g: Group, elems: list[str], cols: list[int], i: int, ln: Line) -> None:
    t = st.tables.rtd
    if i >= len(elems):
        return
    code = elems[i]
    goods = t.goods.get(code)
    if goods is not None:
        node, keep_kind, specs = goods
        rec = attach(_goods(st, g, ln), record(node, ln, cols[i]))
        _line_no(g, rec)
        if keep_kind:
            put(rec, "kind", code, ln, cols[i])
        apply_fields(rec, specs, elems, cols, i + 1, ln, st.diags)
        return
    rate = attach(g.parent, record(t.rate_node, ln, cols[i]))
    _line_no(g, rate)
    for j in range(i, len(elems)):
        e = elems[j]
        if not e:
            continue
        spec = t.rate_prefix.get(e[0])
        if spec is None:
            report(st.diags, "IMP011", ln, cols[j], found=e,
                   expected="rate element P/K/L/C/S/W/R/T or goods code NG/NC/NH/NO/ND/NV/NU/NS")
            put(rate, f"unknown_{j - i + 1}", e, ln, cols[j])
            continue
        apply_fields(rate, (spec,), elems, cols, j, ln, st.diags)


def _goods(st: State, g: Group, ln: Line) -> SourceNode:
    t = st.tables.rtd
    node = g.parent.child(t.goods_node)
    if node is None:
        node = attach(g.parent, record(t.goods_node, ln, 1))
    return node


def _line_no(g: Group, rec: SourceNode) -> None:
    if g.rate_no is not None:
        text, col, ln = g.rate_no
        put(rec, "line_no", text, ln, col)
