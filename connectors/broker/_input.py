"""``BrokerInput``: legacy messages from a RabbitMQ queue into the shipment store.

Each delivery is ingested (one store unit, one transaction) and acknowledged only after the
store committed it: a process killed at any instant before the ack leaves the message
unacknowledged, RabbitMQ hands it to another consumer, and the store's content hash makes a
second ingest of a committed message a counted duplicate (nothing stored or filed twice).

What goes where (``docs/broker.md``):

- a message the pipeline reads and decides (filed, pending, not-ENS, **rejected** with its
  diagnostics...) is business data: it is stored, and acknowledged;
- a message that cannot be processed at all goes to the dead-letter queue, its body as
  received and its diagnostics in headers: over the size limit (``SRC002``), a content
  encoding that cannot be decoded (``SRC001``), or an error raised while ingesting it that is
  not the database being unreachable (``RUN001``);
- the database unreachable is nobody's fault of the message: it is handed back (nack,
  requeue) and the consumer waits before taking the next.

A message that kills its consumer every time (never acknowledged nor dead-lettered) is
dead-lettered by RabbitMQ itself after ``delivery_limit`` deliveries (quorum queue
``x-delivery-limit``; the broker's ``x-death``/``x-delivery-count`` headers say so).
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage

from ensgate.diagnostics import Diagnostic, diag, format_json_line

log = logging.getLogger("ensgate.broker")

Ingest = Callable[[bytes, str], Awaitable[Any]]  # (body, name): done after the commit


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerSettings:
    """Where and how to consume. ``queue`` is a durable quorum queue; what cannot be
    processed goes to ``<queue>.dead`` through the direct exchange ``dead_exchange``;
    events go to the topic exchange ``events_exchange`` ("" to publish none)."""

    url: str = "amqp://guest:guest@127.0.0.1:5672/"
    queue: str = "ensgate.in"
    dead_exchange: str = "ensgate.dead"
    events_exchange: str = "ensgate.events"
    prefetch: int = 8  # deliveries a consumer holds unacknowledged at most
    max_bytes: int = 4 << 20  # a body (as received and decoded) above this is dead-lettered
    delivery_limit: int = 5  # deliveries before RabbitMQ dead-letters a message by itself
    retry_wait: float = 2.0  # seconds to wait after the database was unreachable
    events_every: float = 1.0  # seconds between two event deliveries

    @property
    def dead_queue(self) -> str:
        return f"{self.queue}.dead"


@dataclass(frozen=True, slots=True, kw_only=True)
class Disposition:
    """What became of one delivery: ``stored`` (``outcomes``: the stored messages' outcomes),
    ``duplicate`` (already in the store), ``dead-lettered`` (``code``, ``reason``) or
    ``requeued`` (handed back: the database was unreachable)."""

    action: str
    name: str
    code: str = ""
    reason: str = ""
    outcomes: dict[str, int] = field(default_factory=dict)


async def declare_topology(channel: AbstractChannel, settings: BrokerSettings) -> tuple[
        Any, AbstractExchange, AbstractExchange | None]:
    """Declare (idempotently) the input queue, the dead-letter exchange and queue and the
    events exchange; returns (input queue, dead-letter exchange, events exchange)."""
    dead = await channel.declare_exchange(settings.dead_exchange, aio_pika.ExchangeType.DIRECT,
                                          durable=True)
    dead_queue = await channel.declare_queue(settings.dead_queue, durable=True,
                                             arguments={"x-queue-type": "quorum"})
    await dead_queue.bind(dead, routing_key=settings.dead_queue)
    queue = await channel.declare_queue(settings.queue, durable=True, arguments={
        "x-queue-type": "quorum", "x-delivery-limit": settings.delivery_limit,
        "x-dead-letter-exchange": settings.dead_exchange,
        "x-dead-letter-routing-key": settings.dead_queue})
    events = None
    if settings.events_exchange:
        events = await channel.declare_exchange(
            settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    return queue, dead, events


def message_name(message: AbstractIncomingMessage, queue: str) -> str:
    """The name the store keeps for a delivery (its "file"): the ``x-ensgate-name`` header,
    else the AMQP message id, else the queue's name."""
    headers = message.headers or {}
    name = headers.get("x-ensgate-name") or message.message_id or f"amqp:{queue}"
    return str(name.decode() if isinstance(name, bytes) else name)[:255]


def decode_body(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body as the readers take it: ``gzip``/``deflate`` content encodings undone, never
    beyond ``max_bytes`` (a compression bomb stops there). Raises ``_Poison``."""
    if len(body) > max_bytes:
        raise _Poison(diag("SRC002", expected=f"<= {max_bytes} bytes", found=f"{len(body)} bytes"))
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity", "utf-8", "utf8"):
        return body
    if enc not in ("gzip", "deflate"):
        raise _Poison(diag("SRC001", f"content encoding {enc!r} cannot be decoded",
                           expected="gzip, deflate or none", found=enc))
    inflater = zlib.decompressobj(wbits=47 if enc == "gzip" else 15)  # 47: gzip or zlib
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise _Poison(diag("SRC001", f"{enc} body cannot be decoded: {exc}",
                           expected=f"a {enc} stream", found=f"{len(body)} bytes")) from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise _Poison(diag("SRC002", f"decoded {enc} body larger than the size limit",
                           expected=f"<= {max_bytes} bytes", found=f"> {max_bytes} bytes"))
    if not inflater.eof:
        raise _Poison(diag("SRC001", f"{enc} body is truncated", expected=f"a whole {enc} stream",
                           found=f"{len(body)} bytes ending mid-stream"))
    return out


class _Poison(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _unreachable(exc: BaseException) -> bool:
    """The database is down or the connection dropped (not the message's fault)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class BrokerInput:
    """Consumes ``settings.queue`` into the store through ``await ingest(data, name)`` (which
    runs the store's work in a thread: the event loop keeps the connection's heartbeats).
    ``await run(stop)`` returns once ``stop`` is set and the message in hand is finished
    (acknowledged or handed back); deliveries prefetched and not started go back to the
    queue when the channel closes."""

    def __init__(self, settings: BrokerSettings, ingest: Ingest, *,
                 on_channel: Callable[[AbstractChannel, AbstractExchange | None], Any]
                 | None = None) -> None:
        self.name = "broker"
        self.settings = settings
        self.ingest = ingest
        self.on_channel = on_channel
        self.counts: dict[str, int] = {}
        self.last: Disposition | None = None

    async def run(self, stop: asyncio.Event) -> None:
        s = self.settings
        connection = await aio_pika.connect(s.url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=s.prefetch)
            queue, dead, events = await declare_topology(channel, s)
            side = None
            if self.on_channel is not None:
                side = asyncio.ensure_future(self.on_channel(channel, events))
            inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
            tag = await queue.consume(inbox.put)
            try:
                while not stop.is_set():
                    getter = asyncio.ensure_future(inbox.get())
                    stopper = asyncio.ensure_future(stop.wait())
                    done, _ = await asyncio.wait({getter, stopper},
                                                 return_when=asyncio.FIRST_COMPLETED)
                    stopper.cancel()
                    if getter not in done:
                        getter.cancel()
                        break
                    await self.handle(getter.result(), dead)
            finally:
                await queue.cancel(tag)
                if side is not None:
                    side.cancel()
                    await asyncio.gather(side, return_exceptions=True)
        finally:
            await connection.close()  # unacknowledged deliveries go back to the queue

    async def handle(self, message: AbstractIncomingMessage,
                     dead: AbstractExchange) -> Disposition:
        """Ingest one delivery, then acknowledge it, dead-letter it or hand it back."""
        s = self.settings
        name = message_name(message, s.queue)
        try:
            data = decode_body(message.body, message.content_encoding, s.max_bytes)
            result = await self.ingest(data, name)
        except _Poison as exc:
            done = await self._dead_letter(message, dead, name, exc.diagnostic)
        except Exception as exc:
            if _unreachable(exc):
                log.warning("store unreachable while ingesting %s: handed back (%s)", name,
                            type(exc).__name__)
                await message.nack(requeue=True)
                await asyncio.sleep(s.retry_wait)
                done = Disposition(action="requeued", name=name, reason=type(exc).__name__)
            else:
                log.exception("message %s could not be processed: dead-lettered", name)
                done = await self._dead_letter(message, dead, name, diag(
                    "RUN001", f"{type(exc).__name__}: {exc}"[:500]))
        else:
            await message.ack()  # after the store's commit: ingest returned
            stored = int(getattr(result, "stored", 0))
            outcomes = dict(getattr(result, "outcomes", {}) or {})
            done = Disposition(action="stored" if stored else "duplicate", name=name,
                               outcomes=outcomes)
        self.counts[done.action] = self.counts.get(done.action, 0) + 1
        self.last = done
        return done

    async def _dead_letter(self, message: AbstractIncomingMessage, dead: AbstractExchange,
                           name: str, diagnostic: Diagnostic) -> Disposition:
        """Publish the body as received to the dead-letter queue with its diagnostics in
        headers (confirmed by the broker), then acknowledge the original. A crash between
        the two leaves both: the redelivered original is dead-lettered again (at least
        once; the ``x-ensgate-delivery`` header names the original delivery)."""
        s = self.settings
        headers: dict[str, Any] = dict(message.headers or {})
        headers.update({
            "x-ensgate-code": diagnostic.code, "x-ensgate-reason": diagnostic.message,
            "x-ensgate-diagnostics": format_json_line(diagnostic),
            "x-ensgate-queue": s.queue, "x-ensgate-name": name,
            "x-ensgate-delivery": message.message_id or ""})
        await dead.publish(aio_pika.Message(
            message.body, headers=headers, content_type=message.content_type,
            content_encoding=message.content_encoding, message_id=message.message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=s.dead_queue)
        await message.ack()
        log.warning("message %s dead-lettered: %s %s", name, diagnostic.code,
                    diagnostic.message)
        return Disposition(action="dead-lettered", name=name, code=diagnostic.code,
                           reason=diagnostic.message)


def diagnostics_of(headers: dict[str, Any]) -> list[dict[str, Any]]:
    """The diagnostics a dead-lettered message carries (its ``x-ensgate-diagnostics``)."""
    raw = headers.get("x-ensgate-diagnostics") or ""
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    return [json.loads(line) for line in text.splitlines() if line.strip()]
