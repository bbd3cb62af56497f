"""Party blocks (SHP, CNE, NFY, HAH): tagged NAM/ADR/LOC (FWB/17) and untagged positional
lines (FWB/16, FHL/4), read by the same group so that mixed real-world blocks still parse."""

from __future__ import annotations

import re

from .._source import SourceNode
from ._build import Line, apply_fields, attach, elements, put, record, report
from ._state import Group, State

_COUNTRY = re.compile(r"[A-Z]{2}[ ]*\Z")


def start(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    """``SHP[/<account>]``; with ``style: name_on_id`` (FHL/4, HAH) the element is the name."""
    if not body:
        return
    if g.spec.style == "name_on_id":
        name = attach(g.node, record("name", ln, col))
        put(name, "text", body, ln, col)
        g.sub = "IDNAME"
    else:
        put(g.node, "account", body, ln, col)


def sub_line(st: State, g: Group, tag: str, body: str, col: int, ln: Line) -> None:
    """``NAM/``, ``ADR/`` and ``LOC/`` lines inside the current party."""
    _flush(st, g)
    g.sub = tag
    if tag == "LOC":
        elems, cols = elements(body, col)
        apply_fields(g.node, st.tables.location, elems, cols, 0, ln, st.diags)
    elif body:
        rec = attach(g.node, record("name" if tag == "NAM" else "street", ln, col))
        put(rec, "text", body, ln, col)


def cont(st: State, g: Group, body: str, col: int, ln: Line) -> None:
    sub = g.sub
    if sub == "NAM" or sub == "ADR":  # 2nd name / street line (README 1.4)
        if body:
            rec = attach(g.node, record("name" if sub == "NAM" else "street", ln, col))
            put(rec, "text", body, ln, col)
    elif sub == "LOC":
        coded(st, g.node, body, col, ln)
        g.sub = "coded"
    elif sub == "coded":
        report(st.diags, "IMP015", ln, col, expected="a party line (NAM/ADR/LOC)", found=body)
        extra = attach(g.node, record("extra", ln, col))
        if body:
            put(extra, "text", body, ln, col)
    else:
        g.pending.append((body, col, ln))


def coded(st: State, node: SourceNode, body: str, col: int, ln: Line) -> None:
    """``<CC>[/<postcode>][/<contact id>/<number>]...`` (README 2.2)."""
    elems, cols = elements(body, col)
    apply_fields(node, (st.tables.country,), elems, cols, 0, ln, st.diags)
    if len(elems) > 1 and elems[1]:
        put(node, "postcode", elems[1], ln, cols[1])
    for i in range(2, len(elems), 2):
        contact = attach(node, record("contact", ln, cols[i]))
        if elems[i]:
            put(contact, "type", elems[i], ln, cols[i])
        if i + 1 < len(elems) and elems[i + 1]:
            put(contact, "number", elems[i + 1], ln, cols[i + 1])


def close(st: State, g: Group) -> None:
    _flush(st, g)


def _flush(st: State, g: Group) -> None:
    """Untagged lines by position (README 2.3). The defensive rule is [I]: the coded
    location is the last line whose first element is a 2-letter code; before it come name,
    street(s) and place (one line: name; two: name, place); when the name was on the
    identifier line (FHL/4) the lines are street(s) and place."""
    lines = g.pending
    if not lines:
        return
    g.pending = []
    node = g.node
    coded_at = -1
    for i in range(len(lines) - 1, -1, -1):
        if _COUNTRY.match(lines[i][0].split("/", 1)[0]):
            coded_at = i
            break
    before = lines if coded_at < 0 else lines[:coded_at]
    if g.sub == "IDNAME":
        names: list[tuple[str, int, Line]] = []
        streets, place = before[:-1], before[-1:]
    else:
        names = before[:1]
        if len(before) == 2:
            streets, place = [], before[1:]
        else:
            streets, place = before[1:-1], before[2:][-1:]
    for tag, group in (("name", names), ("street", streets)):
        for body, col, ln in group:
            if body:
                put(attach(node, record(tag, ln, col)), "text", body, ln, col)
    for body, col, ln in place:
        elems, cols = elements(body, col)
        apply_fields(node, st.tables.location, elems, cols, 0, ln, st.diags)
    if coded_at >= 0:
        body, col, ln = lines[coded_at]
        coded(st, node, body, col, ln)
        for body, col, ln in lines[coded_at + 1:]:
            report(st.diags, "IMP015", ln, col, expected="end of the party block", found=body)
            extra = attach(node, record("extra", ln, col))
            if body:
                put(extra, "text", body, ln, col)
