"""The public entry points: read a file's bytes into Cargo-XML messages, and sniff a head.

One file normally holds one document. Several documents concatenated in one file are
accepted when each begins with its own XML declaration (``<?xml ...?>``), as batch exports
write them, and also when a second root simply follows the first: they become messages 0,
1, ... of the file with lines counted in the whole file. After a root element, a transport
end-of-message marker (``NNNN``) is dropped with a CXM011 warning; any other text that is not
a document is kept as a rejected message of its own (CXM014), never dropped. Every Cargo-XML
root inside a transport envelope (SOAP ``Body``...) is a message of its own (CXM013).
Parsing is hardened (``ensgate.xmlsafe``): a DOCTYPE (so any entity, XXE or entity bomb) is
refused with XML001 before anything is expanded.
"""

from __future__ import annotations

import gc
import re
from dataclasses import replace
from typing import Any, NamedTuple

from lxml import etree

from ...diagnostics import Diagnostic, Severity, SourcePos, diag
from ...xmlsafe import DEFAULT_MAX_XML_BYTES, parse_xml_safely
from .._source import SourceField, SourceMessage, SourceNode
from ._build import WalkContext, split_tag, walk
from ._encoding import BAD_BYTES, declared_encoding, recode_cp1252, relabel_wide_utf8
from ._layouts import MESSAGE
from ._names import BY_ROOT, DATAMODEL_NS, FORMAT, IATA_NS, KINDS, MessageKind

_DECL = re.compile(rb"<\?xml[\s?]")
_AWB = re.compile(r"^(\d{3})[- ]?(\d{8})$")
_EXTRA = "Extra content at the end of the document"
_RAW_LIMIT = 200_000
_MARKER = re.compile(rb"NNNN|[\x03\x04\x1a]+")
"""Transport end-of-message markers a feed leaves after a document: Type-B ``NNNN``, ETX,
EOT, DOS end-of-file [I]: they carry no data, so dropping them loses nothing."""
_SPACE = re.compile(rb"\s*")
_NEXT_LINE_TAG = re.compile(rb"\n[ \t\r]*<")
_WIDE_OR_UTF8 = ("utf-8", "utf8", "utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2",
                 "utf-16le", "utf-16be", "iso-10646-ucs-2")


class _Part(NamedTuple):
    """Bytes of the file still to read: a whole chunk, or what follows a root element."""

    data: bytes
    line_offset: int  # lines of the file before the first byte
    column: int = 1  # 1-based column of the first byte in its line of the file
    encoding: str | None = None  # 8-bit encoding declared by the document before it [I]
    head: bytes = b""  # the document before it, as parsed (its text for the rejects)


_Parsed = tuple[Any, list[Diagnostic], _Part | None]


