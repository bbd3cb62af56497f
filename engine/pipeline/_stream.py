"""Reading inputs of any size in pieces with flat memory.

A file larger than ``piece_bytes`` is read piece by piece, each piece cut just before a line
that starts an ENS message (``FWB/17`` ...), so positions and message indexes stay those of the
whole file. :func:`iter_source_pieces` yields them as :class:`SourcePiece` (bytes + messages),
which the shipment store (``ensgate.store``) gathers into windows and keeps, so that a
shipment's messages join across windows and runs. :func:`translate` here is the in-memory run:
one window, nothing kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..readers._source import SourceMessage
from ..readers.cargoimp import looks_like_cargoimp, next_index, read_cargoimp_piece
from ._batch import BatchResult, TranslateOptions, _Batch, gc_paused, run_in_memory
from ._inputs import iter_input_files, read_file_bytes
from ._sources import SourcePiece

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


def iter_source_pieces(paths: Iterable[str | Path], *, max_bytes: int,
                       piece_bytes: int = DEFAULT_PIECE_BYTES, exclude: Path | None = None
                       ) -> Iterator[SourcePiece]:
    """Every input as pieces: a whole file, or a large Cargo-IMP file in pieces cut at
    message boundaries (positions and indexes those of the whole file)."""
    for piece, _count in plan_pieces(paths, max_bytes=max_bytes, piece_bytes=piece_bytes,
                                     exclude=exclude):
        yield piece


def plan_pieces(paths: Iterable[str | Path], *, max_bytes: int,
                piece_bytes: int = DEFAULT_PIECE_BYTES, exclude: Path | None = None,
                read: bool = True) -> Iterator[tuple[SourcePiece, int]]:
    """(piece, messages it holds before parts are joined): what windows are cut by. With
    ``read`` False the pieces of a large Cargo-IMP file are only cut and counted by the
    envelope splitter (``messages`` empty: a worker reads them, ``--jobs``); a whole file is
    read (its messages counted) and keeps its messages only when it has no bytes to read
    again (an unreadable file). The pieces and counts are the same either way, so a run
    cuts the same windows on one core or several. A piece's first message index follows
    the last message the splitter found before it (parts joined or not)."""
    for path in iter_input_files(paths, exclude=exclude):
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        whole = size <= piece_bytes or size > max_bytes
        if not whole:
            with path.open("rb") as fh:
                head = fh.read(4096).decode("latin-1")
            whole = not looks_like_cargoimp(head)
        if whole:
            with gc_paused():  # the reader makes no cycles (see gc_paused)
                data, msgs = read_file_bytes(path, max_bytes=max_bytes)
            count = len(msgs)
            if not read and data is not None:
                msgs = []
            yield SourcePiece(file=str(path), data=data, reader="detect", messages=msgs), count
            continue
        index = 0
        first = True
        for piece, line_offset in iter_pieces(path, piece_bytes):
            if read:
                with gc_paused():
                    msgs, count, after = read_cargoimp_piece(
                        piece, file=str(path), line_offset=line_offset, index_offset=index)
            else:
                msgs = []
                count, after = next_index(piece, file=str(path), index_offset=index)
            yield SourcePiece(file=str(path), data=piece, reader="cargo-imp-piece",
                              messages=msgs, line_offset=line_offset, index_offset=index,
                              new_file=first), count
            index = after
            first = False


def iter_message_pieces(paths: Iterable[str | Path], *, max_bytes: int,
                        piece_bytes: int = DEFAULT_PIECE_BYTES, exclude: Path | None = None
                        ) -> Iterator[tuple[list[SourceMessage], bool]]:
    """Lists of messages, with True when the list starts a new file."""
    for piece in iter_source_pieces(paths, max_bytes=max_bytes, piece_bytes=piece_bytes,
                                    exclude=exclude):
        yield piece.messages, piece.new_file


def translate(paths: Iterable[str | Path],
              options: TranslateOptions | None = None) -> BatchResult:
    """Translate files and folders into an in-memory result (one window: every message is
    joined with every other; nothing is kept after). For large inputs, and to join messages
    over time, use the shipment store (``ensgate.store``, ``translate_to_folder``)."""
    start = time.perf_counter()
    batch = _Batch(options or TranslateOptions())
    result = BatchResult()
    pieces = list(iter_source_pieces(paths, max_bytes=batch.config.max_input_bytes))
    run_in_memory(batch, pieces, result)
    result.seconds = time.perf_counter() - start
    return result
