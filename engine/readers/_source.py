"""The source tree every reader produces and every mapping reads.

A reader turns bytes into :class:`SourceMessage` objects. Each holds a tree of
:class:`SourceNode` records whose leaves are :class:`SourceField` values; every field keeps the
exact position it was read from, so a value in the ENS filing can be traced back to its file,
message, line and column even after continuation lines or multi-part messages were joined.

Names of nodes and fields per message type are part of the reader's contract with the mapping
specs; they are listed in ``docs/source-trees.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, SourcePos


@dataclass(frozen=True, slots=True)
class SourceField:
    """One value as read (``text`` is never normalised by a reader beyond line-end removal)."""

    text: str
    pos: SourcePos

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True)
class SourceNode:
    """A record: named fields and named lists of child records."""

    tag: str
    pos: SourcePos
    fields: dict[str, SourceField] = field(default_factory=dict)
    children: dict[str, list[SourceNode]] = field(default_factory=dict)

    def set(self, name: str, text: str, pos: SourcePos) -> SourceField:
        f = SourceField(text, pos)
        self.fields[name] = f
        return f

    def add(self, child: SourceNode) -> SourceNode:
        self.children.setdefault(child.tag, []).append(child)
        return child

    def value(self, name: str) -> str | None:
        f = self.fields.get(name)
        return None if f is None else f.text

    def child(self, tag: str) -> SourceNode | None:
        kids = self.children.get(tag)
        return kids[0] if kids else None

    def all(self, tag: str) -> list[SourceNode]:
        return self.children.get(tag, [])

    def walk(self) -> Iterator[SourceNode]:
        yield self
        for kids in self.children.values():
            for kid in kids:
                yield from kid.walk()

    def to_dict(self) -> dict[str, object]:
        """A plain view for debugging and tests: fields as text, children as lists."""
        out: dict[str, object] = {k: v.text for k, v in self.fields.items()}
        for tag, kids in self.children.items():
            out[tag] = [k.to_dict() for k in kids]
        return out


@dataclass(slots=True, kw_only=True)
class SourceMessage:
    """One message of a source file, ready for mapping (or for the rejects)."""

    format: str  # reader family, e.g. "cargo-imp"
    kind: str  # message type, e.g. "FWB"; "" when unknown
    version: str  # e.g. "17"
    file: str
    index: int  # 0-based position of the message in its file
    first_line: int  # 1-based line in the file where the message starts
    raw: str  # message text as received (envelope removed), for the rejects folder
    root: SourceNode
    diagnostics: list[Diagnostic] = field(default_factory=list)
    envelope: tuple[str, ...] = ()  # stripped Type-B / transport lines, for support staff
    is_ens_input: bool = True  # False for FSU/FSA/FNA/FMA and other non-ENS messages
    key: str = ""  # linking key: AWB number for FWB/FZB/FHL, flight/date/point for FFM
    parts: int = 1  # number of parts reassembled into this message

    @property
    def label(self) -> str:
        """How operators name the message: ``file#n (FWB/17 160-52817343)``."""
        what = f"{self.kind}/{self.version}" if self.kind else "?"
        return f"{self.file}#{self.index + 1} ({what}{' ' + self.key if self.key else ''})"

    def pos(self, line: int | None = None, column: int | None = None) -> SourcePos:
        return SourcePos(file=self.file, message=self.index, line=line, column=column)
