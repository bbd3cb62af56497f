"""``ensgate worker``: processes consuming the queue into one shared store.

``worker_main`` is one process: a ``BrokerInput`` over the store, plus (when the settings name
an events exchange) the store's events published there every ``events_every`` seconds. Every
worker tries; the sink's lease in the store lets one at a time deliver, in order.
``run_workers`` starts N of them (one per core by default) and supervises them: a worker that
dies is started again after a second (its unacknowledged deliveries went back to the queue
when its connection dropped); SIGTERM or SIGINT is passed on to every worker, each finishes
the message in hand, and the call returns when all have stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractExchange

from ensgate.sinks import deliver_events

from ._events import AmqpEventSink
from ._input import BrokerInput, BrokerSettings

log = logging.getLogger("ensgate.broker")


def ingest_into(store: Any) -> Any:
    """The one place a delivery enters the store (one unit, committed when it returns)."""
    from ensgate.service import ingest_payload

    async def ingest(data: bytes, name: str) -> Any:
        return await asyncio.to_thread(ingest_payload, store, name=name, data=data)
    return ingest


async def _publish_events(store: Any, settings: BrokerSettings, stop: asyncio.Event,
                          channel: AbstractChannel, exchange: AbstractExchange | None) -> None:
    if exchange is None:
        return
    sink = AmqpEventSink(name=f"amqp:{settings.events_exchange}", exchange=exchange,
                         loop=asyncio.get_running_loop())
    while not stop.is_set():
        try:
            for report in await asyncio.to_thread(deliver_events, store, [sink]):
                if report.error and report.error != "busy":
                    log.warning("events to %s stopped: %s", sink.name, report.error)
        except Exception:
            log.exception("events to %s failed; trying again", sink.name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.events_every)


async def serve_queue(store: Any, settings: BrokerSettings, stop: asyncio.Event) -> BrokerInput:
    """Consume until ``stop`` is set (what ``ensgate serve --broker`` runs as well)."""
    async def side(channel: AbstractChannel, exchange: AbstractExchange | None) -> None:
        await _publish_events(store, settings, stop, channel, exchange)

    broker = BrokerInput(settings, ingest_into(store), on_channel=side)
    await broker.run(stop)
    return broker


def worker_main(settings: BrokerSettings, store_url: str, config_path: str | None = None) -> None:
    """One worker process: runs until SIGTERM or SIGINT."""
    from ensgate.config import load_config
    from ensgate.store import Store

    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s worker {os.getpid()} %(levelname)s %(message)s")
    config = load_config(config_path)
    with Store.open(store_url, config=config) as store:
        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            broker = await serve_queue(store, settings, stop)
            log.info("stopped: %s", broker.counts)

        asyncio.run(main())


def run_workers(settings: BrokerSettings, store_url: str, *, workers: int | None = None,
                config_path: str | None = None) -> int:
    """Start ``workers`` processes (default: one per core) and supervise them until SIGTERM
    or SIGINT; returns 0."""
    from ensgate.store import Store

    Store.open(store_url).close()  # the schema brought up to date once, before the workers
    count = workers or os.cpu_count() or 1
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> Any:
        proc = ctx.Process(target=worker_main, args=(settings, store_url, config_path),
                           daemon=False)
        proc.start()
        return proc

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.is_alive() and p.pid is not None:
                os.kill(p.pid, signal.SIGTERM)

    procs = [start() for _ in range(count)]
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            alive = False
            for n, p in enumerate(procs):
                if p.is_alive():
                    alive = True
                elif not stopping:
                    log.warning("worker %s ended (exit %s): starting another", p.pid,
                                p.exitcode)
                    time.sleep(1.0)
                    procs[n] = start()
                    alive = True
            if not alive:
                return 0
            time.sleep(0.2)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
