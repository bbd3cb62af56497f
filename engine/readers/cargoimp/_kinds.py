"""The line kinds a layout may name, each with what its identifier line and its ``/``
continuation lines do (README 1.4). Dispatch is by dict on ``LineSpec.kind`` / ``.cont``."""

from __future__ import annotations

from collections.abc import Callable

from .._source import SourceNode
from . import _oci, _party, _rtd
from ._build import Line, apply_fields, attach, elements, put, record, report
from ._layouts import LineSpec
from ._state import Group, State

Start = Callable[[State, LineSpec, str, int, Line, int], Group]
Cont = Callable[[State, Group, str, int, Line], None]


def _fields_record(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int,
                   parent: SourceNode) -> SourceNode:
    rec = record(spec.node, ln, lcol)
    elems, cols = elements(body, col)
    used = apply_fields(rec, spec.fields, elems, cols, 0, ln, st.diags)
    for j in range(used, len(elems)):
        e = elems[j]
        if not e:
            continue
        if spec.extra is not None:
            put(attach(rec, record(spec.extra[0], ln, cols[j])), spec.extra[1], e, ln, cols[j])
        else:
            put(attach(rec, record("extra", ln, cols[j])), "text", e, ln, cols[j])
    for name, scope, field in spec.inherit:
        src = st.scopes.get(scope)
        if src is not None:
            f = src.fields.get(field)
            if f is not None:
                rec.fields[name] = f
    return rec


def start_fields(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    rec = _fields_record(st, spec, body, col, ln, lcol, parent)
    if spec.reuse_key and ln[4] > 0 and ln[4] not in st.reused:
        # The first scope line of a later part repeats the one it continues (FHL HBS,
        # FFM unloading point): keep the record of the earlier part, don't count it twice,
        # and let the group that was open at the end of that part go on (a TXT cut by the
        # part boundary continues with ``/`` lines) [I README 1.6].
        st.reused.add(ln[4])
        old = st.scopes.get(spec.opens)
        if old is not None and old.value(spec.reuse_key) == rec.value(spec.reuse_key):
            return st.group if st.group is not None else Group(spec, old, parent)
    attach(parent, rec)
    for c in spec.closes:
        st.scopes.pop(c, None)
    if spec.opens:
        st.scopes[spec.opens] = rec
    return Group(spec, rec, parent)


def start_text(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    rec = attach(parent, record(spec.node, ln, lcol))
    if body:
        put(rec, "text", body, ln, col)
    return Group(spec, rec, parent)


def start_list(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    g = Group(spec, parent, parent)
    cont_list(st, g, body, col, ln)
    return g


def start_pairs(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    g = Group(spec, parent, parent)
    cont_pairs(st, g, body, col, ln)
    return g


def start_party(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    g = Group(spec, attach(parent, record(spec.node, ln, lcol)), parent)
    _party.start(st, g, body, col, ln)
    return g


def start_oci(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    _oci.line(st, parent, body, col, ln, lcol)
    return Group(spec, parent, parent)


def start_rtd(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    g = Group(spec, parent, parent)
    _rtd.start(st, g, body, col, ln)
    return g


def start_marker(st: State, spec: LineSpec, body: str, col: int, ln: Line, lcol: int) -> Group:
    parent = st.parent_of(spec)
    rec = attach(parent, record(spec.node, ln, lcol))
    put(rec, "marker", spec.tag, ln, lcol)
    return Group(spec, rec, parent)


START: dict[str, Start] = {
    "fields": start_fields,
    "text": start_text,
    "list": start_list,
    "pairs": start_pairs,
    "party": start_party,
    "oci": start_oci,
    "rtd": start_rtd,
    "marker": start_marker,
}


def cont_record(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    attach(g.parent, _fields_record(st, g.spec, body, col, ln, col - 1, g.parent))


def cont_text(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    rec = attach(g.parent, record(g.spec.node, ln, max(col - 1, 1)))
    if body:
        put(rec, "text", body, ln, col)


def cont_list(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    spec = g.spec
    item = spec.item
    assert item is not None
    elems, cols = elements(body, col)
    for j, e in enumerate(elems):
        if e:
            rec = attach(g.parent, record(spec.node, ln, cols[j]))
            apply_fields(rec, (item,), elems, cols, j, ln, st.diags)


def cont_pairs(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    spec = g.spec
    elems, cols = elements(body, col)
    for j in range(0, len(elems), len(spec.fields)):
        rec = attach(g.parent, record(spec.node, ln, cols[j]))
        apply_fields(rec, spec.fields, elems, cols, j, ln, st.diags, stop=j + len(spec.fields))


def cont_next(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    i = g.count - 1
    if i < len(g.spec.next):
        elems, cols = elements(body, col)
        apply_fields(g.node, g.spec.next[i], elems, cols, 0, ln, st.diags)
    else:
        cont_none(st, g, body, col, ln)


def cont_each(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    assert g.spec.each is not None
    _each(g.node, g.spec.each, body, col, ln)


def _each(node: SourceNode, each: tuple[str, str], body: str, col: int, ln: Line) -> None:
    elems, cols = elements(body, col)
    for j, e in enumerate(elems):
        if e:
            put(attach(node, record(each[0], ln, cols[j])), each[1], e, ln, cols[j])


def cont_choose(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    for ch in g.spec.choices:
        if ch.match is not None and ch.match.match(body) is None:
            continue
        elems, cols = elements(body, col)
        if ch.each is not None:
            _each(g.node, ch.each, body, col, ln)
        elif ch.set:
            apply_fields(g.node, ch.set, elems, cols, 0, ln, st.diags)
        else:
            rec = attach(g.node, record(ch.node, ln, col))
            apply_fields(rec, ch.fields, elems, cols, 0, ln, st.diags)
        return
    cont_none(st, g, body, col, ln)


def cont_none(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    report(st.diags, "IMP015", ln, col, found=body,
           expected=f"no continuation line after {g.spec.tag}")
    rec = attach(g.node, record("extra", ln, col))
    if body:
        put(rec, "text", body, ln, col)


def cont_party(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    _party.cont(st, g, body, col, ln)


def cont_oci(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    _oci.line(st, g.parent, body, col, ln, max(col - 1, 1))


def cont_rtd(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    _rtd.cont(st, g, body, col, ln)


CONT_BY_KIND: dict[str, Cont] = {
    "party": cont_party,
    "oci": cont_oci,
    "rtd": cont_rtd,
    "text": cont_text,
    "list": cont_list,
    "pairs": cont_pairs,
}
CONT_BY_RULE: dict[str, Cont] = {
    "record": cont_record,
    "next": cont_next,
    "each": cont_each,
    "choose": cont_choose,
    "none": cont_none,
}


def continuation(spec: LineSpec) -> Cont:
    return CONT_BY_KIND.get(spec.kind) or CONT_BY_RULE[spec.cont]


def unplaced(st: State, text: str, ln: Line, expected: str) -> None:
    """A line that belongs to no group: IMP015, kept under the root's ``extra[]``."""
    report(st.diags, "IMP015", ln, 1, expected=expected, found=text)
    put(attach(st.root, record("extra", ln, 1)), "text", text, ln, 1)
