"""``ensgate serve``: one asyncio process that ingests from its inputs (watched folders, HTTP,
a broker), sweeps the decisions due by the clock, files what is due (deadline order, through
``ensgate.outbox``), pulls answers, delivers events to the sinks, and answers health and
metrics.

Every piece of store work runs in a worker thread (the store is synchronous SQLAlchemy):
payloads and sweeps on one thread (they take turns, as units do), filing, pulling and sink
delivery on another. Stopping (SIGTERM, SIGINT) sets one event: each input finishes the
payload in hand and returns (a watched file not done yet stays in ``work/`` and is resumed at
the next start), each scheduled task finishes its current round; then the process exits. A
restart resumes from the store: what was committed is skipped as a duplicate, a filing left
``sent`` goes again with its MessageId (``docs/filing.md``), so nothing is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from ..diagnostics import ConfigError
from ..pipeline import TranslateOptions
from ..store import Store
from ._folders import FolderInput
from ._ingest import IngestOutcome, ingest_payload
from ._metrics import Metrics
from ._settings import ServeSettings

log = logging.getLogger("ensgate.service")
T = TypeVar("T")


class Input(Protocol):
    """A source of payloads: runs until ``stop`` is set, handing each payload to the ingest
    function it was made with, and returns once the payload in hand is done (or handed back:
    a broker message not acknowledged is redelivered)."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


Ingest = Callable[[str, bytes], Awaitable[IngestOutcome]]


def broker_input(url: str, ingest: Ingest) -> Input:
    """The broker consumer for ``--broker URL``: the RabbitMQ consumer of ``ensgate worker``
    (``docs/broker.md``; default queue and exchanges), each message acknowledged after
    ``ingest`` returned (the store committed it)."""
    from ..connectors.broker import BrokerInput, BrokerSettings

    if not url.startswith(("amqp://", "amqps://")):
        raise ConfigError(f"--broker {url.split('@')[-1]}: expected an amqp:// or amqps:// URL")

    async def into_store(data: bytes, name: str) -> IngestOutcome:
        return await ingest(name, data)

    return BrokerInput(BrokerSettings(url=url), into_store)


@dataclass(frozen=True, slots=True, kw_only=True)
class Health:
    ok: bool
    started_at: str
    inputs: tuple[str, ...]
    last_errors: tuple[tuple[str, str], ...]  # (task, error) of the last failed round


