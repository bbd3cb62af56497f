"""Broker tests run against the real RabbitMQ (``ENSGATE_TEST_AMQP_URL``, default
127.0.0.1:5672 guest/guest) and, for several workers, the real PostgreSQL server. They skip
when a server is unreachable, unless ``ENSGATE_REQUIRE_RABBITMQ`` / ``ENSGATE_REQUIRE_POSTGRES``
is set (``.ci/run`` sets both): then they fail."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import aio_pika
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ensgate.connectors.broker import BrokerSettings

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ensgate_i14_broker_test"


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


@pytest.fixture(scope="session")
def broker_pg() -> Iterator[str]:
    """A fresh PostgreSQL database for the session's broker tests (dropped at the end)."""
    url = make_url(os.environ.get("ENSGATE_TEST_POSTGRES_URL", DEFAULT_PG)).set(
        database="ensgate_i14_broker_test")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("ENSGATE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (ENSGATE_REQUIRE_POSTGRES) but not usable: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_store_url(broker_pg: str) -> Iterator[str]:
    """An empty store of the test's own: a schema in the session's database."""
    schema = "b_" + uuid.uuid4().hex[:12]
    engine = create_engine(broker_pg, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield make_url(broker_pg).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
