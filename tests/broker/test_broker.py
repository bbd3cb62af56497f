"""RabbitMQ in and out against the real broker: acknowledgement after the store's commit,
dead-lettering with diagnostics, events published with confirms."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import aio_pika
from _broker_helpers import consume_until, depth, generate, publish, run, take_all

from ensgate.connectors.broker import AmqpEventSink, BrokerInput, BrokerSettings
from ensgate.connectors.broker._input import diagnostics_of
from ensgate.connectors.broker._worker import ingest_into
from ensgate.sinks import deliver_events
from ensgate.store import Store


def test_stored_then_acknowledged_and_a_repeat_is_a_duplicate(settings: BrokerSettings,
                                                             tmp_path: Path) -> None:
    fwb, ffm = [m.encode() for m in generate(1, seed=3)]
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        broker = BrokerInput(settings, ingest_into(store))
        # the FFM is gzip-encoded on the wire: decoded before the readers see it
        run(publish(settings, [("fwb.txt", fwb, None), ("ffm.txt", gzip.compress(ffm), "gzip"),
                               ("fwb-again.txt", fwb, None)]))
        run(consume_until(broker, 3))
        assert broker.counts == {"stored": 2, "duplicate": 1}
        report = store.report()
        assert report["shipments"] == {"filed": 1}
        assert report["messages"] == {"filed": 2}
    assert run(depth(settings.url, settings.queue)) == 0  # every delivery acknowledged
    assert run(depth(settings.url, settings.dead_queue)) == 0


def test_what_cannot_be_processed_is_dead_lettered_with_its_diagnostics(
        settings: BrokerSettings, tmp_path: Path) -> None:
    small = BrokerSettings(**{**{f: getattr(settings, f) for f in settings.__dataclass_fields__},
                              "max_bytes": 2000})
    fwb = next(iter(generate(1, seed=5))).encode()
    bomb = gzip.compress(b"A" * 50_000)  # small on the wire, over the limit once decoded

    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        real = ingest_into(store)

        async def ingest(data: bytes, name: str) -> object:
            if name == "crash.txt":  # a fault inside the pipeline while ingesting this one
                raise ValueError("mapping blew up")
            return await real(data, name)

        broker = BrokerInput(small, ingest)
        run(publish(small, [
            ("big.txt", b"X" * 2001, None), ("bomb.txt", bomb, "gzip"),
            ("torn.txt", gzip.compress(fwb)[:-30], "gzip"), ("zstd.txt", fwb, "zstd"),
            ("crash.txt", fwb, None),
            ("junk.txt", b"HELLO THIS IS NOT CARGO-IMP\n", None),  # business data: a reject
        ]))
        run(consume_until(broker, 6))
        assert broker.counts == {"dead-lettered": 5, "stored": 1}
        assert store.report()["messages"] == {"rejected": 1}
    dead = run(take_all(small.url, small.dead_queue))
    by_name = {m.headers["x-ensgate-name"]: m for m in dead}
    assert {n: m.headers["x-ensgate-code"] for n, m in by_name.items()} == {
        "big.txt": "SRC002", "bomb.txt": "SRC002", "torn.txt": "SRC001",
        "zstd.txt": "SRC001", "crash.txt": "RUN001"}
    assert by_name["big.txt"].body == b"X" * 2001  # the body as received, for a replay
    assert by_name["bomb.txt"].body == bomb and by_name["bomb.txt"].content_encoding == "gzip"
    [d] = diagnostics_of(by_name["big.txt"].headers)
    assert d["code"] == "SRC002" and d["found"] == "2001 bytes"
    assert d["expected"] == "<= 2000 bytes"
    [d] = diagnostics_of(by_name["crash.txt"].headers)
    assert "ValueError: mapping blew up" in d["message"]
    assert run(depth(small.url, small.queue)) == 0


def test_events_published_with_confirms_and_a_refused_one_is_not_counted(
        settings: BrokerSettings, tmp_path: Path) -> None:
    """The sink's cursor moves past what the broker confirmed, and no further: a queue that
    refuses publishes beyond 3 messages (reject-publish) makes the broker nack the 4th."""
    msgs = [m.encode() for m in generate(2, seed=9)]

    async def scenario(store: Store) -> tuple[list[aio_pika.abc.AbstractIncomingMessage],
                                               list[object], list[object]]:
        connection = await aio_pika.connect(settings.url)
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(settings.events_exchange,
                                                  aio_pika.ExchangeType.TOPIC, durable=True)
        full = await channel.declare_queue(f"{settings.queue}.ev", arguments={
            "x-max-length": 3, "x-overflow": "reject-publish"})
        await full.bind(exchange, routing_key="#")
        sink = AmqpEventSink(name="amqp", exchange=exchange, loop=asyncio.get_running_loop())
        first = await asyncio.to_thread(deliver_events, store, [sink])
        got = []
        while (m := await full.get(fail=False, no_ack=True)) is not None:
            got.append(m)
        second = await asyncio.to_thread(deliver_events, store, [sink])  # room again
        while (m := await full.get(fail=False, no_ack=True)) is not None:
            got.append(m)
        await full.delete()
        await connection.close()
        return got, first, second

    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        for n, m in enumerate(msgs):
            store.ingest(m, f"m{n}.txt")
        events = store.events_after(0, 1000)
        assert len(events) > 6, events  # the test needs two full rounds of 3
        got, first, second = run(scenario(store))
        # each round: 3 confirmed, the 4th nacked (the queue is full): the cursor stops there
        assert (first[0].delivered, second[0].delivered) == (3, 3), (first, second)
        assert first[0].error and second[0].error
        assert store.sink_cursor("amqp") == events[5]["id"]
    ids = [m.message_id for m in got]
    assert ids == [f"ensgate-event-{e['id']}" for e in events[:6]]
    bodies = [json.loads(m.body) for m in got]
    assert bodies == events[:6]
    assert [m.routing_key for m in got] == [f"{e['subject']}.{e['event']}" for e in events[:6]]


def test_serve_broker_hook_consumes_through_the_service_ingest(settings: BrokerSettings,
                                                               tmp_path: Path) -> None:
    """``ensgate serve --broker URL`` gets this consumer: the service's ``ingest(name,
    data)`` is called with the message's name and body, then the delivery is acknowledged."""
    from dataclasses import replace

    from ensgate.service import broker_input, ingest_payload

    fwb = next(iter(generate(1, seed=17))).encode()
    seen: list[tuple[str, bytes]] = []
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        async def service_ingest(name: str, data: bytes) -> object:
            seen.append((name, data))
            return await asyncio.to_thread(ingest_payload, store, name=name, data=data)

        consumer = broker_input(settings.url, service_ingest)
        assert isinstance(consumer, BrokerInput) and consumer.name == "broker"
        consumer.settings = replace(consumer.settings, queue=settings.queue,
                                    dead_exchange=settings.dead_exchange,
                                    events_exchange=settings.events_exchange)
        run(publish(settings, [("hub-fwb.txt", fwb, None)]))
        run(consume_until(consumer, 1))
        assert consumer.counts == {"stored": 1}
        assert store.report()["messages"] == {"pending": 1}
    assert seen == [("hub-fwb.txt", fwb)]
    assert run(depth(settings.url, settings.queue)) == 0
