"""Source paths: how a mapping rule names the source values it reads.

Grammar (kept small so analysts can read it)::

    path     := ["$." | "^."*] step ("." step)*
    step     := NAME [ "[" cond ("," cond)* "]" ]
    cond     := NAME "=" VALUE?          # VALUE empty: field missing or empty

``$.`` starts at the message root, each ``^.`` climbs to the parent record; otherwise the
path starts at the current scope (the message root, or the record of the enclosing
``for_each``). The last step may name a field; a path that
ends on records yields the records themselves (for ``for_each``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..readers._source import SourceField, SourceNode

_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?$")


class PathSyntaxError(ValueError):
    """A path that does not follow the grammar (reported by the spec loader with its line)."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    conditions: tuple[tuple[str, str], ...] = ()


def _parents(root: SourceNode) -> dict[int, SourceNode]:
    out: dict[int, SourceNode] = {}
    for node in root.walk():
        for kids in node.children.values():
            for kid in kids:
                out[id(kid)] = node
    return out


_PARENT_CACHE: dict[int, tuple[SourceNode, dict[int, SourceNode]]] = {}


def _start(path: SourcePath, scope: SourceNode, root: SourceNode) -> SourceNode | None:
    if path.absolute:
        return root
    if not path.up:
        return scope
    cached = _PARENT_CACHE.get(id(root))
    if cached is None or cached[0] is not root:
        if len(_PARENT_CACHE) > 64:
            _PARENT_CACHE.clear()
        cached = _PARENT_CACHE[id(root)] = (root, _parents(root))
    node: SourceNode | None = scope
    for _ in range(path.up):
        node = None if node is None else cached[1].get(id(node))
    return node


@dataclass(frozen=True, slots=True)
class SourcePath:
    text: str
    absolute: bool
    steps: tuple[Step, ...]
    up: int = 0

    def records(self, scope: SourceNode, root: SourceNode) -> list[SourceNode]:
        """Evaluate as a path to records (every step a child tag)."""
        start = _start(self, scope, root)
        if start is None:
            return []
        nodes = [start]
        for step in self.steps:
            nodes = _children(nodes, step)
            if not nodes:
                break
        return nodes

    def values(self, scope: SourceNode, root: SourceNode) -> list[SourceField]:
        """Evaluate as a path to field values; the last step names a field."""
        start = _start(self, scope, root)
        if start is None:
            return []
        nodes = [start]
        *walk, last = self.steps
        for step in walk:
            nodes = _children(nodes, step)
            if not nodes:
                return []
        out: list[SourceField] = []
        name = last.name
        for node in nodes:
            f = node.fields.get(name)
            if f is not None:
                out.append(f)
        return out


ValueWalker = Callable[[SourceNode, SourceNode], list[SourceField]]
RecordWalker = Callable[[SourceNode, SourceNode], list[SourceNode]]


def _start_fn(path: SourcePath) -> Callable[[SourceNode, SourceNode], SourceNode | None] | None:
    """How a walker finds its start node; ``None`` for the common case (root or scope), which
    the walkers inline."""
    if path.absolute or not path.up:
        return None
    return lambda scope, root: _start(path, scope, root)


def value_walker(path: SourcePath) -> ValueWalker:
    """``path.values`` as a closure specialised to the path's shape, for the mapping hot path:
    a field of the start node, or a field of its children (one step, no selector) are the
    common shapes and skip the generic step loop. Same results as :meth:`SourcePath.values`
    (the conditions of the last step are not applied there either)."""
    absolute, start = path.absolute, _start_fn(path)
    *walk, last = path.steps
    name = last.name
    if start is None and not walk:
        def field_of_start(scope: SourceNode, root: SourceNode) -> list[SourceField]:
            f = (root if absolute else scope).fields.get(name)
            return [] if f is None else [f]
        return field_of_start
    if start is None and len(walk) == 1 and not walk[0].conditions:
        tag = walk[0].name

        def field_of_children(scope: SourceNode, root: SourceNode) -> list[SourceField]:
            kids = (root if absolute else scope).children.get(tag)
            if not kids:
                return []
            out = []
            for kid in kids:
                f = kid.fields.get(name)
                if f is not None:
                    out.append(f)
            return out
        return field_of_children
    records = _records_walker(path, tuple(walk))

    def field_of_records(scope: SourceNode, root: SourceNode) -> list[SourceField]:
        out = []
        for node in records(scope, root):
            f = node.fields.get(name)
            if f is not None:
                out.append(f)
        return out
    return field_of_records


def record_walker(path: SourcePath) -> RecordWalker:
    """``path.records`` as a closure: one step without selector inlined, otherwise the step
    loop with the steps' names and selectors bound once."""
    if not path.absolute and not path.up and len(path.steps) == 1 \
            and not path.steps[0].conditions:
        tag = path.steps[0].name

        def children(scope: SourceNode, root: SourceNode) -> list[SourceNode]:
            return list(scope.children.get(tag, ()))
        return children
    return _records_walker(path, path.steps)


def _records_walker(path: SourcePath, steps: tuple[Step, ...]) -> RecordWalker:
    """The records reached by ``steps`` from the path's start (``[start]`` for no steps)."""
    absolute, start = path.absolute, _start_fn(path)
    bound = tuple((step.name, step.conditions) for step in steps)

    def walk(scope: SourceNode, root: SourceNode) -> list[SourceNode]:
        node = (root if absolute else scope) if start is None else start(scope, root)
        if node is None:
            return []
        nodes = [node]
        for tag, conditions in bound:
            found: list[SourceNode] = []
            for n in nodes:
                kids = n.children.get(tag)
                if not kids:
                    continue
                if conditions:
                    found.extend(k for k in kids if _matches(k, conditions))
                else:
                    found.extend(kids)
            if not found:
                return found
            nodes = found
        return nodes
    return walk


def _matches(node: SourceNode, conditions: tuple[tuple[str, str], ...]) -> bool:
    for key, want in conditions:
        f = node.fields.get(key)
        have = "" if f is None else f.text.strip()
        if have != want:
            return False
    return True


def _children(nodes: list[SourceNode], step: Step) -> list[SourceNode]:
    out: list[SourceNode] = []
    for node in nodes:
        kids = node.children.get(step.name)
        if not kids:
            continue
        if step.conditions:
            out.extend(k for k in kids if _matches(k, step.conditions))
        else:
            out.extend(kids)
    return out


def compile_path(text: str) -> SourcePath:
    """Parse a path once; raises :class:`PathSyntaxError` with the reason."""
    raw = text.strip()
    absolute = raw.startswith("$.")
    body = raw[2:] if absolute else raw
    up = 0
    while body.startswith("^."):
        up, body = up + 1, body[2:]
    if not body:
        raise PathSyntaxError(f"empty source path {text!r}")
    steps: list[Step] = []
    for part in _split_steps(body):
        m = _STEP.match(part)
        if m is None:
            raise PathSyntaxError(f"bad step {part!r} in source path {text!r}")
        conds: list[tuple[str, str]] = []
        if m.group(2) is not None:
            for cond in m.group(2).split(","):
                key, eq, value = cond.partition("=")
                if not eq or not key.strip():
                    raise PathSyntaxError(f"selector {cond!r} in {text!r} is not name=value")
                conds.append((key.strip(), value.strip()))
        steps.append(Step(m.group(1), tuple(conds)))
    return SourcePath(raw, absolute, tuple(steps), up)


def _split_steps(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "." and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts
