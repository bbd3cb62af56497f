"""The public entry points: read an X12 file's bytes, and sniff whether text is X12."""

from __future__ import annotations

import gc
import re

from ...diagnostics import Diagnostic, SourcePos, diag
from .._source import SourceField, SourceMessage, SourceNode
from ._envelope import TxSet, split_interchanges
from ._tree import build_tree

FORMAT = "x12"

# Transaction sets that feed an ENS filing, and the ones recognised but routed away.
ENS_SETS: dict[str, str] = {"858": "Shipment Information"}
ACK_SETS: dict[str, str] = {"997": "Functional Acknowledgment",
                            "999": "Implementation Acknowledgment"}
OTHER_SETS: dict[str, str] = {
    "309": "Customs Manifest (US CBP inbound; see docs/x12-reader.md)",
    "204": "Motor Carrier Load Tender", "214": "Transportation Carrier Shipment Status",
    "315": "Status Details (Ocean)", "310": "Freight Receipt and Invoice (Ocean)",
    "856": "Ship Notice/Manifest", "859": "Freight Invoice", "110": "Air Freight Details and "
    "Invoice", "300": "Reservation (Booking Request) (Ocean)",
}
_AWB = re.compile(r"^(\d{3})-?(\d{8})$")


def looks_like_x12(head: str) -> bool:
    """True when the data starts (after blanks) with ``ISA`` and a non-alphanumeric element
    separator, the only fixed point of an X12 interchange."""
    text = head.lstrip(" \t\r\n\x00\ufeff\xef\xbb\xbf")
    return len(text) > 3 and text.startswith("ISA") and not (text[3].isalnum()
                                                             or text[3] == " ")


def _awb(root: SourceNode) -> str:
    """The AWB number: N9 qualifier AW, else BX04 [I: the 858 shipment identification].
    Also set as the root's ``awb`` field, written ``020-61183253`` however it was sent (11
    digits, blanks), with the position of the element it came from."""
    src: SourceField | None = None
    for n9 in root.all("n9"):
        if n9.value("e01") == "AW" and n9.value("e02"):
            src = n9.fields["e02"]
            break
    if src is None:
        bx = root.child("bx")
        src = bx.fields.get("e04") if bx is not None else None
    if src is None:
        return ""
    m = _AWB.match(src.text.replace(" ", ""))
    text = f"{m.group(1)}-{m.group(2)}" if m else src.text
    root.fields["awb"] = SourceField(text, src.pos)
    return text


_BAD_BASE = "\x20-\x7e\r\n"


def _charset(text: str, tx: TxSet, file: str) -> list[Diagnostic]:
    """One X12005 per segment holding a byte outside printable ASCII (delimiters excepted)."""
    d = tx.delims
    allowed = _BAD_BASE + "".join(re.escape(c) for c in
                                  (d.element, d.component, d.segment, d.repetition or ""))
    bad = re.compile(f"[^{allowed}]")
    out: list[Diagnostic] = []
    first, last = tx.segments[0], tx.segments[-1]
    stop = text.find(d.segment, last.offset)
    if bad.search(text, first.offset, stop if stop >= 0 else len(text)) is None:
        return out
    for seg in tx.segments:
        seg_end = seg.offset + len(d.element.join(seg.elements))
        m = bad.search(text, seg.offset, seg_end)
        if m is not None:
            ch = m.group()
            out.append(diag(
                "X12005", f"byte 0x{ord(ch):02X} in segment {seg.tag}: X12 data is ASCII; the "
                "text is kept as UTF-8 where it decodes, else Latin-1",
                source=SourcePos(file=file, message=tx.index, segment=seg.number,
                                 offset=m.start()),
                expected="printable ASCII", found=repr(ch)))
    return out


def _message(text: str, tx: TxSet, file: str, first_line: int) -> SourceMessage:
    st = tx.segments[0]
    kind = st.elements[1] if len(st.elements) > 1 else ""
    envelope = [s for s in (tx.interchange.head, tx.group.head) if s is not None]
    gs = tx.group.head
    isa = tx.interchange.head
    version = (gs.elements[8] if gs is not None and len(gs.elements) > 8 and gs.elements[8]
               else (isa.elements[12] if isa is not None and len(isa.elements) > 12 else ""))
    root = build_tree(kind, tx.segments, envelope, file, tx.index, tx.delims)
    diags = tx.all_diagnostics + _charset(text, tx, file)
    last = tx.segments[-1]
    stop = text.find(tx.delims.segment, last.offset)
    raw = text[st.offset:stop + 1 if stop >= 0 else len(text)]
    pos = SourcePos(file=file, message=tx.index, segment=st.number, offset=st.offset)
    is_ens = kind in ENS_SETS
    if kind in ACK_SETS:
        diags.append(diag("X12008", f"{kind} {ACK_SETS[kind]} routed, not an ENS input",
                          source=pos, found=kind))
    elif not is_ens:
        title = OTHER_SETS.get(kind, "unknown transaction set")
        diags.append(diag("X12007", f"transaction set {kind!r} ({title}) is not an ENS input",
                          source=pos, expected=", ".join(ENS_SETS), found=kind))
    return SourceMessage(
        format=FORMAT, kind=kind, version=version, file=file, index=tx.index,
        first_line=first_line, raw=raw, root=root,
        diagnostics=diags, envelope=tuple(text[s.offset:s.offset + 120] for s in envelope),
        is_ens_input=is_ens, key=_awb(root) if is_ens else "")


def read_x12(data: bytes, *, file: str = "") -> list[SourceMessage]:
    """Every transaction set in ``data`` as a message (one per ST..SE).

    Bad data never raises: envelope problems (X12001-X12004, X12006) are errors on the scope
    they spoil and every transaction set inside inherits them; an interchange that yields no
    transaction set still gives one message so the batch accounts for it.
    """
    text = data.decode("latin-1")
    # The cyclic GC is paused while the trees are built: they hold no reference cycles, and
    # its full passes over many fresh objects cost more than the reading itself.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _read(text, file)
    finally:
        if paused:
            gc.enable()


def _read(text: str, file: str) -> list[SourceMessage]:
    try:
        sets, orphans = split_interchanges(text, file)
        out = []
        line, counted = 1, 0  # line numbers counted incrementally: sets come in order
        for tx in sets:
            at = tx.segments[0].offset
            line += text.count("\n", counted, at)
            counted = at
            out.append(_message(text, tx, file, line))
    except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
        pos = SourcePos(file=file)
        return [SourceMessage(format=FORMAT, kind="", version="", file=file, index=0,
                              first_line=1, raw=text[:2000], root=SourceNode("", pos),
                              is_ens_input=False,
                              diagnostics=[diag("RUN001", source=pos, found=repr(exc))])]
    for n, orphan in enumerate(orphans):
        pos = SourcePos(file=file, offset=orphan.offset)
        out.append(SourceMessage(
            format=FORMAT, kind="", version="", file=file, index=len(sets) + n,
            first_line=text.count("\n", 0, orphan.offset) + 1, raw=orphan.raw,
            root=SourceNode("", pos), diagnostics=orphan.diags, is_ens_input=False))
    return out