def read_cargoxml(data: bytes, *, file: str = "",
                  max_bytes: int = DEFAULT_MAX_XML_BYTES) -> list[SourceMessage]:
    """Every Cargo-XML document in ``data`` as a :class:`SourceMessage`.

    Bad data never raises: a document that cannot be used still gives one message with its
    diagnostics (CXM0xx, XML001, SRC002), so the batch accounting stays exact.
    The cyclic garbage collector is paused while a file is read (as the Cargo-IMP reader
    does): source trees hold no reference cycles, and its passes cost more than the walk.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        out: list[SourceMessage] = []
        for chunk, line_offset in _documents(data):
            part: _Part | None = _Part(chunk, line_offset)
            while part is not None:
                tail = _read_part(part, file, max_bytes, out)
                part = None if tail is None else _after_root(tail, file, out)
        return out
    finally:
        if paused:
            gc.enable()


def _read_part(part: _Part, file: str, max_bytes: int, out: list[SourceMessage]) -> _Part | None:
    """Append the message(s) of the document at the start of ``part``; what follows its root."""
    index = len(out)
    chunk = part.data
    if part.encoding is not None:  # a document without declaration after one that had it [I]
        chunk = f'<?xml version="1.0" encoding="{part.encoding}"?>'.encode("ascii") + chunk
    try:
        msgs, tail = _read_one(chunk, file, index, part.line_offset, max_bytes)
    except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
        pos = SourcePos(file=file, message=index, line=part.line_offset + 1)
        msgs, tail = [_reject(chunk, file, index, part.line_offset,
                              [diag("RUN001", source=pos, found=repr(exc))])], None
    out.extend(msgs)
    return tail


def _where(part: _Part, pos: int) -> tuple[int, int]:
    """(line, column) in the file of byte ``pos`` of ``part``."""
    line = part.line_offset + 1 + part.data.count(b"\n", 0, pos)
    nl = part.data.rfind(b"\n", 0, pos)
    return line, (part.column + pos if nl < 0 else pos - nl)


def _skip_space_and_comments(data: bytes, pos: int) -> int:
    while True:
        m = _SPACE.match(data, pos)
        pos = m.end() if m is not None else pos
        if not data.startswith(b"<!--", pos):
            return pos
        end = data.find(b"-->", pos + 4)
        if end < 0:
            return pos  # an unterminated comment: read as the next document (CXM001)
        pos = end + 3


def _after_root(tail: _Part, file: str, out: list[SourceMessage]) -> _Part | None:
    """What follows a root element: the next document (returned, to be read), transport
    markers (CXM011 on the message before) or text that is not a document, kept as a
    rejected message (CXM014) so that nothing of the file is lost."""
    data = tail.data
    pos = _skip_space_and_comments(data, 0)
    marker: int | None = None
    while (m := _MARKER.match(data, pos)) is not None:
        marker = pos if marker is None else marker
        pos = _skip_space_and_comments(data, m.end())
    if marker is not None:
        line, column = _where(tail, marker)
        prev = out[-1]
        prev.diagnostics.append(diag(
            "CXM011", source=SourcePos(file=file, message=prev.index, line=line, column=column),
            expected="end of file or the next document after the root element",
            found=repr(data[marker:marker + 40].decode("utf-8", "replace"))))
    while pos < len(data):
        line, column = _where(tail, pos)
        if data.startswith(b"<", pos):
            return _Part(data[pos:], line - 1, column, tail.encoding)  # head: unused
        # text up to the next line that starts with a tag: the next document may follow [I]
        nxt = _NEXT_LINE_TAG.search(data, pos)
        end = len(data) if nxt is None else nxt.start() + 1
        junk = data[pos:end]
        index = len(out)
        out.append(_reject(junk, file, index, line - 1, [diag(
            "CXM014", f"{len(junk)} bytes after the end of a document are not a Cargo-XML "
            "document; kept as a message of their own",
            source=SourcePos(file=file, message=index, line=line, column=column),
            expected="end of file or the next document ('<' of its root element)",
            found=repr(junk[:40].decode("utf-8", "replace")))]))
        pos = _skip_space_and_comments(data, end)
    return None


def _documents(data: bytes) -> list[tuple[bytes, int]]:
    starts = [m.start() for m in _DECL.finditer(data)]
    if len(starts) < 2:
        return [(data, 0)]
    cuts = [0, *starts[1:]]
    out = []
    lines = 0
    for a, b in zip(cuts, [*cuts[1:], len(data)], strict=True):
        chunk = data[a:b]
        out.append((chunk, lines))
        lines += chunk.count(b"\n")
    return out


def _shift(diags: list[Diagnostic], lines: int) -> list[Diagnostic]:
    if not lines:
        return diags
    return [replace(d, source=replace(d.source, line=d.source.line + lines))
            if d.source is not None and d.source.line is not None else d for d in diags]


def _parse(chunk: bytes, file: str, index: int, line_offset: int, max_bytes: int) -> _Parsed:
    """(tree or None, diagnostics, the bytes after the root element when there are any)."""
    tree, diags, tail = _parse_recoding(chunk, file, index, line_offset, max_bytes)
    if tree is not None or not diags or _EXTRA not in diags[-1].message:
        return tree, diags, tail
    # the trailing-noise path below works on the same bytes the parser saw
    return _parse_plain(chunk, file, index, line_offset, max_bytes)


def _parse_recoding(chunk: bytes, file: str, index: int, line_offset: int,
                    max_bytes: int) -> _Parsed:
    """Parse; on a declared encoding the bytes contradict (``encoding="utf-16"`` on UTF-8
    bytes, Windows-1252 names under UTF-8) parse the repaired bytes with a CXM012 warning."""
    relabelled = relabel_wide_utf8(chunk)
    if relabelled is not None:
        fixed, label = relabelled
        tree, diags, tail = _parse_plain(fixed, file, index, line_offset, max_bytes)
        warn = diag("CXM012", f"document declares encoding {label!r} but its bytes are "
                    "UTF-8 (no byte-order mark, no NUL bytes); read as UTF-8",
                    source=SourcePos(file=file, message=index, line=line_offset + 1,
                                     xpath="/processing-instruction('xml')"),
                    expected=f"{label} bytes", found="UTF-8 bytes")
        return tree, [warn, *diags], tail
    tree, diags, tail = _parse_plain(chunk, file, index, line_offset, max_bytes)
    if tree is not None or not diags or BAD_BYTES not in diags[0].message:
        return tree, diags, tail
    recoded = recode_cp1252(chunk)
    if recoded is None:
        return tree, diags, None
    tree2, diags2, tail2 = _parse_plain(recoded, file, index, line_offset, max_bytes)
    if tree2 is None:
        return tree, diags, None
    src = diags[0].source
    warn = diag("CXM012", "bytes that are not UTF-8 read as Windows-1252 (names and "
                "addresses may need checking)",
                source=SourcePos(file=file, message=index,
                                 line=src.line if src is not None else None,
                                 column=src.column if src is not None else None),
                expected=f"{declared_encoding(chunk) or 'UTF-8 (the default)'} as declared",
                found="Windows-1252 bytes")
    return tree2, [warn, *diags2], tail2


def _parse_plain(chunk: bytes, file: str, index: int, line_offset: int,
                 max_bytes: int) -> _Parsed:
    tree, diags = parse_xml_safely(chunk, file=file, what="Cargo-XML document",
                                   max_bytes=max_bytes, malformed_code="CXM001", message=index)
    if tree is None and diags and _EXTRA in diags[0].message and diags[0].source is not None:
        # Text after the root (a second root without a declaration, ``NNNN``...): parse the
        # first document alone and hand the rest back to be read (``_after_root``).
        src = diags[0].source
        cut = _offset(chunk, src.line or 1, src.column or 1)
        first, _again = parse_xml_safely(chunk[:cut], file=file, what="Cargo-XML document",
                                        max_bytes=max_bytes, malformed_code="CXM001",
                                        message=index)
        if first is not None:
            enc = declared_encoding(chunk)
            carry = None if enc is None or enc.lower() in _WIDE_OR_UTF8 else enc
            return first, [], _Part(chunk[cut:], line_offset + chunk.count(b"\n", 0, cut),
                                    src.column or 1, carry, chunk[:cut])
    return tree, _shift(diags, line_offset), None


def _offset(chunk: bytes, line: int, column: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nxt = chunk.find(b"\n", pos)
        if nxt < 0:
            return len(chunk)
        pos = nxt + 1
    return min(len(chunk), pos + max(column - 1, 0))


def _raw(chunk: bytes, encoding: str | None = None) -> str:
    """The document as text for the rejects folder, in its declared encoding when known."""
    try:
        return chunk[:_RAW_LIMIT].decode(encoding or "utf-8", "replace")
    except LookupError:  # an encoding name Python does not know
        return chunk[:_RAW_LIMIT].decode("utf-8", "replace")


def _reject(chunk: bytes, file: str, index: int, line_offset: int, diags: list[Diagnostic],
            kind: str = "", version: str = "", raw: str | None = None) -> SourceMessage:
    pos = SourcePos(file=file, message=index, line=line_offset + 1)
    return SourceMessage(format=FORMAT, kind=kind, version=version, file=file, index=index,
                         first_line=line_offset + 1, raw=_raw(chunk) if raw is None else raw,
                         root=SourceNode(kind or "document", pos), diagnostics=diags,
                         is_ens_input=False)


_ENVELOPE_DEPTH = 6


def _enveloped(root: Any) -> list[tuple[Any, str, str]]:
    """Every Cargo-XML root element in an ``iata:`` namespace inside a transport envelope
    (SOAP ``Envelope/Body``, a middleware ``Message/Payload``...), at most a few levels down,
    in document order: ``(element, local name, xpath)`` [I: such wrappers are common in
    airline/CCS web-service feeds, and a batch call may carry several documents]. The xpath
    gets a ``[n]`` step where siblings share the name."""
    found: list[tuple[Any, str, str]] = []

    def visit(el: Any, path: str, depth: int) -> None:
        kids = [c for c in el if c.tag.__class__ is str]
        names = [split_tag(c.tag) for c in kids]
        counts: dict[str, int] = {}
        for _ns, local in names:
            counts[local] = counts.get(local, 0) + 1
        seen: dict[str, int] = {}
        for child, (ns, local) in zip(kids, names, strict=True):
            seen[local] = seen.get(local, 0) + 1
            step = f"{local}[{seen[local]}]" if counts[local] > 1 else local
            cpath = f"{path}/{step}"
            if local in BY_ROOT and IATA_NS.match(ns):
                found.append((child, local, cpath))
            elif depth + 1 < _ENVELOPE_DEPTH:
                visit(child, cpath, depth + 1)

    visit(root, "/" + split_tag(root.tag)[1], 0)
    return found


def _kind_of(ns: str, local: str) -> tuple[MessageKind | None, list[Diagnostic], bool]:
    """(message kind, diagnostics, usable) from the root element's namespace and name."""
    mk = BY_ROOT.get(local)
    m = IATA_NS.match(ns)
    if mk is None:
        return None, [], False
    if ns == mk.namespace:
        return mk, [], True
    expected = mk.namespace
    if ns == "":
        return mk, [diag("CXM003", f"root element {local} has no namespace; read as {mk.kind}",
                         expected=expected, found="no namespace")], True
    if m is not None and m.group(1) == "datamodel":
        # [V-W] a public XFHL feed writes <HouseManifest xmlns="iata:datamodel:3">
        return mk, [diag("CXM003", f"root element {local} is in the data-model namespace "
                         f"{ns!r}; read as {mk.kind}", expected=expected, found=ns)], True
    if m is None and "iata" in ns.lower():
        # an IATA-looking URI of another spelling (``urn:iata:waybill:1``) [I]
        return mk, [diag("CXM003", f"root namespace {ns!r} is not the Cargo-XML URI; read as "
                         f"{mk.kind}", expected=expected, found=ns)], True
    if m is not None and mk.namespace.startswith(f"iata:{m.group(1)}:"):
        return mk, [diag("CXM003", f"root namespace {ns!r} is of an unknown version; read as "
                         f"{mk.kind} {expected}", expected=expected, found=ns)], True
    return mk, [diag("CXM002", f"root element {local} is in namespace {ns!r}, not the "
                     f"Cargo-XML {mk.kind} namespace", expected=expected, found=ns)], False


