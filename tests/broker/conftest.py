"""Broker tests run against the real RabbitMQ (``ENSGATE_TEST_AMQP_URL``, default
127.0.0.1:5672 guest/guest) and, for several workers, the real PostgreSQL server (``pg_url``,
tests/conftest.py). They skip
when a server is unreachable, unless ``ENSGATE_REQUIRE_RABBITMQ`` / ``ENSGATE_REQUIRE_POSTGRES``
is set (``.ci/run`` sets both): then they fail."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import aio_pika
import pytest

from ensgate.connectors.broker import BrokerSettings

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.fixture(scope="session")
def amqp_url() -> str:
    url = os.environ.get("ENSGATE_TEST_AMQP_URL", DEFAULT_AMQP)

    async def probe() -> None:
        connection = await aio_pika.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        if os.environ.get("ENSGATE_REQUIRE_RABBITMQ"):
            pytest.fail(f"RabbitMQ required (ENSGATE_REQUIRE_RABBITMQ) but not usable: {exc}")
        pytest.skip(f"no RabbitMQ server: {exc}")
    return url


@pytest.fixture
def settings(amqp_url: str) -> Iterator[BrokerSettings]:
    """A queue, dead-letter queue and events exchange of the test's own (deleted after)."""
    tag = uuid.uuid4().hex[:10]
    s = BrokerSettings(url=amqp_url, queue=f"t.{tag}.in", dead_exchange=f"t.{tag}.dead",
                       events_exchange=f"t.{tag}.events", retry_wait=0.1, events_every=0.2)
    yield s

    async def clean() -> None:
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        for q in (s.queue, s.dead_queue):
            await channel.queue_delete(q)
        for x in (s.dead_exchange, s.events_exchange):
            await channel.exchange_delete(x)
        await connection.close()

    asyncio.run(clean())
