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

import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..config import EnsgateConfig, load_config
from ..ledger import normalise_party
from ..mapping._assemble import awb_key
from ..pipeline import (
    BatchResult,
    MessageCache,
    SourcePiece,
    TranslateOptions,
    Unit,
    UnitReport,
    iter_source_pieces,
    read_messages,
)
from ..pipeline._batch import _Batch, collect, gc_paused
from ..pipeline._output import summarise, write_atomic
from . import _exports
from ._db import current_revision, head_revision, make_engine, upgrade
from ._schema import (
    events,
    exchanges,
    filings,
    messages,
    runs,
    shipment_houses,
    shipments,
)
from ._sqlstate import SqlState, UnitConflict, pack, unpack, utc

log = logging.getLogger("ensgate.store")

DEFAULT_WINDOW = 2_000
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
class IngestResult:
    """What ``Store.ingest`` did: messages stored and skipped (duplicates), the outcome of
    each stored message, and per shipment key what happened."""

    stored: int
    skipped: int
    outcomes: dict[str, int] = field(default_factory=dict)
    shipments: tuple[ShipmentOutcome, ...] = ()

    def by_key(self) -> dict[str, ShipmentOutcome]:
        return {s.key: s for s in self.shipments}

    def of(self, awb: str) -> ShipmentOutcome:
        """The outcome for an AWB (any spelling: ``180-88351270`` or ``18088351270``)."""
        return self.by_key()[awb_key(awb)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SentExchange:
    """An ENS handed to customs over AS4 (``receipt``: "ok", "error" or "" not yet known)."""

    message_id: str
    lrn: str
    action: str
    endpoint: str
    receipt: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerExchange:
    """A customs answer received (pulled or pushed)."""

    message_id: str
    ref_to_message_id: str | None
    action: str
    lrn: str | None
    mrn: str | None
    errors: str
    received_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FilingRow:
    lrn: str
    filing: str
    state: str
    declarant: str
    mrn: str | None
    shipment: str
    key: str
    xml: bytes


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


class Store:
    """The shipment store. Open with :meth:`open`; use as a context manager or ``close()``."""

    def __init__(self, engine: Engine, *, url: str, config: EnsgateConfig | None = None,
                 cache_size: int = 4096) -> None:
        self.engine = engine
        self.url = url
        self.config = config
        self.cache = MessageCache(cache_size)

    @classmethod
    def open(cls, url: str | None = None, *, config: EnsgateConfig | None = None,
             migrate: bool = True, cache_size: int = 4096) -> Store:
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

    def _run_unit(self, batch: _Batch, pieces: list[SourcePiece], *, now: datetime,
                  run_id: int | None, command: str = "ingest", keys: Iterable[str] = (),
                  folder: str | None = None, lineage: bool = False) -> UnitReport:
        """One unit in one transaction, retried when another process stored one of its
        messages first (PostgreSQL) or the database reports a deadlock."""
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    rid = run_id if run_id is not None else _start_run(conn, command, now)
                    state = SqlState(conn, run_id=rid, folder=folder)
                    unit = Unit(batch, state, now=now, cache=self.cache,
                                exports=folder is not None, lineage=lineage)
                    with gc_paused():
                        report = unit.run(pieces, keys=keys)
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
        when = _aware(now) or batch.now()
        with gc_paused():
            msgs = read_messages(data, file=name)
        report = self._run_unit(batch, [SourcePiece(file=name, data=data, reader="detect",
                                                    messages=msgs)], now=when, run_id=None)
        counts: dict[str, int] = {}
        for it in report.items:
            counts[it.outcome] = counts.get(it.outcome, 0) + 1
        return IngestResult(stored=len(report.items), skipped=len(report.duplicates),
                            outcomes=counts, shipments=_shipment_outcomes(report))

    def sweep(self, now: datetime | None = None, *, options: TranslateOptions | None = None,
              folder: Path | None = None) -> tuple[ShipmentOutcome, ...]:
        """Decide again every pending shipment whose wait is over at ``now`` (a partial
        filing after ``filing_policy.house_wait`` ...)."""
        batch = self._batch(options)
        when = _aware(now) or batch.now()
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            keys = list(conn.execute(select(shipments.c.key).where(
                shipments.c.state == "pending", shipments.c.due_at.is_not(None),
                shipments.c.due_at <= when).order_by(shipments.c.key)).scalars())
        done: list[ShipmentOutcome] = []
        for part in range(0, len(keys), 500):
            report = self._run_unit(batch, [], now=when, run_id=None, command="sweep",
                                    keys=keys[part:part + 500],
                                    folder=None if folder is None else str(folder))
            done.extend(_shipment_outcomes(report))
        if folder is not None:
            _exports.flush(self.engine, folder)
        return tuple(done)

    # -- the batch ------------------------------------------------------------------------
    def translate(self, paths: Iterable[str | Path], out: Path | None = None,
                  options: TranslateOptions | None = None, *, window: int = DEFAULT_WINDOW,
                  lineage: bool = False, piece_bytes: int = 1 << 20,
                  on_result: Callable[[BatchResult], None] | None = None,
                  on_progress: Callable[[dict[str, int]], None] | None = None,
                  sync: bool = True) -> dict[str, Any]:
        """Translate files and folders through the store, window by window (each window one
        transaction); with ``out``, its files are written from the store after each commit.
        Returns the summary (also ``out/summary.json``)."""
        start = time.perf_counter()
        batch = self._batch(options)
        now = batch.now()
        folder = None if out is None else out.resolve()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            _exports.clean_temporaries(folder)
            _exports.flush(self.engine, folder, sync=sync)  # what a killed run left queued
        with self.engine.begin() as conn:
            run_id = _start_run(conn, "translate", now)
        total: dict[str, Any] = {}
        key = None if folder is None else str(folder)
        self._sweep_into(batch, now, run_id, key, lineage, total, on_result)
        pending: list[SourcePiece] = []
        count = 0
        done_bytes = 0

        def flush_window() -> None:
            nonlocal pending, count, done_bytes
            if not pending:
                return
            done_bytes += sum(len(p.data or b"") for p in pending)
            result = BatchResult()
            report = self._run_unit(batch, pending, now=now, run_id=run_id, folder=key,
                                    lineage=lineage)
            collect(report, result)
            result.check()
            if folder is not None:
                _exports.flush(self.engine, folder, sync=sync)
            _merge(total, result)
            if on_result is not None:
                on_result(result)
            if on_progress is not None:
                on_progress({"bytes": done_bytes, "messages": total.get("messages_in", 0),
                             "filings": total.get("filings_written", 0),
                             "rejects": total.get("messages_rejected", 0)})
            pending, count = [], 0

        max_bytes = batch.config.max_input_bytes
        for piece in iter_source_pieces(paths, max_bytes=max_bytes, piece_bytes=piece_bytes,
                                        exclude=folder):
            if count >= window:
                flush_window()
            pending.append(piece)
            count += len(piece.messages)
        flush_window()
        self._sweep_into(batch, now, run_id, key, lineage, total, on_result)
        summary = self._summary(total, run_id, time.perf_counter() - start)
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(
                finished_at=datetime.now(UTC), summary=json.dumps(summary, sort_keys=True)))
        if folder is not None:
            _exports.flush(self.engine, folder, sync=sync)
            summary["indexes"] = _exports.rebuild_indexes(self.engine, folder)
            write_atomic(folder / "summary.json", json.dumps(summary, indent=1).encode())
        return summary

    def _sweep_into(self, batch: _Batch, now: datetime, run_id: int, folder: str | None,
                    lineage: bool, total: dict[str, Any],
                    on_result: Callable[[BatchResult], None] | None) -> None:
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            keys = list(conn.execute(select(shipments.c.key).where(
                shipments.c.state == "pending", shipments.c.due_at.is_not(None),
                shipments.c.due_at <= now).order_by(shipments.c.key)).scalars())
        for part in range(0, len(keys), 500):
            report = self._run_unit(batch, [], now=now, run_id=run_id,
                                    keys=keys[part:part + 500], folder=folder,
                                    lineage=lineage)
            result = BatchResult()
            collect(report, result)
            if folder is not None:
                _exports.flush(self.engine, Path(folder))
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

    # -- questions ------------------------------------------------------------------------
    def _reader(self) -> Any:
        return self.engine.connect().execution_options(sqlite_begin="DEFERRED")

    def find(self, key: str) -> list[int]:
        """Shipment ids for an AWB, HAWB, LRN or MRN."""
        text = key.strip()
        with self._reader() as conn:
            found = list(conn.execute(select(shipments.c.id).where(
                shipments.c.key == awb_key(text))).scalars())
            if not found:
                found = list(conn.execute(select(shipment_houses.c.shipment_id).where(
                    or_(shipment_houses.c.hawb == text,
                        shipment_houses.c.hawb == text.upper()))).scalars())
            if not found:
                found = list(conn.execute(select(filings.c.shipment_id).where(
                    or_(filings.c.lrn == text, filings.c.mrn == text.upper()))).scalars())
        return sorted(set(found))

    def status(self, key: str) -> dict[str, Any] | None:
        """The shipment of an AWB, HAWB, LRN or MRN: its state, filings and history."""
        ids = self.find(key)
        if not ids:
            return None
        with self._reader() as conn:
            ship = conn.execute(select(shipments).where(shipments.c.id == ids[0])).one()
            fs = conn.execute(select(filings.c.id, filings.c.lrn, filings.c.filing,
                                     filings.c.state, filings.c.mrn, filings.c.declarant,
                                     filings.c.as4_message_id, filings.c.created_at,
                                     filings.c.updated_at).where(
                filings.c.shipment_id == ship.id).order_by(filings.c.id)).all()
            evs = conn.execute(select(events.c.at, events.c.kind, events.c.from_state,
                                      events.c.to_state, events.c.cause,
                                      events.c.filing_id).where(
                or_(events.c.shipment_id == ship.id,
                    events.c.filing_id.in_([f.id for f in fs] or [-1]))).order_by(
                events.c.id)).all()
            houses = list(conn.execute(select(shipment_houses.c.hawb).where(
                shipment_houses.c.shipment_id == ship.id).order_by(
                shipment_houses.c.hawb)).scalars())
            msgs = conn.execute(select(messages.c.label, messages.c.outcome).join(
                _links(), _links().c.message_id == messages.c.id).where(
                _links().c.shipment_id == ship.id).distinct().order_by(
                messages.c.label)).all()
            exch = conn.execute(select(exchanges.c.direction, exchanges.c.action,
                                       exchanges.c.as4_message_id, exchanges.c.at,
                                       exchanges.c.receipt, exchanges.c.mrn,
                                       exchanges.c.filing_id).where(
                exchanges.c.filing_id.in_([f.id for f in fs] or [-1])).order_by(
                exchanges.c.id)).all()
        lrn_of = {f.id: f.lrn for f in fs}
        return {
            "key": ship.mawb or ship.key, "state": ship.state, "shape": ship.shape,
            "waiting_for": ship.waiting_for, "reason": ship.reason,
            "due_at": _iso(utc(ship.due_at)), "houses": houses,
            "route": json.loads(ship.route or "{}"),
            "filings": [{"lrn": f.lrn, "type": f.filing, "state": f.state, "mrn": f.mrn,
                         "declarant": f.declarant, "as4_message_id": f.as4_message_id,
                         "created_at": _iso(utc(f.created_at)),
                         "updated_at": _iso(utc(f.updated_at))} for f in fs],
            "messages": [{"label": m.label, "outcome": m.outcome} for m in msgs],
            "exchanges": [{"direction": x.direction, "action": x.action,
                           "as4_message_id": x.as4_message_id, "at": _iso(utc(x.at)),
                           "receipt": x.receipt, "mrn": x.mrn,
                           "lrn": lrn_of.get(x.filing_id)} for x in exch],
            "events": [{"at": _iso(utc(e.at)), "kind": e.kind, "from": e.from_state,
                        "to": e.to_state, "cause": e.cause,
                        "lrn": lrn_of.get(e.filing_id)} for e in evs],
        }

    def report(self) -> dict[str, Any]:
        """Counts of shipments and filings by state, and what is pending and why."""
        with self._reader() as conn:
            ships = dict(conn.execute(select(shipments.c.state, func.count()).where(
                shipments.c.input_digest != "").group_by(shipments.c.state)).all())
            fils = dict(conn.execute(select(filings.c.state, func.count()).group_by(
                filings.c.state)).all())
            outcomes = dict(conn.execute(select(messages.c.outcome, func.count()).group_by(
                messages.c.outcome)).all())
            pending = [{"key": r.mawb or r.key, "waiting_for": r.waiting_for,
                        "due_at": _iso(utc(r.due_at))} for r in conn.execute(select(
                            shipments.c.key, shipments.c.mawb, shipments.c.waiting_for,
                            shipments.c.due_at).where(shipments.c.state == "pending")
                            .order_by(shipments.c.key))]
        return {"shipments": ships, "filings": fils, "messages": outcomes,
                "pending": pending}

    # -- the ledger view (R3003, code 81) and exchanges with customs ----------------------
    def lrn_used(self, declarant: str, lrn: str) -> bool:
        """True when a filing with this LRN was sent by this declarant (or holds it)."""
        from ..pipeline import SENT_FILING_STATES

        with self._reader() as conn:
            state = conn.execute(select(filings.c.state).where(
                filings.c.declarant == normalise_party(declarant),
                filings.c.lrn == lrn.strip())).scalar()
        return state is not None and (state in SENT_FILING_STATES or state == "ready")

    def filings(self) -> Iterator[FilingRow]:
        """Every filing (oldest first), with its XML."""
        with self._reader() as conn:
            for r in conn.execute(select(
                    filings.c.lrn, filings.c.filing, filings.c.state, filings.c.declarant,
                    filings.c.mrn, filings.c.xml, shipments.c.mawb, shipments.c.key).join(
                    shipments, shipments.c.id == filings.c.shipment_id).order_by(
                    filings.c.id)).yield_per(500):
                yield FilingRow(lrn=r.lrn, filing=r.filing, state=r.state,
                                declarant=r.declarant, mrn=r.mrn, shipment=r.mawb,
                                key=r.key, xml=unpack(r.xml))

    def filing_xml(self, lrn: str) -> bytes | None:
        with self._reader() as conn:
            x = conn.execute(select(filings.c.xml).where(filings.c.lrn == lrn).order_by(
                filings.c.id.desc())).scalar()
        return None if x is None else unpack(x)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def record_sent(self, *, message_id: str, lrn: str, action: str, endpoint: str,
                    body: bytes | None = None, at: datetime | None = None) -> None:
        """An ENS handed to customs (AS4 MessageId): the exchange, and its filing becomes
        ``sent`` (its LRN is used from now on)."""
        when = _aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid, state = _filing_by_lrn(conn, lrn)
            conn.execute(_upsert_ignore(conn, exchanges), [{
                "filing_id": fid, "direction": "out", "as4_message_id": message_id,
                "ref_to_message_id": None, "action": action, "lrn": lrn, "mrn": None,
                "endpoint": endpoint, "receipt": "", "body": None if body is None
                else pack(body), "at": when, "detail": ""}])
            if fid is not None and state in ("ready", "sent"):
                _set_filing(conn, fid, state, "sent", f"sent over AS4 as {message_id}", when,
                            as4_message_id=message_id, sent_at=when)

    def record_receipt(self, message_id: str, *, ok: bool, detail: str = "",
                       at: datetime | None = None) -> None:
        when = _aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(exchanges.c.id, exchanges.c.filing_id).where(
                exchanges.c.direction == "out", exchanges.c.as4_message_id == message_id)
            ).first()
            if row is None:
                return
            conn.execute(update(exchanges).where(exchanges.c.id == row.id).values(
                receipt="ok" if ok else "error", detail=detail))
            if row.filing_id is not None:
                state = conn.execute(select(filings.c.state).where(
                    filings.c.id == row.filing_id)).scalar_one()
                if ok and state == "sent":
                    _set_filing(conn, row.filing_id, state, "receipt",
                                f"AS4 receipt for {message_id} verified", when)
                elif not ok and state in ("sent", "receipt"):
                    _set_filing(conn, row.filing_id, state, "rejected",
                                f"AS4 refusal of {message_id}: {detail}", when)

    def record_answer(self, *, message_id: str, ref_to_message_id: str | None, action: str,
                      lrn: str | None, mrn: str | None, errors: str = "",
                      body: bytes | None = None, at: datetime | None = None) -> bool:
        """A customs answer received (pulled or pushed); False when this MessageId was
        recorded before (a duplicate delivery, not processed twice). An IE3R01 registers the
        filing with its MRN; an IE3N99 rejects it (its LRN stays used)."""
        when = _aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid = None
            if ref_to_message_id:
                fid = conn.execute(select(exchanges.c.filing_id).where(
                    exchanges.c.direction == "out",
                    exchanges.c.as4_message_id == ref_to_message_id)).scalar()
            if fid is None and lrn:
                fid = _filing_by_lrn(conn, lrn)[0]
            res = conn.execute(_upsert_ignore(conn, exchanges), [{
                "filing_id": fid, "direction": "in", "as4_message_id": message_id,
                "ref_to_message_id": ref_to_message_id, "action": action, "lrn": lrn,
                "mrn": mrn, "endpoint": "", "receipt": "", "body": None if body is None
                else pack(body), "at": when, "detail": errors}])
            if res.rowcount != 1:
                return False
            if fid is not None:
                state = conn.execute(select(filings.c.state).where(
                    filings.c.id == fid)).scalar_one()
                if action == "IE3R01" and mrn:
                    _set_filing(conn, fid, state, "registered",
                                f"IE3R01 {message_id}: MRN {mrn}", when, mrn=mrn)
                elif action in ("IE3N99", "IE3N01"):
                    _set_filing(conn, fid, state, "rejected",
                                f"{action} {message_id}: {errors}".strip(), when)
                else:
                    conn.execute(insert(events).values(
                        at=when, filing_id=fid, kind="answer", from_state=state,
                        to_state=state, cause=f"{action} {message_id}"))
            return True

    def answers_for(self, message_id: str, *, lrn: str | None = None) -> list[AnswerExchange]:
        """Answers referring to a sent message (by RefToMessageId, or by its LRN)."""
        with self._reader() as conn:
            rows = conn.execute(select(exchanges).where(
                exchanges.c.direction == "in",
                or_(exchanges.c.ref_to_message_id == message_id,
                    exchanges.c.lrn == (lrn or "\x00"))).order_by(exchanges.c.id)).all()
        return [AnswerExchange(message_id=r.as4_message_id,
                               ref_to_message_id=r.ref_to_message_id, action=r.action,
                               lrn=r.lrn, mrn=r.mrn, errors=r.detail,
                               received_at=utc(r.at) or datetime.now(UTC)) for r in rows]

    def sent(self, message_id: str) -> SentExchange | None:
        """The ENS sent with this AS4 MessageId, or None."""
        with self._reader() as conn:
            r = conn.execute(select(exchanges).where(
                exchanges.c.direction == "out",
                exchanges.c.as4_message_id == message_id)).first()
        return None if r is None else SentExchange(
            message_id=r.as4_message_id, lrn=r.lrn or "", action=r.action,
            endpoint=r.endpoint, receipt=r.receipt, detail=r.detail,
            at=utc(r.at) or datetime.now(UTC))


def _links() -> Any:
    from ._schema import message_shipments

    return message_shipments


def _filing_by_lrn(conn: Connection, lrn: str) -> tuple[int | None, str | None]:
    row = conn.execute(select(filings.c.id, filings.c.state).where(
        filings.c.lrn == lrn, filings.c.state != "superseded").order_by(
        filings.c.id.desc())).first()
    return (None, None) if row is None else (row.id, row.state)


def _set_filing(conn: Connection, fid: int, old: str, new: str, cause: str, when: datetime,
                **values: Any) -> None:
    from ..pipeline import FILING_STATES
    from ..pipeline._state import check_state

    check_state(FILING_STATES, new)
    conn.execute(update(filings).where(filings.c.id == fid).values(state=new, updated_at=when,
                                                                  **values))
    conn.execute(insert(events).values(at=when, filing_id=fid, kind="filing", from_state=old,
                                       to_state=new, cause=cause))


def _upsert_ignore(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing()


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


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def translate_to_folder(paths: Iterable[str | Path], out: Path,
                        options: TranslateOptions | None = None, *,
                        window: int = DEFAULT_WINDOW, lineage: bool = False,
                        piece_bytes: int = 1 << 20,
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