def _read_one(chunk: bytes, file: str, index: int, line_offset: int,
              max_bytes: int) -> tuple[list[SourceMessage], _Part | None]:
    """The message(s) of the document at the start of ``chunk`` (several when an envelope
    holds several Cargo-XML roots: indexes ``index``, ``index + 1``...) and the bytes after
    its root element, if any."""
    tree, diags, tail = _parse(chunk, file, index, line_offset, max_bytes)
    if tree is None:
        return [_reject(chunk, file, index, line_offset, diags)], None
    top = tree.getroot()
    envelope = split_tag(top.tag)[1]
    raw = _raw(chunk if tail is None else tail.head, tree.docinfo.encoding)
    inner = [] if envelope in BY_ROOT else _enveloped(top)
    if not inner:
        return [_message(top, chunk, raw, file, index, line_offset, diags)], tail
    msgs = []
    for n, (el, local, xpath) in enumerate(inner):
        i = index + n
        own = [replace(d, source=replace(d.source, message=i)) if d.source is not None else d
               for d in diags]  # parse warnings (CXM012) hold for every message of the file
        line = (el.sourceline or 1) + line_offset
        own.append(diag("CXM013", f"{local} found inside {envelope}; read from there",
                        source=SourcePos(file=file, message=i, line=line, xpath=xpath),
                        expected="a Cargo-XML root element", found=envelope))
        if len(inner) == 1:
            msgs.append(_message(el, chunk, raw, file, i, line_offset, own))
        else:  # each message keeps its own text for the rejects, not its neighbours' [I]
            text = etree.tostring(el, encoding="unicode", with_tail=False)[:_RAW_LIMIT]
            msgs.append(_message(el, chunk, text, file, i, line_offset, own,
                                 first_line=line))
    return msgs, tail


