"""Helpers of the broker tests: publish, read back and count over a real RabbitMQ."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aio_pika

from ensgate.connectors.broker import BrokerInput, BrokerSettings, declare_topology

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from gen_messages import generate  # noqa: E402,F401


async def publish(settings: BrokerSettings,
                  items: Iterable[tuple[str, bytes, str | None]]) -> int:
    """Publish (name, body, content encoding) to the input queue, each confirmed."""
    connection = await aio_pika.connect(settings.url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await declare_topology(channel, settings)
        n = 0
        for name, body, encoding in items:
            await channel.default_exchange.publish(aio_pika.Message(
                body, content_encoding=encoding, headers={"x-ensgate-name": name},
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=settings.queue)
            n += 1
        return n
    finally:
        await connection.close()


async def take_all(url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message ready in ``queue``, taken (acknowledged) one by one."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        q = await channel.get_queue(queue, ensure=False)
        out = []
        while (m := await q.get(fail=False, no_ack=True)) is not None:
            out.append(m)
        return out
    finally:
        await connection.close()


async def depth(url: str, queue: str) -> int:
    """Messages ready in ``queue`` (a passive declare)."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        q = await channel.declare_queue(queue, passive=True)
        return int(q.declaration_result.message_count or 0)
    finally:
        await connection.close()


async def consume_until(broker: BrokerInput, handled: int, timeout: float = 60.0) -> None:
    """Run ``broker`` until it handled ``handled`` deliveries (or fail after ``timeout``)."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(broker.run(stop))
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while sum(broker.counts.values()) < handled:
        if task.done():
            task.result()
        if loop.time() > end:
            stop.set()
            await task
            raise AssertionError(f"handled {broker.counts} of {handled} in {timeout} s")
        await asyncio.sleep(0.05)
    stop.set()
    await task


def run(coro: Any) -> Any:
    return asyncio.run(coro)
