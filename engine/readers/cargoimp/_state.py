"""What the parser keeps while it walks the lines of one message."""

from __future__ import annotations

from ...diagnostics import Diagnostic
from .._source import SourceNode
from ._layouts import Layout, Layouts, LineSpec


class Group:
    """The logical group opened by an identifier line; ``/`` lines continue it."""

    __slots__ = ("count", "node", "parent", "pending", "rate_no", "spec", "sub")

    def __init__(self, spec: LineSpec, node: SourceNode, parent: SourceNode) -> None:
        self.spec = spec
        self.node = node  # the record the identifier line made
        self.parent = parent  # where sibling records of a ``record``-continuation go
        self.count = 0  # continuation lines seen so far
        self.sub = ""  # party: NAM / ADR / LOC / coded; RTD: ""
        self.pending: list[tuple[str, int, tuple[str, int, str, int, int]]] = []
        self.rate_no: tuple[str, int, tuple[str, int, str, int, int]] | None = None


class State:
    __slots__ = ("diags", "group", "last_order", "layout", "oci_seq", "reused", "root", "scopes",
                 "seen_once", "tables")

    def __init__(self, layout: Layout, tables: Layouts, root: SourceNode) -> None:
        self.layout = layout
        self.tables = tables
        self.root = root
        self.scopes: dict[str, SourceNode] = {}
        self.group: Group | None = None
        self.diags: list[Diagnostic] = []
        self.oci_seq = 0
        self.last_order = -1
        self.reused: set[int] = set()
        self.seen_once: set[str] = set()  # tags of once-only lines already read

    def parent_of(self, spec: LineSpec) -> SourceNode:
        if spec.parent:
            return self.scopes.get(spec.parent, self.root)
        return self.root
