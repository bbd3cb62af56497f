"""Duplicate detection of an AS4 receiver: the answer given to each MessageId processed
(ICD table 19, DuplicateDetection), so that a resend gets the same receipt and is processed
once. In memory (the last ``limit`` MessageIds), or in the shipment store, where it survives
a restart (:class:`StoreReceivedStore`; the trader's inbound endpoint and the simulator's
``--state`` use it)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from ._asgi import HttpReply

if TYPE_CHECKING:
    from ...store import Store


class ReceivedStore(Protocol):
    """Two verbs: the answer given to a MessageId, and recording it."""

    def reply_for(self, message_id: str) -> HttpReply | None:
        """The answer given to ``message_id`` when it was processed, or None."""
        ...

    def remember(self, message_id: str, reply: HttpReply) -> None:
        """Record the answer given to a processed message (durably, for the store)."""
        ...


class MemoryReceivedStore:
    """The last ``limit`` MessageIds, in memory: forgotten on a restart."""

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, HttpReply] = OrderedDict()
        self._lock = threading.Lock()

    def reply_for(self, message_id: str) -> HttpReply | None:
        with self._lock:
            reply = self._seen.get(message_id)
            if reply is not None:
                self._seen.move_to_end(message_id)
            return reply

    def remember(self, message_id: str, reply: HttpReply) -> None:
        with self._lock:
            self._seen[message_id] = reply
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)


class StoreReceivedStore:
    """Every MessageId processed and the answer given, in the shipment store (table
    ``received``): a receiver restarted on the same store answers a resend with the same
    receipt and processes nothing twice. Each answer is committed before it is returned to
    the sender."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def reply_for(self, message_id: str) -> HttpReply | None:
        found = self.store.received_reply(message_id)
        if found is None:
            return None
        status, content_type, body = found
        return HttpReply(status=status, content_type=content_type, body=body)

    def remember(self, message_id: str, reply: HttpReply) -> None:
        self.store.remember_reply(message_id, reply.status, reply.content_type, reply.body)
