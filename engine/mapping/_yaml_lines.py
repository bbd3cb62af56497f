"""YAML loading that remembers the line of every mapping key, so spec errors cite file:line."""

from __future__ import annotations

from typing import Any

import yaml


class MarkedDict(dict[str, Any]):
    """A dict from YAML that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class MarkedList(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    out = MarkedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool):
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key must be text, found {type(key).__name__}",
                key_node.start_mark)
        skey = str(key)
        if skey in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {skey!r}", key_node.start_mark)
        out[skey] = loader.construct_object(value_node, deep=True)
        out.key_lines[skey] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_marked(text: str) -> Any:
    """Parse YAML; mappings become :class:`MarkedDict`, sequences :class:`MarkedList`."""
    return yaml.load(text, Loader=_LineLoader)


def line_of(container: Any, key: str | None = None) -> int | None:
    if isinstance(container, MarkedDict):
        if key is not None and key in container.key_lines:
            return container.key_lines[key]
        return container.line or None
    if isinstance(container, MarkedList):
        return container.line or None
    return None
