"""``file_trader_messages``: hand to customs the trader messages queued in the store about
filings already lodged (amendments IE3Axx, invalidation requests IE3Q04, answers to
referrals IE3R02 / IE3R03), and send again those a crash left in flight, byte for byte with
their MessageId. ``ensgate file`` runs it after the filings (``docs/filing.md``)."""

from __future__ import annotations

from ..connectors import Connector, OutboundFiling, PreparedFiling
from ..store import Store, TraderItem
from ._file import deliver_claimed
from ._model import Handed


def file_trader_messages(store: Store, connector: Connector, *,
                         endpoint: str = "") -> tuple[Handed, ...]:
    """Seal, claim and push each queued trader message, one after the other (they are few;
    an amendment must reach customs before a later one). An unreachable endpoint stops the
    run: the rest waits for the next one."""
    handed: list[Handed] = []
    broken = False
    for item in store.trader_outbox():
        if broken:
            handed.append(Handed(lrn=item.lrn, filing=item.action, message_id=item.message_id,
                                 outcome="not-tried", resent=bool(item.wire),
                                 detail="the endpoint failed earlier in this run"))
            continue
        one = _hand_over(store, connector, item, endpoint)
        broken = one.outcome == "unreachable"
        handed.append(one)
    return tuple(handed)


def _hand_over(store: Store, connector: Connector, item: TraderItem, endpoint: str) -> Handed:
    message = OutboundFiling(lrn=item.lrn, message_type=item.action, xml=item.xml,
                             declarant=item.declarant)
    resent = bool(item.wire)
    if resent:
        prepared = PreparedFiling(filing=message, reference=item.message_id, wire=item.wire)
    else:
        prepared = connector.prepare(message)
        if not prepared.reference or not store.claim_trader(
                item, message_id=prepared.reference, wire=prepared.wire,
                endpoint=endpoint or connector.name):
            return Handed(lrn=item.lrn, filing=item.action, message_id="", outcome="changed",
                          detail="claimed by another run since it was read")
    return deliver_claimed(store, connector, prepared, resent=resent)
