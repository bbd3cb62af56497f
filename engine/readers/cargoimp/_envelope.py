"""From bytes to the lines of each message: decoding, control characters, Type-B envelopes
and other transport noise (README 1.1, 1.7), and where one message ends and the next begins.

Line numbers are counted in the file after CR/LF/CRLF normalisation; control characters are
removed before columns are counted (a column is a position in the cleaned line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...diagnostics import Diagnostic, SourcePos, diag
from ._parser import BARE_IDENTS, IDENT, Segment
from ._types import MESSAGE_TYPES

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FRAMING = frozenset("\x01\x02\x03")  # SOH, STX, ETX: Type-B framing, expected noise
# Priority codes seen: QK, QD, QU, QP, QX [V-S]; the full list is [I] (README 1.7).
_PRIORITY = re.compile(r"(?:QK|QD|QU|QP|QX|QS|QC|SS|DD|FF|GG|KK)(?:[ ]+[A-Z0-9]{7})+[ ]*\Z")
# Origin line: "." + originator address, then the day/time group, which may be followed by a
# message identity after a blank or a slash (".FRAFFLH 181342/LH8402") [V-S]: one line.
_ORIGIN = re.compile(r"\.[A-Z0-9]{7}(?:[ ]+\d{6}(?:[ /].*)?)?[ ]*\Z")
_TERMINATOR = re.compile(r"(?:=+|NNNN)[ ]*\Z")
_PDM = re.compile(r"PDM[ ]*\Z")
_EDIFACT = re.compile(r"UN[ABZ][+:]")  # EDIFACT UNA/UNB/UNZ wrapper lines [V-M]; split is [I]
# One look-up per line: which kind of noise, if any (group name = kind).
_NOISE = re.compile(
    f"(?P<header>{_PRIORITY.pattern}|{_ORIGIN.pattern}|{_EDIFACT.pattern})"
    f"|(?P<terminator>{_TERMINATOR.pattern})|(?P<pdm>{_PDM.pattern})"
)
_ACK_TYPES = frozenset({"FNA", "FMA"})  # they echo other messages: no split inside them [I]


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 (BOM tolerated), else Latin-1; the flag says the fallback was used (SRC004)."""
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


def split_lines(text: str) -> list[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@dataclass(slots=True)
class _Building:
    first_line: int
    lines: list[str]
    envelope: list[str]
    pre: list[Diagnostic]
    is_ack: bool
    closed: bool = False  # a trailing "=" / NNNN was seen: only more noise may follow


def _pos(file: str, index: int, line: int, col: int | None = 1) -> SourcePos:
    return SourcePos(file=file, message=index, line=line, column=col)


def split_messages(data: bytes, file: str, *, line_offset: int = 0,
                   index_offset: int = 0) -> list[Segment]:
    """Every message of the file as a :class:`Segment`, envelopes stripped and kept.

    A message starts at a known identifier line (``FWB/17``), at any identifier-shaped line
    after a blank line, and at the first meaningful line of the file or after an envelope;
    inside an FNA/FMA (which echo other messages) only an envelope starts the next one.
    SOH/STX/ETX count as envelope (one IMP021 per message); other control characters are
    removed with SRC005.
    """
    text, latin1 = decode(data)
    lines = split_lines(text)
    has_controls = _CONTROLS.search(text) is not None
    out: list[Segment] = []
    cur: _Building | None = None
    env: list[str] = []
    pending: list[Diagnostic] = []  # diagnostics of noise lines, for the next message
    framing = False
    blank = False

    def finish(b: _Building | None) -> None:
        if b is None:
            return
        while b.lines and not b.lines[-1].strip():
            b.lines.pop()
        index = index_offset + len(out)
        pre = [_with_index(d, index) for d in b.pre]
        if b.envelope:
            pre.append(diag("IMP021", source=_pos(file, index, b.first_line, None),
                            found=" | ".join(b.envelope)))
        if latin1 and not all(line.isascii() for line in b.lines):
            pre.append(diag("SRC004", source=_pos(file, index, b.first_line, None)))
        out.append(Segment(file=file, index=index, first_line=b.first_line,
                           lines=tuple(b.lines), envelope=tuple(b.envelope), pre=tuple(pre)))

    for no, line in enumerate(lines, 1 + line_offset):
        if has_controls and _CONTROLS.search(line):
            removed = _CONTROLS.findall(line)
            if all(c in _FRAMING for c in removed):
                framing = True
            else:
                col = next(i for i, ch in enumerate(line, 1) if _CONTROLS.match(ch))
                d = diag("SRC005", source=_pos(file, -1, no, col), found=repr("".join(removed)))
                (cur.pre if cur is not None and not cur.closed else pending).append(d)
            line = _CONTROLS.sub("", line)
        if not line or line.isspace():
            blank = True
            if cur is not None and not cur.closed:
                cur.lines.append(line)
                if framing and "<SOH/STX/ETX>" not in cur.envelope:
                    cur.envelope.append("<SOH/STX/ETX>")
                framing = False
            continue
        noise = _NOISE.match(line)
        if noise is not None:
            if noise.lastgroup == "terminator" and cur is not None and not env:
                cur.envelope.append(line)  # "=" / NNNN closing the current message
                cur.closed = True
            else:
                finish(cur)
                cur = None
                env.append(line)
                if noise.lastgroup == "pdm":
                    pending.append(diag("IMP024", source=_pos(file, -1, no), found=line))
            blank = False
            continue
        m = IDENT.match(line) if line[3:4] == "/" or line[:3] in BARE_IDENTS else None
        if cur is None or cur.closed:
            starts = True
        elif m is None:
            starts = False
        else:
            known = (m.group(1) or m.group(3)) in MESSAGE_TYPES
            # FNA/FMA echo the message they answer: an echoed FWB must not become an ENS
            # input of its own, so only envelope noise ends them [I README 6].
            starts = not cur.is_ack and (blank or known)
        if starts:
            finish(cur)
            kind = (m.group(1) or m.group(3)) if m else ""
            if framing and "<SOH/STX/ETX>" not in env:
                env.append("<SOH/STX/ETX>")
            cur = _Building(first_line=no, lines=[], envelope=env, pre=pending,
                            is_ack=kind in _ACK_TYPES)
            env, pending, framing = [], [], False
        assert cur is not None
        if framing and "<SOH/STX/ETX>" not in cur.envelope:
            cur.envelope.append("<SOH/STX/ETX>")
        framing = False
        cur.lines.append(line)
        blank = False
    if framing and cur is not None and "<SOH/STX/ETX>" not in cur.envelope:
        cur.envelope.append("<SOH/STX/ETX>")
    finish(cur)
    if env or pending or not out:
        if out and not env:  # only diagnostics of trailing noise: they belong to the last one
            last = out[-1]
            out[-1] = Segment(file=file, index=last.index, first_line=last.first_line,
                              lines=last.lines, envelope=last.envelope,
                              pre=last.pre + tuple(_with_index(d, last.index) for d in pending))
        else:  # an envelope (or nothing at all) with no message after it: IMP018 later
            finish(_Building(first_line=len(lines) if env else 1, lines=[], envelope=env,
                             pre=pending, is_ack=False))
    return out


def _with_index(d: Diagnostic, index: int) -> Diagnostic:
    src = d.source
    if src is None or src.message == index:
        return d
    return diag(d.code, d.message, source=SourcePos(file=src.file, message=index, line=src.line,
                column=src.column), found=d.found)
