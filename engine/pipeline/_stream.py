"""Translating inputs of any size with flat memory: read in pieces, join in windows, write as
we go.

A file larger than ``piece_bytes`` is read piece by piece, each piece cut just before a line
that starts an ENS message (``FWB/17`` ...), so positions and message indexes stay those of the
whole file. Messages are gathered into a *window* (``window`` messages, closed only between
pieces) that is translated and written before the next one is read: memory depends on the
window, not on the input. The price: messages of one shipment are joined only when they fall
in the same window, so keep a shipment's FWB, FHL/FZB and FFM within ``window`` messages of
each other (a run over a folder reads files in name order).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..readers._source import SourceMessage
from ..readers.cargoimp import looks_like_cargoimp, read_cargoimp
from ._batch import BatchResult, TranslateOptions, _Batch, _run_frozen, gc_paused
from ._inputs import iter_input_files, read_file
from ._output import BatchWriter

DEFAULT_WINDOW = 2_000
DEFAULT_PIECE_BYTES = 1 << 20

_BOUNDARY = re.compile(rb"\n(?=(?:FWB|FHL|FZB|FFM|FSU|FSA)/\d{1,2}\r?\n)")


def _line_count(piece: bytes) -> int:
    return piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")


def iter_pieces(path: Path, piece_bytes: int) -> Iterator[tuple[bytes, int]]:
    """(bytes, line offset) pieces of a file, each ending at a message boundary."""
    offset = 0
    rest = b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(piece_bytes)
            buf = rest + block
            if not block:
                if buf:
                    yield buf, offset
                return
            cut = -1
            for m in _BOUNDARY.finditer(buf, max(0, len(buf) - piece_bytes)):
                cut = m.end()
            if cut <= 0:
                rest = buf
                continue
            piece, rest = buf[:cut], buf[cut:]
            yield piece, offset
            offset += _line_count(piece)


def iter_message_pieces(paths: Iterable[str | Path], *, max_bytes: int,
                        piece_bytes: int = DEFAULT_PIECE_BYTES, exclude: Path | None = None
                        ) -> Iterator[tuple[list[SourceMessage], bool]]:
    """Lists of messages, with True when the list starts a new file."""
    for path in iter_input_files(paths, exclude=exclude):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size <= piece_bytes or size > max_bytes:
            with gc_paused():  # the reader makes no cycles (see gc_paused)
                msgs = read_file(path, max_bytes=max_bytes)
            yield msgs, True
            continue
        with path.open("rb") as fh:
            head = fh.read(4096).decode("latin-1")
        if not looks_like_cargoimp(head):
            with gc_paused():
                msgs = read_file(path, max_bytes=max_bytes)
            yield msgs, True
            continue
        index = 0
        first = True
        for piece, line_offset in iter_pieces(path, piece_bytes):
            with gc_paused():
                msgs = read_cargoimp(piece, file=str(path), line_offset=line_offset,
                                     index_offset=index)
            if msgs:
                index = max(m.index for m in msgs) + 1
            yield msgs, first
            first = False


def translate(paths: Iterable[str | Path],
              options: TranslateOptions | None = None) -> BatchResult:
    """Translate files and folders into an in-memory result (one window: every message is
    joined with every other). For large inputs use :func:`translate_to_folder`."""
    start = time.perf_counter()
    batch = _Batch(options or TranslateOptions())
    result = BatchResult()
    messages: list[SourceMessage] = []
    for msgs, new_file in iter_message_pieces(paths, max_bytes=batch.config.max_input_bytes):
        result.files_in += int(new_file)
        messages.extend(msgs)
    _run_frozen(batch, messages, result)
    result.seconds = time.perf_counter() - start
    return result


def translate_to_folder(paths: Iterable[str | Path], out: Path,
                        options: TranslateOptions | None = None, *,
                        window: int = DEFAULT_WINDOW, lineage: bool = False,
                        piece_bytes: int = DEFAULT_PIECE_BYTES,
                        on_result: Callable[[BatchResult], None] | None = None
                        ) -> dict[str, Any]:
    """Translate files and folders into ``out`` window by window; returns the summary.
    ``on_result`` sees each window's result before it is dropped (the CLI prints rejects)."""
    start = time.perf_counter()
    batch = _Batch(options or TranslateOptions())
    writer = BatchWriter(out, lineage=lineage)
    pending: list[SourceMessage] = []
    files = 0

    def flush() -> None:
        nonlocal pending, files
        result = BatchResult(files_in=files)
        _run_frozen(batch, pending, result)
        writer.write(result)
        if on_result is not None:
            on_result(result)
        pending, files = [], 0

    for msgs, new_file in iter_message_pieces(paths, max_bytes=batch.config.max_input_bytes,
                                              piece_bytes=piece_bytes, exclude=out):
        if len(pending) >= window:
            flush()
        files += int(new_file)
        pending.extend(msgs)
    flush()
    writer.seconds = time.perf_counter() - start
    return writer.close()
