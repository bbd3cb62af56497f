"""``file_due``: seal and hand to customs every filing the store says is ready, and send
again those a crash left in flight, through one connector (one AS4 client, its connection
pool shared by ``concurrency`` workers).

Crash model: the MessageId and the sealed message are committed with the filing's move to
``sent`` *before* the message goes (``Store.claim_send``); a run killed at any instant leaves
each filing either ``ready`` (nothing went) or ``sent`` with its sealed message, which the
next run sends again byte for byte. The receiver's duplicate detection (by MessageId) answers
a message it already has with the same receipt, so customs files each one once.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from ..connectors import Connector, OutboundFiling, PreparedFiling
from ..diagnostics import EnsgateError
from ..store import OutboxItem, Store
from ._model import FileReport, Handed


def file_due(store: Store, connector: Connector, *, concurrency: int = 4,
             endpoint: str = "", limit: int | None = None) -> FileReport:
    """Hand every due filing over, in due order, ``concurrency`` at a time; each receipt or
    refusal recorded in the store as it comes."""
    start = time.monotonic()
    items = store.outbox(limit=limit)
    broken = threading.Event()  # the endpoint failed: the rest waits for the next run

    def one(item: OutboxItem) -> Handed:
        if broken.is_set():
            return Handed(lrn=item.lrn, filing=item.filing, message_id=item.message_id,
                          outcome="not-tried", detail="the endpoint failed earlier in this run",
                          resent=bool(item.wire))
        return _hand_over(store, connector, item, endpoint, broken)

    with ThreadPoolExecutor(max_workers=max(1, concurrency),
                            thread_name_prefix="ensgate-file") as pool:
        handed = tuple(pool.map(one, items))
    return FileReport(handed=handed, alarms=tuple(store.open_alarms()),
                      seconds=time.monotonic() - start)


def _hand_over(store: Store, connector: Connector, item: OutboxItem, endpoint: str,
               broken: threading.Event) -> Handed:
    filing = OutboundFiling(lrn=item.lrn, message_type=item.filing, xml=item.xml,
                            declarant=item.declarant)
    resent = bool(item.message_id)
    if resent:
        prepared = PreparedFiling(filing=filing, reference=item.message_id, wire=item.wire)
    else:
        prepared = connector.prepare(filing)
        if not prepared.reference:  # a connector without message ids: one of ours
            prepared = PreparedFiling(filing=filing, reference=f"{uuid.uuid4()}@ensgate",
                                      wire=prepared.wire)
        if not store.claim_send(item, message_id=prepared.reference, action=item.filing,
                                endpoint=endpoint or connector.name, wire=prepared.wire):
            return Handed(lrn=item.lrn, filing=item.filing, message_id="", outcome="changed",
                          detail="remade or claimed by another run since it was read")
    handed = deliver_claimed(store, connector, prepared, resent=resent)
    if handed.outcome == "unreachable":
        broken.set()
    return handed


def deliver_claimed(store: Store, connector: Connector, prepared: PreparedFiling, *,
                    resent: bool) -> Handed:
    """Push a message whose MessageId and wire the store has already committed (a filing
    or a trader message), and record customs' receipt. A transport failure leaves it in
    flight: the next run sends the same bytes again."""
    message = prepared.filing
    try:
        receipt = connector.deliver(prepared)
    except EnsgateError as exc:  # unreachable, TLS, protocol: stays in flight
        return Handed(lrn=message.lrn, filing=message.message_type,
                      message_id=prepared.reference, outcome="unreachable", detail=str(exc),
                      resent=resent)
    store.record_receipt(prepared.reference, ok=receipt.accepted, detail=receipt.detail,
                         receipt_wire=receipt.evidence or None)
    return Handed(lrn=message.lrn, filing=message.message_type,
                  message_id=prepared.reference,
                  outcome="receipt" if receipt.accepted else "refused",
                  detail=receipt.detail, resent=resent)
