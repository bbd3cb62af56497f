"""``pull_answers``: fetch every answer waiting, record each in the store (matched to its
filing by RefToMessageId, LRN, then MRN; kept unmatched otherwise) before it is
acknowledged, and move the filings on."""

from __future__ import annotations

from ..connectors import Connector
from ..store import Store
from ._model import Pulled, PullReport


def pull_answers(store: Store, connector: Connector) -> PullReport:
    """Every answer the connector has (AS4: PullRequests until EBMS:0006)."""
    from ..connectors.as4 import read_inbound

    pulled: list[Pulled] = []
    for inbound in connector.pull():
        answer = read_inbound(inbound)
        fresh = store.record_answer(
            message_id=answer.message_id, ref_to_message_id=answer.ref_to_message_id,
            action=answer.action, lrn=answer.lrn, mrn=answer.mrn,
            errors="\n".join(answer.errors), body=answer.xml)
        pulled.append(Pulled(action=answer.action, message_id=answer.message_id,
                             ref_to_message_id=answer.ref_to_message_id, lrn=answer.lrn,
                             mrn=answer.mrn, errors=answer.errors, fresh=fresh,
                             matched=True))
    unmatched = tuple(store.unmatched_answers())
    lost = {a.message_id for a in unmatched}
    pulled = [p if p.message_id not in lost else Pulled(
        action=p.action, message_id=p.message_id, ref_to_message_id=p.ref_to_message_id,
        lrn=p.lrn, mrn=p.mrn, errors=p.errors, fresh=p.fresh, matched=False) for p in pulled]
    return PullReport(pulled=tuple(pulled), unmatched=unmatched,
                      alarms=tuple(store.open_alarms()))
