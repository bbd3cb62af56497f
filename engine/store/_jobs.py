"""``--jobs N``: the windows of a run on several cores, one shared store.

The parent cuts the input into windows exactly as a one-core run does (``plan_pieces``: the
same pieces and counts, the large Cargo-IMP files only cut, not read) and hands each window's
bytes to a worker process (forked: the compiled specs and templates come with it). A worker
reads its window, hashes and maps the messages (``Unit.prepare``, no lock held), then waits
for its turn and runs the unit's transaction: windows commit in input order, so every
shipment is assembled once, from the same messages in the same order, whatever window or
worker its messages fell in, and the store ends exactly as after a one-core run. While one
worker holds the write lock (assembly, render, validation, the writes), the others read and
map the next windows.

A worker dies with the parent (``PR_SET_PDEATHSIG``): a killed run leaves no orphan that
goes on writing; its uncommitted window rolls back and the next run takes it again.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from ..pipeline import BatchResult, MessageCache, SourcePiece
from ..pipeline._batch import _Batch, collect, gc_paused
from ..pipeline._output import summarise
from ..pipeline._sources import read_source
from ..pipeline._state import SourceRef

log = logging.getLogger("ensgate.store")

# what a worker sends back per window: its number, the window's counts (summarise() keys plus
# earlier_rejected), and its rejects for the caller's report (filings stay in the store)
WindowDone = tuple[int, dict[str, Any], BatchResult]


def available_cores() -> int:
    """The processors this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def window_counts(result: BatchResult) -> dict[str, Any]:
    counts = {k: v for k, v in summarise(result).items() if k != "seconds"}
    counts["earlier_rejected"] = len(result.earlier_rejects)
    return counts


def rejects_only(result: BatchResult) -> BatchResult:
    """The part of a window's result a caller reports (rejects), without its filings."""
    return BatchResult(rejects=result.rejects, shipment_rejects=result.shipment_rejects,
                       earlier_rejects=result.earlier_rejects, not_ens=result.not_ens,
                       messages_in=result.messages_in, files_in=result.files_in)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def read_again(piece: SourcePiece) -> SourcePiece:
    """A window's piece as the worker reads it (the parent sent only its bytes)."""
    if piece.messages or piece.data is None:
        return piece
    ref = SourceRef(id=0, file=piece.file, reader=piece.reader,
                    line_offset=piece.line_offset, index_offset=piece.index_offset)
    with gc_paused():
        piece.messages = read_source(ref, piece.data)
    return piece


def _work(store: Any, batch: _Batch, kwargs: dict[str, Any], tasks: Any, results: Any,
          turn: Any, cond: Any) -> None:
    _die_with_parent()
    store.engine.dispose(close=False)  # the parent's connections are not this process's
    store.cache = MessageCache(store.cache.size)
    from ._store import release_memory

    while True:
        task = tasks.get()
        if task is None:
            return
        n, pieces = task
        try:
            pieces = [read_again(p) for p in pieces]

            def wait(n: int = n) -> None:
                with cond:
                    cond.wait_for(lambda: turn.value == n)

            report = store._run_unit(batch, pieces, before_commit=wait, **kwargs)
            with cond:
                turn.value = n + 1
                cond.notify_all()
            result = BatchResult()
            collect(report, result)
            result.check()
            del report
            counts = window_counts(result)
            counts["bytes"] = sum(len(p.data or b"") for p in pieces)
            results.put((n, counts, rejects_only(result)))
            del result, pieces
            release_memory()
        except BaseException:
            results.put((n, None, traceback.format_exc()))
            return


def run_windows(store: Any, batch: _Batch, windows: Iterable[list[SourcePiece]], *,
                jobs: int, now: datetime, run_id: int, folder: str | None, lineage: bool,
                on_window: Callable[[dict[str, Any], BatchResult], None]) -> None:
    """Run ``windows`` on ``jobs`` worker processes, committed in order; ``on_window`` is
    called in the parent for each window, in order, after its commit."""
    ctx = mp.get_context("fork")
    tasks: Any = ctx.Queue()
    results: Any = ctx.Queue()
    cond = ctx.Condition()
    turn = ctx.Value("q", 0, lock=False)
    kwargs = {"now": now, "run_id": run_id, "folder": folder, "lineage": lineage}
    procs = [ctx.Process(target=_work, args=(store, batch, kwargs, tasks, results, turn, cond),
                         daemon=True, name=f"ensgate-window-{i}") for i in range(jobs)]
    for p in procs:
        p.start()
    done: dict[int, tuple[dict[str, Any], BatchResult]] = {}
    sent = delivered = 0

    def receive() -> None:
        nonlocal delivered
        while True:
            try:
                n, counts, extra = results.get(timeout=1.0)
                break
            except queue.Empty:
                dead = [p for p in procs if not p.is_alive() and p.exitcode != 0]
                if dead:
                    raise RuntimeError(f"window worker {dead[0].name} died "
                                       f"(exit {dead[0].exitcode})") from None
        if counts is None:
            raise RuntimeError(f"window {n} failed in a worker:\n{extra}")
        done[n] = (counts, extra)
        while delivered in done:
            on_window(*done.pop(delivered))
            delivered += 1

    try:
        for window in windows:
            tasks.put((sent, [_bytes_only(p) for p in window]))
            sent += 1
            while sent - delivered >= 2 * jobs:  # bounded: at most two windows per worker
                receive()
        while delivered < sent:
            receive()
        for _ in procs:
            tasks.put(None)
        for p in procs:
            p.join(timeout=30)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
        tasks.close()
        results.close()


def _bytes_only(piece: SourcePiece) -> SourcePiece:
    if piece.data is None:
        return piece
    return SourcePiece(file=piece.file, data=piece.data, reader=piece.reader, messages=[],
                       line_offset=piece.line_offset, index_offset=piece.index_offset,
                       new_file=piece.new_file)


def windows_of(planned: Iterable[tuple[SourcePiece, int]], window: int
               ) -> Iterator[list[SourcePiece]]:
    """Pieces grouped into windows of about ``window`` messages (a window closes once it
    holds ``window`` or more): the same cut for one core or several."""
    pending: list[SourcePiece] = []
    count = 0
    for piece, n in planned:
        if count >= window:
            yield pending
            pending, count = [], 0
        pending.append(piece)
        count += n
    if pending:
        yield pending
