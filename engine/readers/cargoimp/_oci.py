"""OCI lines (README 7.1): four fields, each line (tagged or ``/``) a new record with ``seq``."""

from __future__ import annotations

from .._source import SourceNode
from ._build import Line, attach, elements, put, record, report
from ._state import State

_NAMES = ("country", "info", "control")


def line(
    st: State, parent: SourceNode, body: str, col: int, ln: Line, parent_col: int,
) -> None:
    """``body`` is the line without ``OCI/`` or without its single leading ``/``.

    The standard split takes the first three ``/`` elements as country, information id and
    control id and the rest as text. When that does not fit the code shapes (or leaves all
    three empty), the line is re-aligned on the codes (1-3 leading slashes seen in real data,
    [I] README 7.1) and IMP026 records that the reading is a guess.
    """
    t = st.tables.oci
    elems, cols = elements(body, col)
    st.oci_seq += 1
    rec = attach(parent, record(t.node, ln, parent_col))
    put(rec, "seq", str(st.oci_seq), ln, parent_col)
    codes: tuple[tuple[int, int], ...]
    if len(elems) >= 4 and _fits(st, elems):
        codes = ((0, 0), (1, 1), (2, 2))
        text_at = 3
    else:
        k = 0
        while k < len(elems) - 1 and not elems[k]:
            k += 1
        e = elems[k:]
        if len(e) >= 3 and t.country.match(e[0]) and t.info.match(e[1]):
            codes, text_at = ((0, k), (1, k + 1), (2, k + 2)), k + 3
        elif len(e) >= 2 and t.info.match(e[0]):
            codes, text_at = ((1, k), (2, k + 1)), k + 2
        elif len(e) >= 1 and t.control.match(e[0]):
            codes, text_at = ((2, k),), k + 1
        else:  # nothing recognisable: keep the positional reading
            codes, text_at = tuple((i, i) for i in range(min(3, len(elems)))), 3
        report(st.diags, "IMP026", ln, parent_col, expected="<cc>/<info id>/<control id>/<text>",
               found=body)
    for which, at in codes:
        if at < len(elems) and elems[at]:
            put(rec, _NAMES[which], elems[at], ln, cols[at])
    if text_at < len(elems):
        text = "/".join(elems[text_at:])
        if text:
            put(rec, "text", text, ln, cols[text_at])


def _fits(st: State, elems: list[str]) -> bool:
    t = st.tables.oci
    c, i, k = elems[0], elems[1], elems[2]
    if not (c or i or k):
        return False
    return (
        (not c or t.country.match(c) is not None)
        and (not i or t.info.match(i) is not None)
        and (not k or t.control.match(k) is not None)
    )
