"""``Store``: the shipment store behind every run (``docs/store.md``).

One database (SQLite file or PostgreSQL, chosen by URL) keeps every message received, the
shipments they assemble into over time, their filings, the exchanges with customs and every
state change. ``translate`` runs a batch over it window by window (each window one
transaction, exports written after commit through an outbox); ``ingest`` takes one message
(or file) at a time and gives the same filings as a batch; ``sweep`` takes the decisions that
are due by the clock; ``status`` and ``report`` answer "what is the state of AWB X" and "what
is pending and why".
"""

from __future__ import annotations

import ctypes
import itertools
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..config import EnsgateConfig, load_config
from ..diagnostics import Diagnostic
from ..mapping._assemble import awb_key
from ..pipeline import (
    FLIGHT_TIMES,
    BatchResult,
    MessageCache,
    SourcePiece,
    TranslateOptions,
    Unit,
    UnitReport,
    plan_pieces,
    read_messages,
)
from ..pipeline._batch import _Batch, collect, gc_paused
from ..pipeline._output import summarise, write_atomic
from ..pipeline._unit import Prepared
from . import _exports, _jobs
from ._apikeys import StoreApiKeys
from ._db import current_revision, head_revision, make_engine, upgrade
from ._exchanges import StoreExchanges
from ._jobs import available_cores, windows_of
from ._queries import StoreQuestions, aware
from ._reference import new_versions, record_versions
from ._schema import (
    messages,
    runs,
    shipments,
)
from ._sinks import StoreSinks
from ._sqlstate import SqlState, UnitConflict
from ._trader import StoreTrader

log = logging.getLogger("ensgate.store")
_NO_STATE: Any = None  # Unit.prepare reads and writes no state

