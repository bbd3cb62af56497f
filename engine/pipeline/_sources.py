"""What a unit reads and how it reads it again: the pieces given to readers, the content hash
that makes a message a duplicate, re-reading archived sources with their original positions,
the cache of messages of open shipments, and the bytes of the exported files."""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, format_json_line
from ..mapping._assemble import copy_tree
from ..mapping._engine import Fragment
from ..readers._source import SourceMessage
from ..readers.cargoimp import read_cargoimp
from ._inputs import read_messages
from ._state import SourceRef

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ISSUE_DATE = re.compile(rb"<documentIssueDate>[^<]*</documentIssueDate>")


@dataclass(slots=True, kw_only=True)
class SourcePiece:
    """Bytes given to a reader and the messages it read from them. ``data`` is None for a
    file that could not be read at all (its one message carries the reason)."""

    file: str
    data: bytes | None
    reader: str  # "detect" | "cargo-imp-piece"
    messages: list[SourceMessage]
    line_offset: int = 0
    index_offset: int = 0
    new_file: bool = True


def message_hash(msg: SourceMessage) -> str:
    """The content hash that makes a message a duplicate: its type and text as received
    (envelope removed), and the errors the reader found on it (code and text, not position),
    so that a message
    refused for its envelope (a wrong group count) and sent again in a sound one is not taken
    for a copy. A message with no text (an unreadable file) is known by its file name and
    reason instead, so two different empty files are two messages."""
    errors = sorted({f"{d.code} {d.message}" for d in msg.diagnostics if d.is_error})
    h = hashlib.sha256(f"{msg.format}\0{msg.kind}\0{msg.version}\0{chr(1).join(errors)}\0"
                       .encode("utf-8", "surrogatepass"))
    if msg.raw:
        h.update(msg.raw.encode("utf-8", "surrogatepass"))
    else:
        h.update(b"\0no-text\0" + msg.file.encode("utf-8", "surrogatepass"))
        for d in msg.diagnostics:
            h.update(f"\0{d.code}\0{d.message}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def xml_digest(xml: bytes) -> str:
    """Digest of a filing's XML without its issue date: two filings of the same data made at
    different times have the same digest."""
    return hashlib.sha256(_ISSUE_DATE.sub(b"", xml)).hexdigest()


def reject_name(file: str, index: int, shipment: str = "") -> str:
    base = _SAFE.sub("_", Path(file).name or "input")
    name = f"{base}#{index + 1}"
    return f"{name}.{_SAFE.sub('_', shipment)}" if shipment else name


def diagnostics_text(diags: Iterable[Diagnostic]) -> str:
    return "".join(format_json_line(d) + "\n" for d in diags)


def read_source(ref: SourceRef, data: bytes) -> list[SourceMessage]:
    """Read stored source bytes again exactly as the first time (same positions)."""
    if ref.reader == "cargo-imp-piece":
        return read_cargoimp(data, file=ref.file, line_offset=ref.line_offset,
                             index_offset=ref.index_offset)
    return read_messages(data, file=ref.file)


class MessageCache:
    """Bounded LRU of stored messages already read (by message id), each with its mapped
    fragments once mapped: a long-running process and a large batch neither re-read nor
    re-map the messages of shipments that stay open across units. Fragments are kept as
    mapped and copied out, because assembly writes into the fragments it is given."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[SourceMessage, list[Fragment] | None]] = (
            OrderedDict())
        self.hits = 0
        self.misses = 0

    def get(self, message_id: int) -> tuple[SourceMessage, list[Fragment] | None] | None:
        item = self._items.get(message_id)
        if item is not None:
            self._items.move_to_end(message_id)
            self.hits += 1
        else:
            self.misses += 1
        return item

    def put(self, message_id: int, msg: SourceMessage,
            fragments: list[Fragment] | None = None) -> None:
        if self.size <= 0:
            return
        self._items[message_id] = (msg, fragments)
        self._items.move_to_end(message_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


def copy_fragment(f: Fragment) -> Fragment:
    return Fragment(spec=f.spec, message=f.message, produces=f.produces, key=f.key,
                    data=copy_tree(f.data), lineage=dict(f.lineage),
                    diagnostics=list(f.diagnostics), traced=f.traced)


def lineage_json(lineage: dict[str, Any]) -> bytes:
    return json.dumps(
        {path: {"rule": None if lin.rule is None else str(lin.rule),
                "sources": [{"text": t, "at": str(p)} for t, p in lin.sources],
                "note": lin.note} for path, lin in sorted(lineage.items())},
        indent=1, ensure_ascii=False).encode("utf-8", "surrogatepass")