def _message(el: Any, chunk: bytes, raw: str, file: str, index: int, line_offset: int,
             diags: list[Diagnostic], first_line: int | None = None) -> SourceMessage:
    """One Cargo-XML root element as a message (or a reject with its diagnostics)."""
    ns, local = split_tag(el.tag)
    start = line_offset if first_line is None else first_line - 1
    root_pos = SourcePos(file=file, message=index, line=(el.sourceline or 1) + line_offset,
                         xpath=f"/{local}")
    mk, kdiags, usable = _kind_of(ns, local)
    for d in kdiags:
        diags.append(replace(d, source=root_pos))
    if mk is None:
        if IATA_NS.match(ns) and ns != DATAMODEL_NS:
            diags.append(diag("CXM004", f"Cargo-XML message {local} ({ns}) is not an ENS input",
                              source=root_pos, found=f"{{{ns}}}{local}",
                              expected=", ".join(k.root for k in KINDS if k.ens_input)))
            return _reject(chunk, file, index, start, diags, kind=local, raw=raw)
        diags.append(diag("CXM002", source=root_pos, found=f"{{{ns}}}{local}" if ns else local,
                          expected="Waybill, HouseWaybill, HouseManifest or FlightManifest "
                          "in an iata: namespace"))
        return _reject(chunk, file, index, start, diags, raw=raw)
    if not usable:
        return _reject(chunk, file, index, start, diags, raw=raw)
    if not mk.ens_input:
        diags.append(diag("CXM004", f"{mk.kind} ({mk.root}) is not an ENS input",
                          source=root_pos, found=mk.kind,
                          expected=", ".join(k.kind for k in KINDS if k.ens_input)))
        return _reject(chunk, file, index, start, diags, kind=mk.kind, raw=raw)

    root = SourceNode(mk.kind, root_pos)
    ctx = WalkContext(file=file, index=index, line_offset=line_offset, root_ns=ns)
    walk(el, root, MESSAGE, f"/{local}", ctx)
    diags.extend(ctx.diagnostics())
    version = _check_header(root, mk, root_pos, diags)
    key = _key(root, mk, root_pos, diags)
    return SourceMessage(format=FORMAT, kind=mk.kind, version=version, file=file, index=index,
                         first_line=start + 1, raw=raw, root=root, diagnostics=diags, key=key)