DEFAULT_WINDOW = 2_000
OUT_FORMATS = ("files", "jsonl")
# a large Cargo-IMP file is read in pieces of this size (~800 messages), a window is made of
# whole pieces: with 1 MB pieces a 2,000-message window held 3,300 (peak RSS 314 MB on a
# 2 MB input, 228 MB with 256 kB pieces at the same CPU time; bench/README.md), and a later
# window that re-reads an open shipment's stored piece reads a quarter as much
STORE_PIECE_BYTES = 1 << 18
_RETRIES = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentOutcome:
    """What one ``ingest`` (or sweep) did to one shipment: ``action`` is ``pending`` (with
    ``waiting_for``), ``filed`` / ``remade`` (with ``lrn`` and ``filing``), ``unchanged``,
    ``needs-amendment`` (with ``reason``), ``not-subject`` (with ``reason``), ``rejected``
    (with ``diagnostics``) or ``flight-only``."""

    key: str
    shipment: str
    state: str
    action: str
    waiting_for: str = ""
    lrn: str = ""
    filing: str = ""
    reason: str = ""
    diagnostics: tuple[str, ...] = ()  # "CODE message" of each error


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageOutcome:
    """What became of one new message of an ``ingest``: its outcome (``filed``,
    ``rejected``, ``pending``...) and, when rejected or not ENS input, its diagnostics."""

    label: str  # file#n (FWB/17 160-52817343)
    file: str
    index: int
    kind: str
    key: str
    outcome: str
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What ``Store.ingest`` did: messages stored and skipped (duplicates), the outcome of
    each stored message, and per shipment key what happened."""

    stored: int
    skipped: int
    outcomes: dict[str, int] = field(default_factory=dict)
    shipments: tuple[ShipmentOutcome, ...] = ()
    messages: tuple[MessageOutcome, ...] = ()  # each stored message, in order

    def by_key(self) -> dict[str, ShipmentOutcome]:
        return {s.key: s for s in self.shipments}

    def of(self, awb: str) -> ShipmentOutcome:
        """The outcome for an AWB (any spelling: ``180-88351270`` or ``18088351270``)."""
        return self.by_key()[awb_key(awb)]


def _shipment_outcomes(report: UnitReport) -> tuple[ShipmentOutcome, ...]:
    out = []
    for r in report.shipments:
        action = r.action
        if action == "waiting":
            action = "pending" if r.state == "pending" else r.state
        out.append(ShipmentOutcome(
            key=r.key, shipment=r.document, state=r.state, action=action,
            waiting_for=r.waiting_for, lrn=r.lrn, filing=r.filing_type, reason=r.reason,
            diagnostics=tuple(f"{d.code} {d.message}" for d in r.diagnostics if d.is_error)))
    return tuple(out)


class Store(StoreQuestions, StoreExchanges, StoreSinks, StoreTrader, StoreApiKeys):
    """The shipment store. Open with :meth:`open`; use as a context manager or ``close()``."""

    def __init__(self, engine: Engine, *, url: str, config: EnsgateConfig | None = None,
                 cache_size: int = 2048) -> None:
        self.engine = engine
        self.url = url
        self.config = config
        self.cache = MessageCache(cache_size)

    @classmethod
    def open(cls, url: str | None = None, *, config: EnsgateConfig | None = None,
             migrate: bool = True, cache_size: int = 2048) -> Store:
        """Open the store at ``url`` (default: the configuration's ``store``), bringing its
        schema to the current revision unless ``migrate`` is False."""
        if url is None:
            url = (config or load_config()).store or "sqlite://"
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine, url=url, config=config, cache_size=cache_size)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------
    def revision(self) -> str | None:
        return current_revision(self.engine)

    @staticmethod
    def head() -> str:
        return head_revision()

    # -- units ----------------------------------------------------------------------------
    def _batch(self, options: TranslateOptions | None) -> _Batch:
        opts = options or TranslateOptions()
        if opts.config is None and self.config is not None:
            from dataclasses import replace

            opts = replace(opts, config=self.config)
        return _Batch(opts)

    def prepare(self, batch: _Batch, pieces: list[SourcePiece], *, now: datetime,
                lineage: bool = False) -> Prepared:
        """A unit's work on its messages alone (no lock held): see :meth:`Unit.prepare`."""
        with gc_paused():
            return Unit(batch, _NO_STATE, now=now, lineage=lineage, trace=False).prepare(
                pieces, known=self._new_hashes)

    def _new_hashes(self, hashes: list[str]) -> list[bool]:
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return SqlState(conn, run_id=0).claim(hashes)

    def _run_unit(self, batch: _Batch, pieces: list[SourcePiece], *, now: datetime,
                  run_id: int | None, command: str = "ingest", keys: Iterable[str] = (),
                  folder: str | None = None, lineage: bool = False,
                  before_commit: Callable[[], None] | None = None) -> UnitReport:
        """One unit in one transaction, retried when another process stored one of its
        messages first (PostgreSQL) or the database reports a deadlock. The messages are
        read, hashed and mapped before the transaction (:meth:`Unit.prepare`), so that the
        write lock is held only for the part that needs the stored shipments."""
        prepared = self.prepare(batch, pieces, now=now, lineage=lineage) if pieces else None
        wait = before_commit if before_commit is not None else (lambda: None)
        for attempt in range(_RETRIES):
            try:
                wait()
                with self.engine.begin() as conn:
                    rid = run_id if run_id is not None else _start_run(conn, command, now)
                    state = SqlState(conn, run_id=rid, folder=folder)
                    unit = Unit(batch, state, now=now, cache=self.cache,
                                exports=folder is not None, lineage=lineage, trace=False)
                    with gc_paused():
                        # a unit run again maps again: the first run wrote into the
                        # fragments it assembled
                        report = unit.run(pieces, keys=keys,
                                          prepared=prepared if attempt == 0 else None)
                unit.remember(report)
                return report
            except (UnitConflict, IntegrityError) as exc:
                # another process stored a message, a shipment or an LRN of this unit first
                if attempt == _RETRIES - 1:
                    raise
                log.info("unit conflict (attempt %d, %s): running it again", attempt + 1,
                         type(exc).__name__)
            except DBAPIError as exc:
                if not _retryable(exc) or attempt == _RETRIES - 1:
                    raise
                log.info("database asked for a retry (%s): running the unit again", exc.orig)
                time.sleep(0.05 * (attempt + 1))
        raise UnitConflict("a unit kept conflicting with other processes")

    def ingest(self, data: bytes, name: str, *, now: datetime | None = None,
               options: TranslateOptions | None = None) -> IngestResult:
        """Take one input (one message, or a file of several) as a hub hands it over, store
        it and decide every shipment it touches; a message already stored is skipped.
        Feeding a batch's messages one call at a time gives the batch's filings."""
        batch = self._batch(options)
        when = aware(now) or batch.now()
        if new_versions(self.engine, batch.reference):
            self.sweep(when, options=options)  # records the new versions after deciding
        with gc_paused():
            msgs = read_messages(data, file=name)
        report = self._run_unit(batch, [SourcePiece(file=name, data=data, reader="detect",
                                                    messages=msgs)], now=when, run_id=None)
        counts: dict[str, int] = {}
        for it in report.items:
            counts[it.outcome] = counts.get(it.outcome, 0) + 1
        return IngestResult(stored=len(report.items), skipped=len(report.duplicates),
                            outcomes=counts, shipments=_shipment_outcomes(report),
                            messages=tuple(MessageOutcome(
                                label=it.msg.label, file=it.msg.file, index=it.msg.index,
                                kind=it.msg.kind, key=it.msg.key, outcome=it.outcome,
                                diagnostics=tuple(it.diagnostics)
                                if it.outcome in ("rejected", "not-ens") else ())
                                for it in report.items))

    def sweep(self, now: datetime | None = None, *, options: TranslateOptions | None = None,
              folder: Path | None = None,
              flight_times: bool = False) -> tuple[ShipmentOutcome, ...]:
        """Decide again every pending shipment whose wait is over at ``now`` (a partial
        filing after ``filing_policy.house_wait`` ...); with ``flight_times`` (or when a
        schedule file changed since the store last saw it) also those waiting for flight
        times, which a schedule may now give."""
        batch = self._batch(options)
        when = aware(now) or batch.now()
        new = new_versions(self.engine, batch.reference)
        flight_times = flight_times or any(f.kind == "schedules" for f in new)
        keys = self._due_keys(when, flight_times)
        done: list[ShipmentOutcome] = []
        for part in range(0, len(keys), 500):
            report = self._run_unit(batch, [], now=when, run_id=None, command="sweep",
                                    keys=keys[part:part + 500],
                                    folder=None if folder is None else str(folder))
            done.extend(_shipment_outcomes(report))
        if folder is not None:
            _exports.flush(self.engine, folder)
            _exports.settle(self.engine, folder)
        record_versions(self.engine, batch.reference, new, when)
        return tuple(done)

    # -- the batch ------------------------------------------------------------------------
    def translate(self, paths: Iterable[str | Path], out: Path | None = None,
                  options: TranslateOptions | None = None, *, window: int = DEFAULT_WINDOW,
                  lineage: bool = False, piece_bytes: int = STORE_PIECE_BYTES,
                  on_result: Callable[[BatchResult], None] | None = None,
                  on_progress: Callable[[dict[str, int]], None] | None = None,
                  sync: bool = True, out_format: str = "files",
                  jobs: int | None = 1) -> dict[str, Any]:
        """Translate files and folders through the store, window by window (each window one
        transaction); the filings stay in the store. With ``out``, they are also exported
        after each commit: ``out_format`` ``files`` gives one ``<LRN>.xml`` per filing (a
        hand-off that needs files), ``jsonl`` one ``filings.xml.jsonl`` for the folder
        (bulk); rejects, indexes and one ``diagnostics.jsonl`` in both. Returns the summary
        (also ``out/summary.json``). ``jobs`` worker processes (None: the cores available)
        read and map windows while one commits, in input order: the store ends as after
        ``jobs=1`` (``_jobs``); ``on_result`` then gets each window's rejects, not its
        filings. Lineage is recorded only with ``lineage`` (``--lineage``: also written as
        ``<LRN>.lineage.json``); without it the filings given to ``on_result`` carry none
        (it can be derived again from the stored source messages)."""
        if out_format not in OUT_FORMATS:
            raise ValueError(f"out_format must be one of {OUT_FORMATS}, not {out_format!r}")
        xml_files = out_format == "files"
        start = time.perf_counter()
        batch = self._batch(options)
        now = batch.now()
        folder = None if out is None else out.resolve()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            _exports.clean_temporaries(folder)
            # what a killed run left queued, or wrote without knowing it reached the disk
            _exports.flush(self.engine, folder, again=True, xml_files=xml_files)
        with self.engine.begin() as conn:
            run_id = _start_run(conn, "translate", now)
        total: dict[str, Any] = {}
        key = None if folder is None else str(folder)
        # a schedule file new to the store may give the flight times shipments wait for
        new = new_versions(self.engine, batch.reference)
        self._sweep_into(batch, now, run_id, key, lineage, total, on_result, xml_files,
                         flight_times=any(f.kind == "schedules" for f in new))
        record_versions(self.engine, batch.reference, new, now)
        done_bytes = 0

        def window_done(counts: dict[str, Any], result: BatchResult) -> None:
            nonlocal done_bytes
            done_bytes += counts.pop("bytes", 0)
            if folder is not None:
                _exports.flush(self.engine, folder, xml_files=xml_files)
            for k, v in counts.items():
                total[k] = total.get(k, 0) + v
            if on_result is not None:
                on_result(result)
            if on_progress is not None:
                on_progress({"bytes": done_bytes, "messages": total.get("messages_in", 0),
                             "filings": total.get("filings_written", 0),
                             "rejects": total.get("messages_rejected", 0)})

        max_bytes = batch.config.max_input_bytes
        if jobs is None:
            jobs = available_cores()
        if self.engine.url.database in (None, "", ":memory:"):
            jobs = 1  # an in-memory SQLite store lives in this process only
        windows = windows_of(plan_pieces(paths, max_bytes=max_bytes, piece_bytes=piece_bytes,
                                         exclude=folder, read=jobs <= 1), window)
        if jobs > 1:
            first = list(itertools.islice(windows, 2))
            windows = itertools.chain(first, windows)
            if len(first) < 2:
                jobs = 1  # one window: nothing to share out
                windows = iter([[_jobs.read_again(p) for p in w] for w in first])
        if jobs > 1:
            _jobs.run_windows(self, batch, windows, jobs=jobs, now=now, run_id=run_id,
                              folder=key, lineage=lineage, on_window=window_done)
        else:
            for pending in windows:
                result = BatchResult()
                report = self._run_unit(batch, pending, now=now, run_id=run_id, folder=key,
                                        lineage=lineage)
                collect(report, result)
                result.check()
                counts = _jobs.window_counts(result)
                counts["bytes"] = sum(len(p.data or b"") for p in pending)
                del report, pending
                window_done(counts, result)
                del result
                release_memory()
        self._sweep_into(batch, now, run_id, key, lineage, total, on_result, xml_files)
        summary = self._summary(total, run_id, time.perf_counter() - start)
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(
                finished_at=datetime.now(UTC), summary=json.dumps(summary, sort_keys=True)))
        if folder is not None:
            _exports.flush(self.engine, folder, xml_files=xml_files)
            summary["indexes"] = _exports.rebuild_indexes(self.engine, folder,
                                                          xml_stream=not xml_files)
            _exports.settle(self.engine, folder, sync=sync)
            write_atomic(folder / "summary.json", json.dumps(summary, indent=1).encode())
        return summary

    def _due_keys(self, now: datetime, flight_times: bool) -> list[str]:
        """Pending shipments whose wait is over; with ``flight_times``, also every shipment
        waiting for flight times (a new schedule may give them)."""
        due = (shipments.c.due_at.is_not(None)) & (shipments.c.due_at <= now)
        if flight_times:
            due = due | (shipments.c.waiting_for == FLIGHT_TIMES)
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return list(conn.execute(select(shipments.c.key).where(
                shipments.c.state == "pending", due).order_by(shipments.c.key)).scalars())

    def _sweep_into(self, batch: _Batch, now: datetime, run_id: int, folder: str | None,
                    lineage: bool, total: dict[str, Any],
                    on_result: Callable[[BatchResult], None] | None,
                    xml_files: bool = True, *, flight_times: bool = False) -> None:
        keys = self._due_keys(now, flight_times)
        for part in range(0, len(keys), 500):
            report = self._run_unit(batch, [], now=now, run_id=run_id,
                                    keys=keys[part:part + 500], folder=folder,
                                    lineage=lineage)
            result = BatchResult()
            collect(report, result)
            if folder is not None:
                _exports.flush(self.engine, Path(folder), xml_files=xml_files)
            _merge(total, result)
            if on_result is not None:
                on_result(result)

    def _summary(self, total: dict[str, Any], run_id: int, seconds: float) -> dict[str, Any]:
        """The run's counts, each from its own source, cross-checked: messages read (the
        readers), the outcome lists of each window, the outcomes of the messages this run
        stored (counted in the store), duplicates."""
        summary: dict[str, Any] = {k: total.get(k, 0) for k in (
            "files_in", "messages_in", "filings_written", *_MESSAGE_COUNTS,
            "shipments_rejected", "shipments_pending", "shipments_not_subject",
            "earlier_rejected")}
        summary["seconds"] = round(seconds, 3)
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            stored: dict[str, int] = {o: int(n) for o, n in conn.execute(select(
                messages.c.outcome, func.count()).where(messages.c.run_id == run_id).group_by(
                messages.c.outcome)).all()}
        summary["stored_outcomes"] = stored
        problems = []
        by_outcome = sum(summary[k] for k in _MESSAGE_COUNTS)
        if by_outcome != summary["messages_in"]:
            problems.append(f"accounting: {summary['messages_in']} messages read, "
                            f"{by_outcome} with an outcome in their window")
        # the outcomes reported are those the store holds at the end of the run (a message
        # pending in its window may have filed in a later one)
        for k in _MESSAGE_COUNTS[:-1]:
            summary[k] = stored.get(k.removeprefix("messages_").replace("_", "-"), 0)
        stored_total = sum(stored.values())
        if stored_total + summary["messages_duplicate"] != summary["messages_in"]:
            problems.append(f"accounting: {summary['messages_in']} messages read, "
                            f"{stored_total} stored by this run and "
                            f"{summary['messages_duplicate']} duplicates")
        for p in problems:
            log.error("%s", p)
        summary["accounting_errors"] = problems
        summary["run"] = run_id
        return summary

