"""Interchange envelope: UNB/UNG/UNH ... UNT/UNE/UNZ, with every control count checked.

The lexer's segments are cut into messages (``UNH`` ... ``UNT``). Counts and references are
compared and mismatches reported, never silently fixed: a wrong ``UNT`` count rejects its
message (segments may be lost), a wrong ``UNZ``/``UNE`` count is a warning on every message of
the interchange (each message is still complete by its own ``UNT``) [I].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...diagnostics import Diagnostic, Severity, SourcePos, diag
from ._lexer import Segment


@dataclass(slots=True, kw_only=True)
class Interchange:
    """What the UNB said (for the source tree's ``interchange`` record)."""

    syntax: str = ""
    syntax_version: str = ""
    sender: str = ""
    recipient: str = ""
    date: str = ""
    time: str = ""
    control: str = ""
    unb: Segment | None = None


@dataclass(slots=True, kw_only=True)
class RawMessage:
    """One ``UNH`` ... ``UNT`` unit (or a fragment of one, with its diagnostics)."""

    index: int  # 0-based in the file
    segments: list[Segment]
    interchange: Interchange
    group: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: int = 0  # segments counted but not kept (``EnvelopeWalker(keep=False)``)

    @property
    def header(self) -> Segment:
        return self.segments[0]

    @property
    def kind(self) -> str:
        return self.header.get(1, 0) if self.header.tag == "UNH" else ""

    @property
    def version(self) -> str:
        h = self.header
        if h.tag != "UNH":
            return ""
        v, r = h.get(1, 1), h.get(1, 2)
        return f"{v}:{r}" if r else v


_SERVICE = frozenset(["UNH", "UNT", "UNZ", "UNE", "UNG", "UNB"])


def seg_pos(file: str, message: int | None, seg: Segment) -> SourcePos:
    return SourcePos(file=file, message=message, line=seg.line, column=seg.column,
                     segment=seg.number, offset=seg.offset)


def _int(text: str) -> int | None:
    # isascii: str.isdigit() also accepts '²' and other digits int() refuses; counts and
    # references are n..6 / an..14: a longer run of digits is no count (int() refuses more
    # than 4,300 digits, and converting fewer is quadratic)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class EnvelopeWalker:
    """Feed segments in order; collect messages and interchange-level diagnostics."""

    def __init__(self, file: str, *, index_offset: int = 0, keep: bool = True) -> None:
        self.file = file
        self.keep = keep  # False: keep only UNH and UNT of each message (counting runs)
        self.messages: list[RawMessage] = []
        self.orphans: list[Diagnostic] = []  # problems with no message to carry them
        self.strays: list[list[Segment]] = []  # runs of data segments outside any message
        self.index = index_offset
        self.ich = Interchange()
        self.ich_msgs: list[RawMessage] = []
        self.groups = 0
        self.group_ref = ""
        self.group_msgs = 0
        self.group_seg: Segment | None = None
        self.current: RawMessage | None = None
        self.in_interchange = False

    def _pos(self, seg: Segment, msg: RawMessage | None = None) -> SourcePos:
        return seg_pos(self.file, None if msg is None else msg.index, seg)

    def feed(self, segments: Iterable[Segment]) -> None:
        service = _SERVICE
        cur = self.current
        append = None if cur is None else cur.segments.append
        for seg in segments:
            tag = seg.tag
            if append is not None and tag not in service:
                append(seg)  # the fast path: a segment inside an open message
                continue
            self._service(seg, tag)
            cur = self.current
            append = None if cur is None else cur.segments.append

    def feed_blocks(self, blocks: Iterable[tuple[list[Segment], list[int]]]) -> None:
        """As :meth:`feed`, for the lexer's blocks: the segments between service segments
        go to their message in bulk."""
        service = self._service
        for segs, marks in blocks:
            a = 0
            for m in marks:
                if m > a:
                    self._bulk(segs, a, m)
                seg = segs[m]
                service(seg, seg.tag)
                a = m + 1
            if a < len(segs):
                self._bulk(segs, a, len(segs))

    def _bulk(self, segs: list[Segment], a: int, b: int) -> None:
        cur = self.current
        if cur is None:
            for seg in segs[a:b]:
                self._service(seg, seg.tag)
        elif self.keep:
            cur.segments.extend(segs[a:b])
        else:
            cur.skipped += b - a

    def _service(self, seg: Segment, tag: str) -> None:
        """A service segment, or any segment while no message is open."""
        cur = self.current
        if tag == "UNH":
            if cur is not None:
                self._truncated(cur, seg, "UNT")
            self.current = RawMessage(index=self.index, segments=[seg],
                                      interchange=self.ich, group=self.group_ref)
            self.index += 1
        elif tag == "UNT":
            if cur is None:
                self.orphans.append(diag("EDI015", "UNT without a message header (UNH)",
                                         source=self._pos(seg), found="UNT"))
                return
            cur.segments.append(seg)
            self._close(cur, seg)
        elif tag == "UNB":
            if cur is not None:
                self._truncated(cur, seg, "UNT")
            if self.in_interchange:
                self._end_interchange(None, seg)
            self._start_interchange(seg)
        elif tag == "UNG":
            if cur is not None:
                self._truncated(cur, seg, "UNT")
            self.group_seg, self.group_ref, self.group_msgs = seg, seg.get(4, 0), 0
            self.groups += 1
        elif tag == "UNE":
            if cur is not None:
                self._truncated(cur, seg, "UNT")
            self._end_group(seg)
        elif tag == "UNZ":
            if cur is not None:
                self._truncated(cur, seg, "UNT")
            if self.group_seg is not None:
                self._end_group(None)
            self._end_interchange(seg, seg)
        elif tag == "UNA":
            return  # a further interchange's service string advice (same delimiters)
        else:
            self.orphans.append(diag(
                "EDI015", f"segment {tag} outside a message (no UNH before it)",
                source=self._pos(seg), expected="UNH", found=tag))
            if self.strays and self.strays[-1][-1].number == seg.number - 1:
                self.strays[-1].append(seg)
            else:
                self.strays.append([seg])

    def finish(self, end_seg: Segment | None) -> None:
        """End of data: close what is still open (a truncated interchange)."""
        if self.current is not None:
            self._truncated(self.current, end_seg, "UNT")
        if self.group_seg is not None:
            self._end_group(None)
        if self.in_interchange:
            self._end_interchange(None, end_seg)

    # -- internals --------------------------------------------------------------------------
    def _start_interchange(self, seg: Segment) -> None:
        self.in_interchange = True
        self.ich = Interchange(syntax=seg.get(0, 0), syntax_version=seg.get(0, 1),
                               sender=seg.get(1, 0), recipient=seg.get(2, 0),
                               date=seg.get(3, 0), time=seg.get(3, 1), control=seg.get(4, 0),
                               unb=seg)
        self.ich_msgs = []
        self.groups = 0

    def _close(self, msg: RawMessage, unt: Segment) -> None:
        self.current = None
        self.messages.append(msg)
        self.ich_msgs.append(msg)
        self.group_msgs += 1
        declared = unt.get(0, 0)
        actual = len(msg.segments) + msg.skipped
        if not self.keep:
            del msg.segments[1:-1]
        if _int(declared) != actual:
            msg.diagnostics.append(diag(
                "EDI008", f"UNT says {declared or 'nothing'} segments, the message has {actual}"
                " (UNH to UNT inclusive)", source=self._pos(unt, msg), expected=str(actual),
                found=declared))
        ref = msg.header.get(0, 0)
        if unt.get(1, 0) != ref:
            msg.diagnostics.append(diag(
                "EDI009", "UNT message reference differs from UNH", source=self._pos(unt, msg),
                expected=ref, found=unt.get(1, 0)))

    def _truncated(self, msg: RawMessage, at: Segment | None, missing: str) -> None:
        self.current = None
        self.messages.append(msg)
        self.ich_msgs.append(msg)
        where = msg.segments[-1] if at is None else at
        msg.diagnostics.append(diag(
            "EDI005", f"message {msg.kind or '?'} {msg.header.get(0, 0)} has no {missing}: "
            + ("the data ends inside it" if at is None else f"{at.tag} follows instead"),
            source=self._pos(where, msg), expected=missing,
            found="end of data" if at is None else at.tag))

    def _end_group(self, une: Segment | None) -> None:
        ung = self.group_seg
        self.group_seg = None
        if ung is None:
            if une is not None:
                self.orphans.append(diag("EDI015", "UNE without a group header (UNG)",
                                         source=self._pos(une), found="UNE"))
            return
        msgs = [m for m in self.ich_msgs if m.group == self.group_ref]
        if une is None:
            self._warn_all(msgs, diag("EDI005", "functional group has no UNE",
                                      severity=Severity.WARNING, source=self._pos(ung),
                                      expected="UNE", found="end of group"))
        else:
            if _int(une.get(0, 0)) != self.group_msgs:
                self._warn_all(msgs, diag(
                    "EDI010", f"UNE says {une.get(0, 0)} messages, the group has "
                    f"{self.group_msgs}", source=self._pos(une), expected=str(self.group_msgs),
                    found=une.get(0, 0)))
            if une.get(1, 0) != self.group_ref:
                self._warn_all(msgs, diag(
                    "EDI009", "UNE group reference differs from UNG", severity=Severity.WARNING,
                    source=self._pos(une), expected=self.group_ref, found=une.get(1, 0)))
        self.group_ref = ""
        self.group_msgs = 0

    def _end_interchange(self, unz: Segment | None, at: Segment | None) -> None:
        self.in_interchange = False
        msgs = self.ich_msgs
        unb = self.ich.unb
        if unz is None:
            where = at or unb
            d = diag("EDI005", "interchange has no UNZ trailer: it may be truncated",
                     severity=Severity.WARNING,
                     source=None if where is None else self._pos(where), expected="UNZ",
                     found="end of data" if at is None or at.tag != "UNB" else "UNB")
            self._warn_all(msgs, d)
            return
        expected = self.groups if self.groups else len(msgs)
        what = "groups" if self.groups else "messages"
        if _int(unz.get(0, 0)) != expected:
            self._warn_all(msgs, diag(
                "EDI010", f"UNZ says {unz.get(0, 0)} {what}, the interchange has {expected}",
                source=self._pos(unz), expected=str(expected), found=unz.get(0, 0)))
        if unz.get(1, 0) != self.ich.control:
            self._warn_all(msgs, diag(
                "EDI009", "UNZ control reference differs from UNB", severity=Severity.WARNING,
                source=self._pos(unz), expected=self.ich.control, found=unz.get(1, 0)))

    def _warn_all(self, msgs: list[RawMessage], d: Diagnostic) -> None:
        if not msgs:
            self.orphans.append(d)
        for m in msgs:
            m.diagnostics.append(d)
