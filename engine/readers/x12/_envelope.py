"""The X12 envelope: ISA/IEA interchanges, GS/GE groups and ST/SE transaction sets.

Each trailer's control count and number are checked against what was read. A problem is
recorded on the scope it spoils (interchange, group or transaction set) and every transaction
set inside that scope inherits it, as an X12 acknowledgement would reject the whole scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...diagnostics import Diagnostic, SourcePos, diag
from ._lexer import Delimiters, IsaProblem, Segment, Tail, lex, read_isa, valid_tag


@dataclass(slots=True)
class Scope:
    """A group or interchange: its header segment and the diagnostics on the whole scope."""

    head: Segment | None
    diags: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class TxSet:
    """One transaction set (ST..SE) with the scopes it sits in."""

    index: int  # 0-based among the transaction sets of the file
    segments: list[Segment]
    interchange: Scope
    group: Scope
    delims: Delimiters
    diags: list[Diagnostic] = field(default_factory=list)

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        return [*self.interchange.diags, *self.group.diags, *self.diags]


@dataclass(slots=True)
class Orphan:
    """An interchange (or stray data) that holds no transaction set but has something to say."""

    offset: int
    diags: list[Diagnostic]
    raw: str


def _el(seg: Segment, n: int) -> str:
    return seg.elements[n] if len(seg.elements) > n else ""


class _Walker:
    """State machine over the segments of one interchange."""

    def __init__(self, file: str, first_set: int, delims: Delimiters, isa: Segment) -> None:
        self.file = file
        self.next_set = first_set
        self.delims = delims
        self.ic = Scope(isa)
        self.group: Scope | None = None
        self.group_sets = 0
        self.groups = 0
        self.tx: TxSet | None = None
        self.sets: list[TxSet] = []
        self.closed = False

    def pos(self, seg: Segment | None, offset: int | None = None, *,
            message: int | None = None) -> SourcePos:
        return SourcePos(file=self.file, message=message,
                         segment=None if seg is None else seg.number,
                         offset=offset if offset is not None else
                         (None if seg is None else seg.offset))

    def scope_diags(self) -> list[Diagnostic]:
        if self.tx is not None:
            return self.tx.diags
        if self.group is not None:
            return self.group.diags
        return self.ic.diags

    def problem(self, code: str, message: str, seg: Segment, **kw: object) -> None:
        msg_no = None if self.tx is None else self.tx.index
        self.scope_diags().append(diag(code, message, source=self.pos(seg, message=msg_no),
                                       **kw))  # type: ignore[arg-type]

    def close_set(self, seg: Segment) -> None:
        tx = self.tx
        assert tx is not None
        st = tx.segments[0]
        tx.segments.append(seg)
        count = len(tx.segments)
        if _el(seg, 1) != str(count):
            self.problem("X12003", f"SE01 of transaction set {_el(st, 2)!r} counts "
                         f"{_el(seg, 1) or 'nothing'}, the set holds {count} segments "
                         "(ST to SE)", seg, expected=count, found=_el(seg, 1))
        if _el(seg, 2) != _el(st, 2):
            self.problem("X12004", "SE02 does not repeat the ST02 control number", seg,
                         expected=_el(st, 2), found=_el(seg, 2))
        self.tx = None

    def step(self, seg: Segment) -> None:
        tag = seg.tag
        if tag == "GS":
            if self.tx is not None:
                self.problem("X12006", "transaction set has no SE before the next GS", seg,
                             expected="SE", found="GS")
                self.tx = None
            if self.group is not None:
                self.problem("X12006", "functional group has no GE before the next GS", seg,
                             expected="GE", found="GS")
            self.group = Scope(seg)
            self.group_sets = 0
            self.groups += 1
        elif tag == "ST":
            if self.tx is not None:
                self.problem("X12006", "transaction set has no SE before the next ST", seg,
                             expected="SE", found="ST")
                self.tx = None
            if self.group is None:
                self.problem("X12006", "ST outside a functional group (GS missing)", seg,
                             expected="GS", found="ST")
                self.group = Scope(None)
            self.tx = TxSet(self.next_set, [seg], self.ic, self.group, self.delims)
            self.next_set += 1
            self.group_sets += 1
            self.sets.append(self.tx)
        elif tag == "SE":
            if self.tx is None:
                self.problem("X12006", "SE without ST", seg, expected="ST", found="SE")
            else:
                self.close_set(seg)
        elif tag == "GE":
            if self.tx is not None:
                self.problem("X12006", "transaction set has no SE before GE", seg,
                             expected="SE", found="GE")
                self.tx = None
            if self.group is None:
                self.problem("X12006", "GE without GS", seg, expected="GS", found="GE")
                return
            gs = self.group.head
            if _el(seg, 1) != str(self.group_sets):
                self.problem("X12003", f"GE01 counts {_el(seg, 1) or 'nothing'} transaction "
                             f"sets, the group holds {self.group_sets}", seg,
                             expected=self.group_sets, found=_el(seg, 1))
            if gs is not None and _el(seg, 2) != _el(gs, 6):
                self.problem("X12004", "GE02 does not repeat the GS06 control number", seg,
                             expected=_el(gs, 6), found=_el(seg, 2))
            self.group = None
        elif tag == "IEA":
            if self.tx is not None:
                self.problem("X12006", "transaction set has no SE before IEA", seg,
                             expected="SE", found="IEA")
                self.tx = None
            if self.group is not None:
                self.problem("X12006", "functional group has no GE before IEA", seg,
                             expected="GE", found="IEA")
                self.group = None
            isa = self.ic.head
            assert isa is not None
            if _el(seg, 1).lstrip("0") != str(self.groups).lstrip("0"):
                self.problem("X12003", f"IEA01 counts {_el(seg, 1) or 'nothing'} functional "
                             f"groups, the interchange holds {self.groups}", seg,
                             expected=self.groups, found=_el(seg, 1))
            if _el(seg, 2) != _el(isa, 13):
                self.problem("X12004", "IEA02 does not repeat the ISA13 control number", seg,
                             expected=_el(isa, 13), found=_el(seg, 2))
            self.closed = True
        elif self.tx is None:
            self.problem("X12006", f"segment {tag!r} outside a transaction set", seg,
                         expected="ST", found=tag)
        else:
            if not valid_tag(tag):
                self.problem("X12006", f"segment identifier {tag[:10]!r} is not 2-3 capital "
                             "letters or digits", seg, expected="e.g. N1, BX, L5",
                             found=tag[:20])
            self.tx.segments.append(seg)

    def finish(self, tail: Tail | None, end: int) -> None:
        if self.closed and tail is None:
            return
        open_ = [f"{name} {ctl!r}" for name, ctl, still in (
            ("ST", _el(self.tx.segments[0], 2) if self.tx else "", self.tx is not None),
            ("GS", _el(self.group.head, 6) if self.group and self.group.head else "",
             self.group is not None),
            ("ISA", _el(self.ic.head, 13) if self.ic.head else "", not self.closed)) if still]
        where = tail.offset if tail is not None else end
        what = (f"the data ends inside segment {tail.text[:30]!r} (no terminator)"
                if tail is not None else "the data ends without IEA")
        self.ic.diags.append(diag(
            "X12002", f"interchange truncated: {what}; still open: {', '.join(open_) or '-'}",
            source=SourcePos(file=self.file, offset=where), expected="... SE, GE, IEA",
            found=repr(tail.text[:40]) if tail is not None else "end of data"))


def split_interchanges(text: str, file: str) -> tuple[list[TxSet], list[Orphan]]:
    """Every transaction set of ``text`` and every interchange-level problem that no set can
    carry (a bad ISA header, data after IEA, an empty interchange)."""
    sets: list[TxSet] = []
    orphans: list[Orphan] = []
    # A UTF-8 byte order mark (text is decoded as Latin-1, so it reads as three characters)
    # is skipped like the blanks before ISA: editors add it when a file is saved [I].
    pos = 3 if text.startswith("\xef\xbb\xbf") else 0
    end, seg_index = len(text), 1
    while True:
        while pos < end and text[pos] in " \t\r\n\x00\ufeff":
            pos += 1
        if pos >= end:
            break
        if not text.startswith("ISA", pos):
            orphans.append(Orphan(pos, [diag(
                "X12006", "data after the interchange is not a new ISA header",
                source=SourcePos(file=file, offset=pos), expected="ISA",
                found=repr(text[pos:pos + 20]))], text[pos:pos + 2000]))
            break
        delims = read_isa(text, pos)
        if isinstance(delims, IsaProblem):
            orphans.append(Orphan(pos, [diag(
                "X12001", delims.message, source=SourcePos(file=file, segment=seg_index,
                                                           offset=delims.offset),
                expected=delims.expected, found=delims.found)], text[pos:pos + 2000]))
            break
        start = pos
        segs, tail, pos = lex(text, pos, delims, seg_index)
        seg_index += len(segs)
        walker = _Walker(file, len(sets), delims, segs[0])
        for seg in segs[1:]:
            walker.step(seg)
        walker.finish(tail, pos)
        if not walker.sets:
            orphans.append(Orphan(start, walker.ic.diags or [diag(
                "X12006", "interchange holds no transaction set",
                source=SourcePos(file=file, segment=segs[0].number, offset=start),
                expected="GS, ST ... SE, GE", found="ISA ... IEA")], text[start:pos]))
        sets.extend(walker.sets)
    return sets, orphans
