"""What the unit asks of the state on the ICS2 rules' behalf, and a message's outcome from the
shipments it feeds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..ledger import normalise_party
from ._state import SENT_FILING_STATES, UnitState


def outcome_of(links: Iterable[tuple[bool, str, str | None]]) -> str:
    """A message's outcome from the shipments it feeds: (used, role, shipment state) each.
    Filed wins over rejected (a multi-consignment message that filed one consignment is
    filed; the failed consignment is kept as a shipment reject), then pending, not-subject;
    an FWB that lost to a later one is superseded; flight lines alone support."""
    used_states: set[str | None] = set()
    superseded = False
    for used, role, state in links:
        if used:
            used_states.add(state)
        elif role == "master":
            superseded = True
    for state, outcome in (("filed", "filed"), ("needs-amendment", "filed"),
                           ("rejected", "rejected"), ("pending", "pending"),
                           ("not-subject", "not-subject")):
        if state in used_states:
            return outcome
    return "superseded" if superseded else "supporting"


class LedgerOnState:
    """What the ICS2 rules ask (R3003 LRN reuse, code 81 document reuse), answered from the
    state for one shipment: an LRN is used when a filing that holds it was sent, or when
    another shipment's filing holds it."""

    def __init__(self, state: UnitState, key: str, unit_lrns: dict[tuple[str, str], str],
                 *, amending: str | None = None) -> None:
        self.state, self.key, self.unit_lrns = state, key, unit_lrns
        self.amending = amending  # the LRN of this shipment's filing being amended

    def lrn_used(self, declarant: str, lrn: str) -> bool:
        party = normalise_party(declarant)
        holder = self.unit_lrns.get((party, lrn))
        if holder is not None and holder != self.key:
            return True
        found = self.state.lrn_holder(party, lrn)
        if found is None:
            return False
        key, _id, state = found
        if lrn == self.amending and key == self.key:
            return False  # the corrected dataset of an amendment keeps its filing's LRN
        # another shipment's filing holds it (even superseded: the row keeps the LRN unique)
        return state in SENT_FILING_STATES or key != self.key

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool:
        return self.state.document_used(declarant, number, since=since, exclude_key=self.key)
