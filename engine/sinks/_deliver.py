"""``deliver_events``: every state change the store recorded goes to every configured sink,
at least once and in order, whatever crashes on the way."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ._targets import Sink, build_sink

LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkReport:
    """What one sink got in one call: ``delivered`` events, the cursor after them, and the
    ``error`` that stopped it ("" if none; ``busy``: another process holds the sink)."""

    sink: str
    delivered: int
    cursor: int
    error: str = ""


def sinks_of(store: Any) -> list[Sink]:
    """The sinks of the store's configuration (``sinks:``)."""
    config = getattr(store, "config", None)
    return [build_sink(c) for c in (config.sinks if config is not None else ())]


def deliver_events(store: Any, sinks: Iterable[Sink] | None = None, *,
                   batch: int = 500, lease: timedelta = LEASE) -> list[SinkReport]:
    """Give every sink (default: the configuration's) the events it has not had yet.

    For each sink: take its lease in the store, read the events after its cursor, deliver
    them, then commit the cursor to the last one delivered; repeat until none is left or
    delivery fails. A crash after delivering and before committing delivers those events
    again at the next call (same event ids): at least once, never lost. A process killed
    while delivering holds its sink until its ``lease`` runs out."""
    owner = uuid.uuid4().hex
    out = []
    for sink in sinks_of(store) if sinks is None else sinks:
        cursor = store.sink_lease(sink.name, owner, lease=lease)
        if cursor is None:
            out.append(SinkReport(sink=sink.name, delivered=0,
                                  cursor=store.sink_cursor(sink.name), error="busy"))
            continue
        delivered, error = 0, ""
        try:
            while True:
                records = store.events_after(cursor, min(batch, sink.batch))
                if not records:
                    break
                n, error = sink.deliver(records)
                if n:
                    cursor = int(records[n - 1]["id"])
                    if not store.sink_commit(sink.name, owner, cursor, lease=lease):
                        error = error or "lease lost to another process"
                        delivered += n
                        break
                    delivered += n
                if error:
                    break
        finally:
            store.sink_release(sink.name, owner)
            close = getattr(sink, "close", None)
            if close is not None:
                close()
        out.append(SinkReport(sink=sink.name, delivered=delivered, cursor=cursor,
                              error=error))
    return out
