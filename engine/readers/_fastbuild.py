"""Fast construction of positions and fields for the readers' hot loops.

A reader makes one :class:`SourcePos` and one :class:`SourceField` per value (about a hundred
per air waybill). Filling their slots directly skips the frozen-dataclass ``__init__`` (which
goes through ``object.__setattr__`` per field) and is several times faster; the objects are
exactly the ones the constructor would give. Every reader imports these instead of keeping its
own copy.
"""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import SourcePos
from ._source import SourceField

new_object = object.__new__


def slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The raw setter of slot ``name`` of ``cls`` (bypasses frozen-dataclass checks)."""
    setter: Callable[[object, object], None] = vars(cls)[name].__set__
    return setter


POS_SETTERS = tuple(slot_setter(SourcePos, n) for n in (
    "file", "message", "line", "column", "segment", "offset", "xpath"))
"""Setters of every ``SourcePos`` slot, in field order (a new position must get all seven)."""
FIELD_SETTERS = tuple(slot_setter(SourceField, n) for n in ("text", "pos"))
"""Setters of ``SourceField.text`` and ``SourceField.pos``."""
