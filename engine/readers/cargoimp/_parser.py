"""Parse one message (or the parts of one multi-part message) into a :class:`SourceMessage`.

The first line names the type and version (README 1.9); the layout of that version drives
everything else: a dict look-up on the line identifier gives the line's kind, and a column-1
``/`` line goes to the continuation rule of the group that is open (README 1.4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...diagnostics import Diagnostic, SourcePos, diag
from .._source import SourceMessage, SourceNode
from . import _party
from ._build import Line, attach, mkpos, put, record, report
from ._kinds import START, continuation, unplaced
from ._layouts import Layout, load_layouts, nearest_version
from ._state import Group, State
from ._types import MESSAGE_TYPES

# Identifiers without a version: FMA, and the Type-B messages of other domains that share the
# cargo mailboxes (aircraft movement, load, container/pallet, ULD control: AHM 780 ff.) [I]
BARE_IDENTS = ("FMA", "MVT", "LDM", "CPM", "UCM")
IDENT = re.compile(r"(?:([A-Z]{3})/(\d{1,3})|(" + "|".join(BARE_IDENTS) + r"))[ ]*\Z")
_TAG = re.compile(r"([A-Z]{3,4})(?:/|[ ]*\Z)")
_TRAILER = re.compile(r"(?:PART/\d+/CONT|CONT)[ ]*\Z")
FORMAT = "cargo-imp"


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """The lines of one physical message (one part), as found in its file."""

    file: str
    index: int
    first_line: int
    lines: tuple[str, ...]  # every line from first_line on, blank ones included
    envelope: tuple[str, ...] = ()
    pre: tuple[Diagnostic, ...] = ()  # decoding and envelope diagnostics


def parse(segments: Sequence[Segment]) -> SourceMessage:
    """Never raises on bad data; problems are diagnostics on the returned message."""
    first = segments[0]
    raw = "\n".join("\n".join(s.lines) for s in segments)
    msg = SourceMessage(format=FORMAT, kind="", version="", file=first.file, index=first.index,
                        first_line=first.first_line, raw=raw, root=SourceNode("", first_pos(first)),
                        envelope=tuple(e for s in segments for e in s.envelope),
                        parts=len(segments))
    for s in segments:
        msg.diagnostics.extend(s.pre)
    per_seg = [_meaningful(s, n) for n, s in enumerate(segments)]
    for s, lines in zip(segments, per_seg, strict=True):
        size = sum(len(t) for t in s.lines) + max(len(s.lines) - 1, 0)
        if size > 3500 and lines:
            msg.diagnostics.append(diag("IMP020", source=mkpos(lines[0], 1), expected="<= 3500",
                                        found=size))
    if not per_seg[0]:
        msg.is_ens_input = False
        msg.diagnostics.append(diag("IMP018", source=first_pos(first)))
        return msg
    head = per_seg[0][0]
    m = IDENT.match(head[0])
    kind = (m.group(1) or m.group(3)) if m else ""
    version = (m.group(2) or "") if m else ""
    mtype = MESSAGE_TYPES.get(kind)
    if mtype is None or not mtype.is_ens_input:
        lines = [ln for seg in per_seg for ln in seg]
        _raw_root(msg, lines, kind if mtype else "")
        msg.version = version if mtype else ""
        msg.is_ens_input = False
        if mtype is None:
            msg.diagnostics.append(diag("IMP001", source=mkpos(head, 1), found=head[0],
                                        expected="a known message identifier, e.g. FWB/17"))
        else:
            msg.diagnostics.append(diag(mtype.route_code, f"{kind}: {mtype.title}",
                                        source=mkpos(head, 1), found=head[0]))
        return msg
    tables = load_layouts()
    versions = tables.by_type[kind]
    layout = versions.get(version)
    if layout is None:
        layout = nearest_version(versions, version)
        msg.diagnostics.append(diag("IMP004", source=mkpos(head, len(kind) + 2), found=version,
                                    expected="/".join(versions)))
    lines = _join(layout, per_seg)
    msg.kind, msg.version = kind, version
    msg.root = SourceNode(layout.root, mkpos(head, 1))
    st = State(layout, tables, msg.root)
    _walk(st, lines)
    _post(st, layout, head)
    msg.diagnostics.extend(st.diags)
    msg.key = _key(layout, msg.root)
    return msg


def first_pos(s: Segment) -> SourcePos:
    return mkpos(("", s.first_line, s.file, s.index, 0), None)


def _meaningful(s: Segment, n: int) -> list[Line]:
    fl, f, i = s.first_line, s.file, s.index
    return [(t, fl + k, f, i, n) for k, t in enumerate(s.lines) if t and not t.isspace()]


def _kind_of(layout: Layout, text: str) -> str:
    if layout.header_when is not None and layout.header_when.match(text):
        return "<header>"
    m = _TAG.match(text)
    return m.group(1) if m else ""


def _join(layout: Layout, per_seg: list[list[Line]]) -> list[Line]:
    """Lines of all parts in order, without the repeated head lines and the trailers."""
    out = list(per_seg[0])
    head2 = _kind_of(layout, out[1][0]) if len(out) > 1 else None
    for n, lines in enumerate(per_seg):
        if n:
            lines = list(lines)
            if lines and IDENT.match(lines[0][0]):
                del lines[0]
            if lines and _kind_of(layout, lines[0][0]) == head2:
                del lines[0]
            out.extend(lines)
        if n < len(per_seg) - 1 and out and _TRAILER.match(out[-1][0]):
            out.pop()
    return out


def _raw_root(msg: SourceMessage, lines: list[Line], tag: str) -> None:
    root = SourceNode(tag, mkpos(lines[0], 1))
    for ln in lines:
        put(attach(root, record("line", ln, 1)), "text", ln[0], ln, 1)
    msg.kind = tag
    msg.root = root


def _walk(st: State, lines: list[Line]) -> None:
    layout = st.layout
    tags = layout.tags
    diags = st.diags
    header_when = layout.header_when
    for k in range(1, len(lines)):
        ln = lines[k]
        text = ln[0]
        if not text.isascii():
            col = next(i for i, ch in enumerate(text, 1) if ord(ch) > 127)
            report(diags, "IMP013", ln, col, found=text[col - 1])
        if text[0] == "/":
            if len(text) > 69:
                report(diags, "IMP012", ln, 70, expected="<= 69", found=len(text))
            g = st.group
            if g is None:
                unplaced(st, text, ln, "an identifier line before a '/' continuation")
            else:
                g.count += 1
                continuation(g.spec)(st, g, text[1:], 2, ln)
            continue
        spec = None
        body, col = text, 1
        if k == 1 and header_when is not None and layout.header is not None \
                and header_when.match(text):
            spec = layout.header
        else:
            m = _TAG.match(text)
            if m is not None:
                tag = m.group(1)
                spec = tags.get(tag)
                if spec is not None:
                    body, col = text[len(tag) + 1:], len(tag) + 2
            if spec is None:
                for rx, candidate in layout.patterns:
                    if rx.match(text):
                        spec = candidate
                        break
        if len(text) > (spec.max_len if spec is not None else 69):
            report(diags, "IMP012", ln, 70, expected=f"<= {spec.max_len if spec else 69}",
                   found=len(text))
        if spec is None:
            g = st.group
            if g is None:
                unplaced(st, text, ln, f"a line identifier of {layout.type}/{layout.version}")
            else:
                report(diags, "IMP015", ln, 1, found=text,
                       expected=f"a line identifier of {layout.type}/{layout.version}")
                g.count += 1
                continuation(g.spec)(st, g, text, 1, ln)
            continue
        if spec.kind == "party_sub":
            g = st.group
            if g is not None and g.spec.kind == "party":
                _party.sub_line(st, g, spec.tag, body, col, ln)
            else:
                report(diags, "IMP019", ln, 1, found=text, expected="SHP, CNE or NFY before it")
                put(attach(st.root, record("extra", ln, 1)), "text", text, ln, 1)
            continue
        if spec.once:
            if spec.tag in st.seen_once:
                # A second AWB, HCD, SHP... line: the message describes one of each, and the
                # mapping reads them for every house and goods item (a few thousand repeats
                # made it quadratic). Kept as unread text with an error; its continuation
                # lines follow it there.
                report(diags, "IMP027", ln, 1, found=text,
                       expected=f"one {spec.tag} line per {layout.type} message")
                _close(st, st.group)
                st.group = None
                put(attach(st.root, record("extra", ln, 1)), "text", text, ln, 1)
                continue
            st.seen_once.add(spec.tag)
        if layout.check_order and spec.tag != "PART":
            if spec.order < st.last_order:
                report(diags, "IMP019", ln, 1, found=spec.tag,
                       expected=f"{spec.tag} before the lines that precede it here")
            else:
                st.last_order = spec.order
        prev = st.group
        group = START[spec.kind](st, spec, body, col, ln, 1)
        if group is not prev:
            _close(st, prev)
        st.group = group
    _close(st, st.group)
    st.group = None


def _close(st: State, g: Group | None) -> None:
    if g is not None and g.spec.kind == "party":
        _party.close(st, g)


def _post(st: State, layout: Layout, head: Line) -> None:
    root = st.root
    sh = layout.single_house
    if sh is not None:
        moving = [(n, root.children.pop(n)) for n in sh.move if n in root.children]
        houses = root.all(sh.house)
        if moving:
            if len(houses) == 1:
                for name, kids in moving:
                    houses[0].children.setdefault(name, []).extend(kids)
            else:
                holder = attach(root, SourceNode(sh.holder, kids_pos(moving)))
                for name, kids in moving:
                    holder.children.setdefault(name, []).extend(kids)
                if len(houses) > 1:
                    st.diags.append(diag("IMP017", source=kids_pos(moving),
                                         expected="exactly one HBS", found=f"{len(houses)} HBS"))
    for spec in layout.mandatory:
        if spec.presence not in root.children:
            what = spec.label or (spec.tag if spec is not layout.header
                                  else f"{spec.node} line after line 1")
            report(st.diags, "IMP010", head, 1, expected=what, found="missing",
                   message=f"mandatory line {what} missing")
    if layout.multipart == "ffm":
        _ffm_split_pieces(st)


def kids_pos(moving: list[tuple[str, list[SourceNode]]]) -> SourcePos:
    return moving[0][1][0].pos


def _ffm_split_pieces(st: State) -> None:
    """IMP023: the ``S`` (split) lines of one AWB must add up to its ``T<total>`` within the
    message. ``P`` and ``D`` lines may continue on other flights, so only ``S`` is summed [I]."""
    totals: dict[str, tuple[int, str, SourceNode]] = {}
    for unloading in st.root.all("unloading"):
        for c in unloading.all("consignment"):
            if c.value("shipment_code") != "S":
                continue
            number, pieces, total = c.value("number"), c.value("pieces"), c.value("total_pieces")
            if number is None or pieces is None or total is None:
                continue
            have = totals.get(number)
            totals[number] = ((have[0] if have else 0) + int(pieces), total,
                              have[2] if have else c)
    for number, (summed, total, c) in totals.items():
        if summed != int(total):
            f = c.fields["pieces"]
            st.diags.append(diag("IMP023", f"{number}: split pieces do not add up", source=f.pos,
                                 expected=total, found=summed))


def _key(layout: Layout, root: SourceNode) -> str:
    values = []
    for node, field in layout.key:
        n = root.child(node)
        v = n.value(field) if n is not None else None
        if not v:
            return ""
        values.append(v)
    return "/".join(values)
