"""From bytes to the lines of each message: decoding, control characters, Type-B envelopes
and other transport noise (README 1.1, 1.7), and where one message ends and the next begins.

Line numbers are counted in the file after CR/LF/CRLF normalisation; control characters are
removed before columns are counted (a column is a position in the cleaned line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...diagnostics import Diagnostic, SourcePos, diag
from ._parser import IDENT, Segment
from ._types import MESSAGE_TYPES

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FRAMING = frozenset("\x01\x02\x03")  # SOH, STX, ETX: Type-B framing, expected noise
# Priority codes seen: QK, QD, QU, QP, QX [V-S]; the full list is [I] (README 1.7).
_PRIORITY = re.compile(r"(?:QK|QD|QU|QP|QX|QS|QC|SS|DD|FF|GG|KK)(?:[ ]+[A-Z0-9]{7})+[ ]*\Z")
_ORIGIN = re.compile(r"\.[A-Z0-9]{7}(?:[ ]+\d{6}(?:[ ].*)?)?[ ]*\Z")
_TERMINATOR = re.compile(r"(?:=+|NNNN)[ ]*\Z")
_PDM = re.compile(r"PDM[ ]*\Z")
_EDIFACT = re.compile(r"UN[ABZ][+:]")  # EDIFACT UNA/UNB/UNZ wrapper lines [V-M]; split is [I]
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
    blank_before: bool = False
    trailing: list[str] = field(default_factory=list)


def _pos(file: str, index: int, line: int, col: int | None = 1) -> SourcePos:
    return SourcePos(file=file, message=index, line=line, column=col)


def split_messages(data: bytes, file: str) -> list[Segment]:
    """Every message of the file as a :class:`Segment`, envelopes stripped and kept."""
    text, latin1 = decode(data)
    lines = split_lines(text)
    has_controls = _CONTROLS.search(text) is not None
    out: list[Segment] = []
    cur: _Building | None = None
    env: list[str] = []
    env_diags: list[tuple[str, int, int | None, str]] = []  # (code, line, col, found)
    blank = False

    def finish() -> None:
        nonlocal cur
        if cur is None:
            return
        while cur.lines and not cur.lines[-1].strip():
            cur.lines.pop()
        index = len(out)
        pre = [_with_index(d, index) for d in cur.pre]
        if cur.envelope:
            pre.append(diag("IMP021", source=_pos(file, index, cur.first_line, None),
                            found=" | ".join(cur.envelope)))
        if latin1 and not all(line.isascii() for line in cur.lines):
            pre.append(diag("SRC004", source=_pos(file, index, cur.first_line, None)))
        out.append(Segment(file=file, index=index, first_line=cur.first_line,
                           lines=tuple(cur.lines), envelope=tuple(cur.envelope),
                           pre=tuple(pre)))
        cur = None

    for no, line in enumerate(lines, 1):
        if has_controls and _CONTROLS.search(line):
            removed = _CONTROLS.findall(line)
            code = "IMP021" if all(c in _FRAMING for c in removed) else "SRC005"
            env_diags.append((code, no, _CONTROLS.search(line).start() + 1,  # type: ignore[union-attr]
                              repr("".join(removed))))
            line = _CONTROLS.sub("", line)
        if not line or line.isspace():
            blank = True
            if cur is not None:
                cur.lines.append(line)
            continue
        if (_PRIORITY.match(line) or _ORIGIN.match(line) or _TERMINATOR.match(line)
                or _PDM.match(line) or _EDIFACT.match(line)):
            is_header = not _TERMINATOR.match(line)
            if cur is not None and not is_header:
                cur.envelope.append(line)  # trailing "=" / NNNN of the current message
                finish()
            else:
                finish()
                env.append(line)
                if _PDM.match(line):
                    env_diags.append(("IMP024", no, 1, line))
            blank = False
            continue
        m = IDENT.match(line)
        starts = cur is None
        if m is not None and cur is not None:
            kind = m.group(1) or m.group(3)
            starts = kind in MESSAGE_TYPES and (not cur.is_ack or blank)
        if starts:
            finish()
            kind = (m.group(1) or m.group(3)) if m else ""
            cur = _Building(first_line=no, lines=[], envelope=env, pre=[], is_ack=kind in _ACK_TYPES)
            env = []
        assert cur is not None
        if env_diags:
            for code, at, col, found in env_diags:
                cur.pre.append(diag(code, source=_pos(file, -1, at, col), found=found))
            env_diags = []
        if cur.lines or no == cur.first_line:
            cur.lines.extend([""] * (no - cur.first_line - len(cur.lines)))
        cur.lines.append(line)
        blank = False
    finish()
    if env or env_diags:
        if out and not any(_PRIORITY.match(e) or _ORIGIN.match(e) for e in env):
            last = out[-1]
            extra = tuple(diag(c, source=_pos(file, last.index, at, col), found=found)
                          for c, at, col, found in env_diags)
            out[-1] = Segment(file=file, index=last.index, first_line=last.first_line,
                              lines=last.lines, envelope=last.envelope + tuple(env),
                              pre=last.pre + extra)
        else:
            index = len(out)
            first = len(lines)
            pre = tuple(diag(c, source=_pos(file, index, at, col), found=found)
                        for c, at, col, found in env_diags)
            out.append(Segment(file=file, index=index, first_line=first, lines=(),
                               envelope=tuple(env), pre=pre))
    if not out:
        out.append(Segment(file=file, index=0, first_line=1, lines=()))
    return out


def _with_index(d: Diagnostic, index: int) -> Diagnostic:
    src = d.source
    if src is None or src.message == index:
        return d
    return diag(d.code, d.message, source=SourcePos(file=src.file, message=index, line=src.line,
                column=src.column), found=d.found)