def _start_run(conn: Connection, command: str, now: datetime) -> int:
    rid = conn.execute(insert(runs).values(command=command, started_at=now).returning(
        runs.c.id)).scalar_one()
    return int(rid)


_MESSAGE_COUNTS = ("messages_filed", "messages_rejected", "messages_pending",
                   "messages_not_ens", "messages_not_subject", "messages_supporting",
                   "messages_superseded", "messages_duplicate")


def _merge(total: dict[str, Any], part: BatchResult) -> None:
    """Add a window's counts to the run's (the run keeps counts, not objects: flat memory)."""
    for k, v in summarise(part).items():
        if k != "seconds":
            total[k] = total.get(k, 0) + v
    total["earlier_rejected"] = total.get("earlier_rejected", 0) + len(part.earlier_rejects)


_LIBC: Any = None


def release_memory() -> None:
    """Give the freed heap of a window back to the operating system (glibc ``malloc_trim``):
    a window frees hundreds of MB in objects of every size, and without it the process's
    resident memory creeps up window after window (measured: 919 MB peak on a 100 MB input,
    bench/README.md). A no-op where glibc is not the C library."""
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim  # noqa: B018 - probe
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def translate_to_folder(paths: Iterable[str | Path], out: Path,
                        options: TranslateOptions | None = None, *,
                        window: int = DEFAULT_WINDOW, lineage: bool = False,
                        piece_bytes: int = STORE_PIECE_BYTES,
                        on_result: Callable[[BatchResult], None] | None = None,
                        store: Store | str | None = None) -> dict[str, Any]:
    """Translate files and folders into ``out`` through a shipment store (``store``: an open
    store or a URL; default: a SQLite store in a temporary folder, gone after the call, so
    memory stays flat on any input); returns the summary."""
    if isinstance(store, Store):
        return store.translate(paths, out, options, window=window, lineage=lineage,
                               piece_bytes=piece_bytes, on_result=on_result)
    config = options.config if options is not None else None
    with tempfile.TemporaryDirectory(prefix="ensgate-store-") as tmp:
        url = store or f"sqlite:///{Path(tmp) / 'store.db'}"
        with Store.open(url, config=config) as opened:
            return opened.translate(paths, out, options, window=window, lineage=lineage,
                                    piece_bytes=piece_bytes, on_result=on_result)