class Service:
    """One serving process over one store."""

    def __init__(self, store: Store, settings: ServeSettings, *,
                 options: TranslateOptions | None = None, connector: Any = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.options = options
        self.connector = connector
        self.clock = clock
        self.metrics = Metrics(self._report)
        self.stop = asyncio.Event()
        self._ingest_pool = ThreadPoolExecutor(1, thread_name_prefix="ensgate-ingest")
        self._outbox_pool = ThreadPoolExecutor(1, thread_name_prefix="ensgate-outbox")
        self.started_at = datetime.now(UTC)
        self.errors: dict[str, str] = {}
        self.inputs: list[Input] = [FolderInput(d, self.ingest_from(f"folder:{d.name}"),
                                                stable_seconds=settings.stable_seconds)
                                    for d in settings.watch]
        if settings.broker:
            self.inputs.append(broker_input(settings.broker, self.ingest_from("broker")))

    # -- work -----------------------------------------------------------------------------
    def _now(self) -> datetime | None:
        return self.clock() if self.clock else None

    def _report(self) -> dict[str, Any]:
        return self.store.report(self._now())

    async def _in(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def ingest_from(self, source: str) -> Ingest:
        async def ingest(name: str, data: bytes) -> IngestOutcome:
            return await self.ingest(source, name, data)
        return ingest

    async def ingest(self, source: str, name: str, data: bytes) -> IngestOutcome:
        """Store one payload (idempotent by content hash) and count it."""
        start = time.monotonic()
        out = await self._in(self._ingest_pool, lambda: ingest_payload(
            self.store, name=name, data=data, options=self.options, now=self._now()))
        self.metrics.count_ingest(source, out, time.monotonic() - start)
        for f in out.filings:
            log.info("%s: %s %s", name, f.action, f.filing,
                     extra={"key": f.key, "lrn": f.lrn, "input": source, "file": name})
        for r in out.rejects:
            log.info("%s: %s (%s)", r.label, r.outcome,
                     ", ".join(d.code for d in r.diagnostics if d.is_error) or "-",
                     extra={"input": source, "file": name})
        return out

    def sweep(self) -> int:
        return len(self.store.sweep(self._now(), options=self.options))

    def file_due(self) -> int:
        from ..outbox import file_due

        report = file_due(self.store, self.connector, concurrency=self.settings.concurrency,
                          endpoint=self.settings.endpoint or "")
        for h in report.handed:
            self.metrics.handed.labels(h.outcome).inc()
            log.info("%s %s", h.outcome, h.filing,
                     extra={"lrn": h.lrn, "message_id": h.message_id})
        return len(report.handed)

    def pull(self) -> int:
        from ..outbox import pull_answers

        report = pull_answers(self.store, self.connector)
        for p in report.pulled:
            if p.fresh:
                self.metrics.answers.labels(p.action).inc()
            log.info("answer %s", p.action, extra={"lrn": p.lrn, "message_id": p.message_id})
        return len(report.pulled)

    def deliver(self) -> int:
        from ..sinks import deliver_events

        done = 0
        for r in deliver_events(self.store):
            done += r.delivered
            if r.error:
                log.warning("sink %s: %s; kept for the next round", r.sink, r.error,
                            extra={"sink": r.sink})
        return done

    def file_now(self) -> Awaitable[int]:
        """Hand what is due over now (``POST /filings/run``)."""
        if self.connector is None:
            raise ConfigError("no AS4 endpoint configured (serve.endpoint)")
        return self._in(self._outbox_pool, self.file_due)

    async def _every(self, name: str, seconds: float, fn: Callable[[], int],
                     pool: ThreadPoolExecutor) -> None:
        while not self.stop.is_set():
            try:
                await self._in(pool, fn)
                self.errors.pop(name, None)
            except Exception as exc:  # a failed round is logged and tried again next time
                self.errors[name] = f"{type(exc).__name__}: {exc}"
                self.metrics.errors.labels(name).inc()
                log.exception("%s failed; trying again in %.0f s", name, seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=seconds)

    def health(self) -> Health:
        return Health(ok=not self.errors, started_at=self.started_at.isoformat(),
                      inputs=tuple(i.name for i in self.inputs),
                      last_errors=tuple(sorted(self.errors.items())))

    async def _input(self, inp: Input) -> None:
        try:
            await inp.run(self.stop)
        except Exception:
            log.exception("input %s stopped", inp.name, extra={"input": inp.name})
            self.errors[inp.name] = "stopped"

    async def run(self, extra: tuple[Callable[[asyncio.Event], Awaitable[None]], ...] = (),
                  ) -> None:
        """Run until :attr:`stop` is set; return once every input and task has finished its
        work in hand."""
        s = self.settings
        tasks: list[Awaitable[None]] = [self._input(i) for i in self.inputs]
        tasks.append(self._every("sweep", s.sweep_every, self.sweep, self._ingest_pool))
        if self.connector is not None:
            tasks.append(self._every("file", s.file_every, self.file_due, self._outbox_pool))
            tasks.append(self._every("pull", s.pull_every, self.pull, self._outbox_pool))
        if self.store.config is not None and self.store.config.sinks:
            tasks.append(self._every("sinks", s.sinks_every, self.deliver, self._outbox_pool))
        tasks.extend(t(self.stop) for t in extra)
        log.info("serving: %s", ", ".join(i.name for i in self.inputs) or "no inputs")
        try:
            await asyncio.gather(*tasks)
        finally:
            self._ingest_pool.shutdown(wait=True)
            self._outbox_pool.shutdown(wait=True)
            log.info("stopped")
