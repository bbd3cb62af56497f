"""``AmqpEventSink``: the store's events to a RabbitMQ topic exchange, beside the JSON-lines
and webhook sinks of ``ensgate.sinks`` (same records, same cursor and lease in the store).

Each event is one persistent message, routing key ``<subject>.<event>`` (``filing.IE3R01``,
``shipment.state``...), ``message_id`` ``ensgate-event-<id>`` (the webhook's
Idempotency-Key), body the event's JSON line. The channel has publisher confirms: an event
counts as delivered only once the broker confirmed it, so the store's cursor never moves past
an event the broker did not take (at least once; consumers drop repeats by message id).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange

from ensgate.sinks import line_of


def routing_key(record: dict[str, Any]) -> str:
    return f"{record.get('subject') or 'event'}.{record.get('event') or 'unknown'}"


@dataclass(slots=True, kw_only=True)
class AmqpEventSink:
    """A :class:`ensgate.sinks.Sink` on an exchange whose channel lives on ``loop``.
    ``deliver`` is called from another thread (``deliver_events`` in ``asyncio.to_thread``)
    and waits there for the confirms."""

    name: str
    exchange: AbstractExchange
    loop: asyncio.AbstractEventLoop
    batch: int = 200
    timeout: float = 30.0

    def deliver(self, records: Sequence[dict[str, Any]]) -> tuple[int, str]:
        future = asyncio.run_coroutine_threadsafe(self._publish_all(records), self.loop)
        try:
            results = future.result(self.timeout)
        except Exception as exc:  # channel closed, timeout: nothing counts as delivered
            future.cancel()
            return 0, f"{type(exc).__name__}: {exc}"
        for n, result in enumerate(results):
            if isinstance(result, BaseException):  # nacked: it and the rest wait
                return n, f"{type(result).__name__}: {result}"
        return len(records), ""

    async def _publish_all(self, records: Sequence[dict[str, Any]]) -> list[Any]:
        """Publish in order on the one channel, then wait for every confirm together."""
        return list(await asyncio.gather(*(self._publish(r) for r in records),
                                         return_exceptions=True))

    async def _publish(self, record: dict[str, Any]) -> None:
        await self.exchange.publish(aio_pika.Message(
            line_of(record)[:-1], content_type="application/json",
            message_id=f"ensgate-event-{record['id']}",
            headers={"x-ensgate-event": int(record["id"]), "lrn": record.get("lrn") or "",
                     "awb": record.get("awb") or ""},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=routing_key(record))
