"""``ensgate worker`` processes on the real RabbitMQ and PostgreSQL: a worker killed before
its commit loses nothing; three workers, one killed mid-run, file every shipment once."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _broker_helpers import depth, generate, publish, run, take_all
from sqlalchemy import create_engine, text

from ensgate.connectors.broker import BrokerSettings
from ensgate.store import Store

ENSGATE = str(Path(sys.executable).with_name("ensgate"))
AWB = re.compile(r"^(\d{3}-\d{8})", re.M)


def start_worker(settings: BrokerSettings, store_url: str, log: Path) -> subprocess.Popen[bytes]:
    """``ensgate worker --workers 1`` in a session of its own (killpg takes it whole)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [ENSGATE, "worker", "--broker", settings.url, "--store", store_url, "--workers", "1",
             "--queue", settings.queue, "--dead-exchange", settings.dead_exchange,
             "--events-exchange", "", "--prefetch", "4"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(what: Callable[[], bool], timeout: float, why: str) -> None:
    end = time.monotonic() + timeout
    while not what():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s: {why}")
        time.sleep(0.1)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for p in started:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    finally:
        engine.dispose()


def test_worker_killed_before_its_commit_loses_nothing(
        settings: BrokerSettings, pg_url: str, tmp_path: Path,
        workers: list[subprocess.Popen[bytes]]) -> None:
    fwb, ffm = [m.encode() for m in generate(1, seed=11)]
    awb = AWB.search(fwb.decode().splitlines()[1]).group(1)  # type: ignore[union-attr]
    with Store.open(pg_url) as store:
        assert store.ingest(fwb, "fwb.txt").of(awb).action == "pending"
    # hold the shipment's row lock: the worker's unit waits on it, inside its transaction
    holder = create_engine(pg_url)
    conn = holder.connect()
    tx = conn.begin()
    conn.execute(text("SELECT id FROM shipments WHERE mawb = :m FOR UPDATE"), {"m": awb})
    run(publish(settings, [("ffm.txt", ffm, None)]))
    workers.append(start_worker(settings, pg_url, tmp_path / "w1.log"))
    wait_for(lambda: run(depth(settings.url, settings.queue)) == 0, 60, "worker took it")
    wait_for(lambda: count(pg_url, "SELECT count(*) FROM pg_stat_activity WHERE "
                           "wait_event_type = 'Lock'") >= 1, 30, "worker waits on the lock")
    os.killpg(workers[0].pid, signal.SIGKILL)
    workers[0].wait()
    # unacknowledged: back in the queue; not committed: not in the store
    wait_for(lambda: run(depth(settings.url, settings.queue)) == 1, 30, "redelivery")
    tx.rollback()
    conn.close()
    holder.dispose()
    assert count(pg_url, "SELECT count(*) FROM messages") == 1
    workers.append(start_worker(settings, pg_url, tmp_path / "w2.log"))
    wait_for(lambda: count(pg_url, "SELECT count(*) FROM filings") == 1, 60, "filed")
    wait_for(lambda: run(depth(settings.url, settings.queue)) == 0, 30, "acknowledged")
    workers[1].send_signal(signal.SIGTERM)  # graceful: the supervisor stops its worker
    assert workers[1].wait(30) == 0
    assert count(pg_url, "SELECT count(*) FROM messages") == 2
    assert count(pg_url, "SELECT count(*) FROM shipments WHERE state = 'filed'") == 1
    assert run(depth(settings.url, settings.queue)) == 0
    assert run(depth(settings.url, settings.dead_queue)) == 0


def test_three_workers_one_killed_file_every_shipment_once(
        settings: BrokerSettings, pg_url: str, tmp_path: Path,
        workers: list[subprocess.Popen[bytes]]) -> None:
    shipments = int(os.environ.get("ENSGATE_SCALE_SHIPMENTS", "300"))
    texts = list(generate(shipments, seed=14))
    items = [(f"m{n:05d}.txt", t.encode(), None) for n, t in enumerate(texts)]
    random.Random(14).shuffle(items)  # an FFM may come before its FWB, on any worker
    # what the input holds, counted from the input: names and master AWBs
    names = {name for name, _, _ in items}
    awbs = {AWB.search(t.splitlines()[1]).group(1)  # type: ignore[union-attr]
            for t in texts if t.startswith("FWB/")}
    assert len(awbs) == shipments and len(names) == 2 * shipments
    Store.open(pg_url).close()  # the schema, before three workers race to make it
    run(publish(settings, items))
    for n in range(3):
        workers.append(start_worker(settings, pg_url, tmp_path / f"w{n}.log"))
    stored = "SELECT count(*) FROM messages"
    wait_for(lambda: count(pg_url, stored) >= len(items) // 3, 120, "a third stored")
    victim = workers[1]
    os.killpg(victim.pid, signal.SIGKILL)  # worker and its supervisor: the machine is gone
    victim.wait()
    wait_for(lambda: count(pg_url, stored) >= len(items), 240, "every message stored")
    for p in (workers[0], workers[2]):
        p.send_signal(signal.SIGTERM)
    for p in (workers[0], workers[2]):
        assert p.wait(60) == 0
    assert run(depth(settings.url, settings.queue)) == 0  # nothing left, nothing unacked
    assert run(take_all(settings.url, settings.dead_queue)) == []
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        files = Counter(conn.execute(text("SELECT file FROM messages")).scalars())
        filed = set(conn.execute(text(
            "SELECT mawb FROM shipments WHERE state = 'filed'")).scalars())
        per_shipment = Counter(conn.execute(text(
            "SELECT s.mawb FROM filings f JOIN shipments s ON s.id = f.shipment_id")).scalars())
        outcomes = Counter(conn.execute(text("SELECT outcome FROM messages")).scalars())
    engine.dispose()
    assert set(files) == names and set(files.values()) == {1}  # every message stored once
    assert filed == awbs  # every shipment filed
    assert set(per_shipment) == awbs and set(per_shipment.values()) == {1}  # once
    assert outcomes == {"filed": len(items)}