def _check_header(root: SourceNode, mk: MessageKind, root_pos: SourcePos,
                  diags: list[Diagnostic]) -> str:
    header = root.child("header")
    if header is None:
        diags.append(diag("CXM006", "MessageHeaderDocument missing: version unknown",
                          source=root_pos, expected="MessageHeaderDocument/VersionID",
                          found="nothing"))
        return ""
    version = header.fields.get("version")
    if version is None:
        diags.append(diag("CXM006", source=header.pos, expected="VersionID 3.00 or later",
                          found="nothing"))
    else:
        try:
            too_old = float(version.text) < 3
        except ValueError:
            too_old = True
        if too_old:
            diags.append(diag("CXM006", f"VersionID {version.text!r} is not 3.00 or later",
                              source=version.pos, expected="3.00 or later", found=version.text))
    code = header.fields.get("type_code")
    if code is not None and mk.type_codes and code.text not in mk.type_codes:
        other = [k.kind for k in KINDS if code.text in k.type_codes]
        # an error only where both codes are seen in instances (XFWB 740/741, XFZB 703);
        # the XFHL/XFFM codes are inferred, so a disagreement there is only a warning [I]
        sev = Severity.ERROR if mk.codes_verified and any(
            k.codes_verified for k in KINDS if k.kind in other) else Severity.WARNING
        diags.append(diag("CXM005", f"TypeCode {code.text} does not fit {mk.root} ({mk.kind})"
                          + (f"; it is the code of {'/'.join(other)}" if other else ""),
                          severity=sev, source=code.pos, found=code.text,
                          expected=" or ".join(sorted(mk.type_codes))))
    return "" if version is None else version.text


