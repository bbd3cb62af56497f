"""Messages/s through RabbitMQ into a PostgreSQL store with 1, 2 and 4 ``ensgate worker``
processes, beside the anchor measured in the same run: the same corpus through
``ensgate translate --store`` (one process, windowed batches) into a store of its own.

Each worker run: a fresh schema, the corpus published (random order, confirmed) to a queue
of its own, then ``ensgate worker --workers N`` started; the rate is taken from the first
message stored to the last (process start-up excluded), counted in the store.

    python bench/bench_broker.py [SHIPMENTS] [--amqp URL] [--pg URL]   (default 300: 600 msgs)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aio_pika
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_messages import generate

ENSGATE = str(Path(sys.executable).with_name("ensgate"))


SCHEMAS: list[str] = []


def drop_schemas(base: str) -> None:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for schema in SCHEMAS:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def schema_url(base: str) -> str:
    schema = "bench_" + uuid.uuid4().hex[:10]
    SCHEMAS.append(schema)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def stored(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM messages")).scalar() or 0)
    except Exception:
        return 0  # the schema is not made yet
    finally:
        engine.dispose()


async def publish(amqp: str, queue: str, items: list[bytes]) -> None:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel(publisher_confirms=True)
    for n, body in enumerate(items):
        await channel.default_exchange.publish(aio_pika.Message(
            body, headers={"x-ensgate-name": f"m{n}.txt"},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue)
    await connection.close()


async def declare(amqp: str, queue: str) -> None:
    from ensgate.connectors.broker import BrokerSettings, declare_topology

    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    await declare_topology(channel, BrokerSettings(url=amqp, queue=queue,
                                                   dead_exchange=f"{queue}.dx",
                                                   events_exchange=""))
    await connection.close()


async def drop(amqp: str, queue: str) -> None:
    connection = await aio_pika.connect(amqp)
    channel = await connection.channel()
    await channel.queue_delete(queue)
    await channel.queue_delete(f"{queue}.dead")
    await channel.exchange_delete(f"{queue}.dx")
    await connection.close()


def through_workers(n: int, items: list[bytes], amqp: str, pg: str) -> float:
    url = schema_url(pg)
    queue = f"bench.{uuid.uuid4().hex[:8]}"
    asyncio.run(declare(amqp, queue))
    asyncio.run(publish(amqp, queue, items))
    proc = subprocess.Popen([ENSGATE, "worker", "--broker", amqp, "--store", url,
                             "--workers", str(n), "--queue", queue, "--dead-exchange",
                             f"{queue}.dx", "--events-exchange", ""],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        while (first := stored(url)) == 0:
            time.sleep(0.05)
        t0 = time.perf_counter()
        while (last := stored(url)) < len(items):
            time.sleep(0.1)
        seconds = time.perf_counter() - t0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
        asyncio.run(drop(amqp, queue))
    return (last - first) / seconds


def through_translate(items: list[bytes], pg: str) -> float:
    url = schema_url(pg)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for n, body in enumerate(items):
            (folder / f"m{n:05d}.txt").write_bytes(body)
        subprocess.run([ENSGATE, "store", "upgrade", "--store", url], check=False,
                       capture_output=True)
        t0 = time.perf_counter()
        subprocess.run([ENSGATE, "translate", str(folder), "--store", url, "--out",
                        str(Path(tmp) / "out")], capture_output=True, check=False)
        seconds = time.perf_counter() - t0
    assert stored(url) == len(items), f"translate stored {stored(url)} of {len(items)}"
    return len(items) / seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shipments", nargs="?", type=int, default=300)
    ap.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--workers", default="1,2,4")
    args = ap.parse_args()
    items = [t.encode() for t in generate(args.shipments, seed=21)]
    random.Random(21).shuffle(items)
    print(f"{len(items)} messages ({args.shipments} shipments, FWB + FFM), "
          f"{os.cpu_count()} cores")
    try:
        run_all(items, args)
    finally:
        drop_schemas(args.pg)


def run_all(items: list[bytes], args: argparse.Namespace) -> None:
    anchor = through_translate(items, args.pg)
    print(f"anchor: ensgate translate --store (1 process, batch): {anchor:,.0f} messages/s "
          "(start-up included)")
    for n in (int(x) for x in args.workers.split(",")):
        rate = through_workers(n, items, args.amqp, args.pg)
        print(f"broker: ensgate worker --workers {n}: {rate:,.0f} messages/s "
              f"({rate / anchor:.2f}x the anchor)")


if __name__ == "__main__":
    main()
