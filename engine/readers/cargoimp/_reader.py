"""The public entry points: read a file's bytes, and sniff whether text is Cargo-IMP."""

from __future__ import annotations

import gc

from ...diagnostics import diag
from .._source import SourceMessage, SourceNode
from ._build import mkpos
from ._envelope import _CONTROLS, _NOISE, split_messages
from ._parser import FORMAT, IDENT, Segment, parse
from ._reassemble import reassemble
from ._types import MESSAGE_TYPES


def read_cargoimp(data: bytes, *, file: str = "", line_offset: int = 0,
                  index_offset: int = 0) -> list[SourceMessage]:
    """Every message in ``data``, multi-part messages of the file already reassembled.

    ``line_offset`` and ``index_offset`` let a caller read a large file in pieces cut at
    message boundaries: positions and message indexes stay those of the whole file.

    Bad data never raises: each message carries its diagnostics (codes SRC0xx / IMP0xx).
    The cyclic garbage collector is paused while the file is read: source trees hold no
    reference cycles, and its full passes over a large tree cost more than the parse itself.
    """
    return read_cargoimp_piece(data, file=file, line_offset=line_offset,
                               index_offset=index_offset)[0]


def next_index(data: bytes, *, file: str = "", index_offset: int = 0) -> tuple[int, int]:
    """(messages before joining parts, index of the message after ``data``) of a piece, found
    by the envelope splitter alone (about a tenth of a full read): how a large file is cut
    into windows without reading it, the same whether it is read here or on another core."""
    try:
        segments = split_messages(data, file, index_offset=index_offset)
    except Exception:  # pragma: no cover - the full read reports it (RUN001)
        return 0, index_offset
    if not segments:
        return 0, index_offset
    return len(segments), max(s.index for s in segments) + 1


def read_cargoimp_piece(data: bytes, *, file: str = "", line_offset: int = 0,
                        index_offset: int = 0) -> tuple[list[SourceMessage], int, int]:
    """:func:`read_cargoimp` of a piece of a large file, with what :func:`next_index` gives
    (same split, done once)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _read_counted(data, file, line_offset, index_offset)
    finally:
        if paused:
            gc.enable()


def _read_counted(data: bytes, file: str, line_offset: int,
                  index_offset: int) -> tuple[list[SourceMessage], int, int]:
    try:
        segments = split_messages(data, file, line_offset=line_offset,
                                  index_offset=index_offset)
    except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
        return [_internal_error(Segment(file=file, index=0, first_line=1, lines=()), exc)], \
            0, index_offset
    counted = (len(segments), max(s.index for s in segments) + 1) if segments else (
        0, index_offset)
    messages = []
    for seg in segments:
        try:
            messages.append(parse([seg]))
        except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
            messages.append(_internal_error(seg, exc))
    try:
        return reassemble(messages), *counted
    except Exception:  # pragma: no cover - last-resort guard: keep the parts as read
        return messages, *counted


def _internal_error(seg: Segment, exc: Exception) -> SourceMessage:
    pos = mkpos(("", seg.first_line, seg.file, seg.index, 0), None)
    return SourceMessage(format=FORMAT, kind="", version="", file=seg.file, index=seg.index,
                         first_line=seg.first_line, raw="\n".join(seg.lines),
                         root=SourceNode("", pos), is_ens_input=False,
                         diagnostics=[diag("RUN001", source=pos, found=repr(exc))])


def looks_like_cargoimp(head: str) -> bool:
    """True when the first meaningful line after envelope noise is a known identifier
    (``FWB/17``, ``FSU/14``, ``FMA``...)."""
    for line in head.replace("\r", "\n").split("\n"):
        line = _CONTROLS.sub("", line)
        if not line.strip():
            continue
        if _NOISE.match(line):
            continue
        m = IDENT.match(line)
        return m is not None and (m.group(1) or m.group(3)) in MESSAGE_TYPES
    return False