def _awb_field(root: SourceNode, kind: str) -> SourceField | None:
    """The master AWB: the candidates of the message kind in order; the first that has the
    AWB form wins, else the first present (producers differ on where they put it) [I]."""
    cons = root.child("consignment")
    business = root.child("business")
    candidates = [cons.fields.get("awb") if cons is not None else None]
    if kind == "XFWB":
        candidates.insert(0, business.fields.get("id") if business is not None else None)
    if cons is not None:
        candidates.append(cons.fields.get("id"))  # some senders: MasterConsignment/ID [I]
    present = [c for c in candidates if c is not None]
    for c in present:
        if _AWB.match(c.text):
            return c
    return present[0] if present and present[0] is not candidates[-1] else None


def _key(root: SourceNode, mk: MessageKind, root_pos: SourcePos,
         diags: list[Diagnostic]) -> str:
    if mk.kind == "XFFM":
        return _flight_key(root, root_pos, diags)
    cons = root.child("consignment")
    if cons is None:
        diags.append(diag("CXM010", "MasterConsignment missing", source=root_pos,
                          expected="MasterConsignment", found="nothing"))
    elif mk.kind in ("XFZB", "XFHL") and not cons.all("house"):
        diags.append(diag("CXM010", f"{mk.kind} has no IncludedHouseConsignment",
                          source=cons.pos, expected="IncludedHouseConsignment",
                          found="nothing"))
    awb = _awb_field(root, mk.kind)
    if awb is None:
        where = ("BusinessHeaderDocument/ID" if mk.kind == "XFWB"
                 else "MasterConsignment/TransportContractDocument/ID")
        diags.append(diag("CXM007", source=cons.pos if cons is not None else root_pos,
                          expected=where, found="nothing"))
        return ""
    root.fields["awb"] = awb
    m = _AWB.match(awb.text)
    if m is None:
        diags.append(diag("CXM008", f"AWB number {awb.text!r} is not ppp-ssssssss",
                          source=awb.pos, expected="3-digit prefix, 8-digit serial",
                          found=awb.text))
        return awb.text
    serial = m.group(2)
    key = f"{m.group(1)}-{serial}"
    if awb.text != key:  # ``04733106721``, ``047 33106721``: one spelling for the filing [I]
        root.fields["awb"] = SourceField(key, awb.pos)
    if int(serial[:7]) % 7 != int(serial[7]):
        diags.append(diag("CXM008", f"AWB serial {serial} fails the modulus-7 check digit",
                          source=awb.pos, expected=str(int(serial[:7]) % 7),
                          found=serial[7]))
    return key


def _flight_key(root: SourceNode, root_pos: SourcePos, diags: list[Diagnostic]) -> str:
    flight = root.child("flight")
    number = flight.fields.get("flight") if flight is not None else None
    if flight is None or number is None:
        diags.append(diag("CXM010", "flight number missing",
                          source=flight.pos if flight is not None else root_pos,
                          expected="LogisticsTransportMovement/ID", found="nothing"))
        return ""
    when = flight.value("departure_time") or flight.value("departure_scheduled") or ""
    return f"{number.text}/{when[:10]}/{flight.value('departure_airport') or ''}"


