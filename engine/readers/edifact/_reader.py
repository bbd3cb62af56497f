"""The public entry point: an interchange's bytes to source messages with diagnostics.

One ``UNH`` ... ``UNT`` is one message in the batch accounting, whatever it holds (a CUSCAR
gives master, house and flight data through several mapping specs matching the same message).
Bad data never raises: each message carries its diagnostics (codes EDI0xx).
"""

from __future__ import annotations

import gc
import re
from itertools import pairwise

from ...diagnostics import Diagnostic, Severity, SourcePos, diag
from .._source import SourceMessage, SourceNode
from . import _layout as L
from ._envelope import EnvelopeWalker, RawMessage, seg_pos
from ._lexer import Lexer
from ._messages import shape_cuscar, shape_iftmin
from ._syntax import CODECS, DEFAULT, Delimiters, outside_repertoire, skip_preamble
from ._tree import Positions, build_tree

FORMAT = "edifact"
_VERSION = re.compile(r"^D:\d\d[AB]$")


def read_edifact(data: bytes, *, file: str = "", index_offset: int = 0) -> list[SourceMessage]:
    """Every ``UNH`` ... ``UNT`` message of the interchange(s) in ``data``.

    The garbage collector is paused while reading: source trees hold no reference cycles.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        switches = _una_switches(data)
        if not switches:
            return _read(data, file, index_offset)
        out: list[SourceMessage] = []
        bounds = [0, *switches, len(data)]
        for a, b in pairwise(bounds):
            # The interchanges before this one are blanked (line ends kept), so offsets,
            # lines and message numbers stay those of the whole file.
            out.extend(_read(data[:a].translate(_BLANK) + data[a:b], file,
                             index_offset + len(out)))
        return out
    finally:
        if paused:
            gc.enable()


_BLANK = bytes(0x0A if i == 0x0A else 0x20 for i in range(256))
_UNA = re.compile(rb"UNA(.{6})", re.S)


def _una_switches(data: bytes) -> list[int]:
    """Offsets of later interchanges whose ``UNA`` declares other service characters than the
    interchange before (files that concatenate several senders' interchanges). Each is then
    read on its own; a later UNA with the same characters needs no split. A candidate counts
    only where a segment may start: after the previous terminator and blanks, before ``UNB``."""
    base = skip_preamble(data)
    if b"UNA" not in data[base + 3:]:
        return []
    current = (data[base + 3:base + 9].decode("latin-1") if data.startswith(b"UNA", base)
               else DEFAULT.service)
    out: list[int] = []
    for m in _UNA.finditer(data, base + 3):
        six = m.group(1).decode("latin-1")
        if six == current:
            continue
        p = m.start()
        before = data[:p].rstrip(b" \t\r\n\x00\x1a")
        term = current[5].encode("latin-1")
        after = data[m.end():m.end() + 40].lstrip(b" \t\r\n")
        if before.endswith(term) and after.startswith(b"UNB" + six[1].encode("latin-1")):
            out.append(p)
            current = six
    return out


def _reject(file: str, code: str, message: str, raw: str, *, expected: str,
            found: str) -> SourceMessage:
    pos = SourcePos(file=file, message=0, line=1, column=1, offset=0)
    return SourceMessage(format=FORMAT, kind="", version="", file=file, index=0, first_line=1,
                         raw=raw, root=SourceNode("", pos), is_ens_input=False,
                         diagnostics=[diag(code, message, source=pos, expected=expected,
                                           found=found)])


def _decode(data: bytes, start: int, codec: str) -> tuple[str, list[int]]:
    """Decode ``data[start:]``; returns the text and the byte offsets of undecodable bytes
    (replaced by U+FFFD)."""
    bad: list[int] = []
    parts: list[str] = []
    i = start
    while True:
        try:
            parts.append(data[i:].decode(codec))
            break
        except UnicodeDecodeError as exc:
            parts.append(data[i:i + exc.start].decode(codec))
            bad.append(i + exc.start)
            parts.append("\ufffd")
            i += exc.end
            if len(bad) >= 100:
                parts.append(data[i:].decode(codec, errors="replace"))
                break
    return "".join(parts), bad


def _read(data: bytes, file: str, index_offset: int) -> list[SourceMessage]:
    base = skip_preamble(data)
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    head = data[base:base + 200].decode("latin-1")
    delims = DEFAULT
    after = base
    if head.startswith("UNA"):
        if len(head) < 9:
            return [_reject(file, "EDI001", "UNA service string advice is cut short", head,
                            expected="UNA + 6 service characters", found=head)]
        delims = Delimiters.from_una(head[3:9])
        after = base + 9
    rest = data[after:after + 200].decode("latin-1").lstrip(" \t\r\n")
    if not rest.startswith("UNB" + delims.element):
        return [_reject(file, "EDI001", "interchange header UNB missing", head[:200],
                        expected="UNB" + delims.element + "UNOC" + delims.component + "3...",
                        found=rest[:20])]
    syntax = rest[4:].split(delims.component, 1)[0].split(delims.element, 1)[0]
    codec = CODECS.get(syntax)
    pre: list[Diagnostic] = []
    unb_pos = SourcePos(file=file, line=1 + data[:after].count(b"\n"), offset=after)
    if codec is None:
        pre.append(diag("EDI002", f"syntax identifier {syntax!r} is not supported",
                        source=unb_pos, expected="UNOA..UNOK, UNOW, UNOY", found=syntax))
        codec = "latin_1"
    text, bad = _decode(data, bom, codec)
    bad_code = "EDI004"
    if bad and codec == "ascii":
        # Declared UNOA/UNOB but sent 8-bit text: read it as Latin-1 with a warning (common).
        text, _ = _decode(data, bom, "latin_1")
        bad_code = "EDI003"
    single = codec != "utf_8"
    lexer = Lexer(text, delims, start=after - bom, byte_base=bom, single_byte=single)
    walker = EnvelopeWalker(file, index_offset=index_offset)
    walker.feed_blocks(lexer.blocks())
    for p in lexer.problems:
        code = "EDI007" if p.kind == "release-at-end" else "EDI006"
        msg = ("a release character escapes the last terminator: the data ends inside a "
               "segment" if code == "EDI007" else "segment text after the last terminator")
        d = diag(code, msg, source=SourcePos(file=file, message=None if walker.current is None
                                             else walker.current.index, line=p.line,
                                             column=p.column, segment=p.index, offset=p.offset),
                 expected=f"segment ending with {delims.terminator!r}", found=p.text)
        if walker.current is not None:
            walker.current.diagnostics.append(d)
        else:
            walker.orphans.append(d)
    walker.finish(None)
    messages = walker.messages
    for off in bad[:1] if bad_code == "EDI003" else bad[:20]:
        owner = _message_at(messages, off)
        d = diag(bad_code, f"byte 0x{data[off]:02X} at offset {off} is not valid in {syntax}"
                 + (" (decoded as Latin-1)" if bad_code == "EDI003" else ""),
                 source=SourcePos(file=file, message=None if owner is None else owner.index,
                                  line=1 + data[:off].count(b"\n"), offset=off),
                 expected=f"{syntax} ({codec})", found=f"0x{data[off]:02X}")
        for m in (messages if bad_code == "EDI003" else [owner] if owner else []):
            m.diagnostics.append(d)
        if owner is None and bad_code == "EDI004":
            walker.orphans.append(d)
    if not messages:
        diags = pre + walker.orphans or [diag("EDI014", "interchange holds no message (UNH)",
                                              source=unb_pos, expected="UNH", found="none")]
        if not any(d.severity >= Severity.ERROR for d in diags):
            diags.append(diag("EDI014", "interchange holds no message (UNH)", source=unb_pos,
                              expected="UNH", found="none"))
        return [SourceMessage(format=FORMAT, kind="", version="", file=file,
                              index=index_offset, first_line=unb_pos.line or 1,
                              raw=text[:2000], root=SourceNode("", unb_pos),
                              is_ens_input=False, diagnostics=diags)]
    messages[0].diagnostics[:0] = walker.orphans
    out: list[SourceMessage] = []
    for raw in messages:
        raw.diagnostics[:0] = pre
        try:
            out.append(_message(raw, text, delims, file, single))
        except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
            pos = seg_pos(file, raw.index, raw.header)
            out.append(SourceMessage(
                format=FORMAT, kind=raw.kind, version=raw.version, file=file, index=raw.index,
                first_line=raw.header.line, raw=_raw_text(raw, text), is_ens_input=False,
                root=SourceNode("", pos), diagnostics=[*raw.diagnostics,
                                                        diag("RUN001", source=pos,
                                                             found=repr(exc))]))
    return out + _strays(walker, text, file)


def _message_at(messages: list[RawMessage], offset: int) -> RawMessage | None:
    for m in messages:
        if m.segments[0].offset <= offset <= m.segments[-1].offset + (
                m.segments[-1].end - m.segments[-1].start):
            return m
    return None


def _raw_text(raw: RawMessage, text: str) -> str:
    return text[raw.segments[0].start:raw.segments[-1].end + 1]


def _message(raw: RawMessage, text: str, delims: Delimiters, file: str,
             single: bool) -> SourceMessage:
    kind, version = raw.kind, raw.version
    diags = raw.diagnostics
    pos = Positions(text, delims, file, raw.index, single)
    unh = raw.header
    root = SourceNode(kind or "", pos.segment(unh))
    eps = pos.elements(unh)
    for name, e, c in (("reference", 0, 0), ("type", 1, 0), ("version", 1, 1),
                       ("release", 1, 2), ("agency", 1, 3)):
        if unh.get(e, c):
            root.set(name, unh.get(e, c), eps[e + 1].at(c))
    ich = raw.interchange
    if ich.unb is not None:
        rec = root.add(SourceNode("interchange", pos.segment(ich.unb)))
        ueps = pos.elements(ich.unb)
        for name, e, c in (("syntax", 0, 0), ("syntax_version", 0, 1), ("sender", 1, 0),
                           ("recipient", 2, 0), ("date", 3, 0), ("time", 3, 1),
                           ("control", 4, 0)):
            value = getattr(ich, name)
            if value:
                rec.set(name, value, ueps[e + 1].at(c))
        if raw.group:
            rec.set("group", raw.group, pos.segment(ich.unb))
        # The service characters a UNA declares are allowed whatever the repertoire [I].
        plain = str.maketrans({c: "+" for c in delims.service if c not in " \n\r"})
        bad = outside_repertoire(ich.syntax, _raw_text(raw, text).translate(plain))
        if bad is not None:
            at = raw.segments[0].start + bad.start()
            where = SourcePos(file=file, message=raw.index,
                              line=1 + text.count("\n", 0, at), offset=at)
            if ich.syntax == "UNOA" and bad.group().islower():
                diags.append(diag("EDI016", f"lower-case {bad.group()!r} in a UNOA "
                                  "interchange", source=where, expected="UNOA (upper case)",
                                  found=bad.group()))
            elif bad.group() != "�":
                diags.append(diag("EDI003", f"character {bad.group()!r} is outside the "
                                  f"{ich.syntax} repertoire", source=where,
                                  expected=f"{ich.syntax} repertoire", found=bad.group()))

    def made(kind: str, key: str = "", ens: bool = True) -> SourceMessage:
        return SourceMessage(format=FORMAT, kind=kind, version=version, file=file,
                             index=raw.index, first_line=unh.line, raw=_raw_text(raw, text),
                             root=root, diagnostics=diags, key=key, is_ens_input=ens)

    if kind not in L.MESSAGE_KINDS:
        if kind in L.NOT_ENS_KINDS:
            diags.append(diag("EDI012", f"{kind} is not an ENS input", source=root.pos,
                              found=kind))
            return made(kind, ens=False)
        diags.append(diag("EDI011", f"EDIFACT message type {kind or '?'!r} is not supported",
                          source=root.pos, expected=" or ".join(sorted(L.MESSAGE_KINDS)),
                          found=kind))
        return made("", ens=False)
    if not _VERSION.match(version):
        diags.append(diag("EDI013", f"{kind} version {version!r} not known; read as D:99B",
                          source=root.pos, expected="D:<yy><A|B>", found=version))
    body = raw.segments[1:-1] if raw.segments[-1].tag == "UNT" else raw.segments[1:]
    build_tree(kind, body, pos, root)
    if "bgm" not in root.children:
        diags.append(diag("EDI014", f"{kind} has no BGM segment", source=root.pos,
                          expected="BGM", found="none"))
    key = shape_cuscar(root, diags) if kind == "CUSCAR" else shape_iftmin(root, diags)
    return made(kind, key)


def _strays(walker: EnvelopeWalker, text: str, file: str) -> list[SourceMessage]:
    """Data segments outside any UNH..UNT (a lost or damaged message header) would otherwise
    vanish behind EDI015 warnings: each run of them becomes a rejected message of its own, with
    its text, so that an operator sees and can resend it."""
    out = []
    for n, run in enumerate(walker.strays):
        first, last = run[0], run[-1]
        pos = seg_pos(file, walker.index + n, first)
        tags = "+".join(dict.fromkeys(s.tag for s in run))
        out.append(SourceMessage(
            format=FORMAT, kind="", version="", file=file, index=walker.index + n,
            first_line=first.line, raw=text[first.start:last.end + 1], root=SourceNode("", pos),
            is_ens_input=False, diagnostics=[diag(
                "EDI018", f"{len(run)} segment(s) ({tags}) outside any message: the message "
                "header (UNH) before them is missing or damaged", source=pos,
                expected="UNH before the data segments", found=first.tag)]))
    return out
