"""Questions asked of the store: a shipment's status by AWB, HAWB, LRN or MRN, the report of
states and what is pending, the filings and their XML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, or_, select

from ..ledger import normalise_party
from ..mapping._assemble import awb_key
from ._schema import (
    events,
    exchanges,
    filings,
    message_shipments,
    messages,
    shipment_houses,
    shipments,
)
from ._sqlstate import unpack, utc
from ._watch import StoreWatch


@dataclass(frozen=True, slots=True, kw_only=True)
class FilingRow:
    lrn: str
    filing: str
    state: str
    declarant: str
    mrn: str | None
    shipment: str
    key: str
    xml: bytes


class StoreQuestions(StoreWatch):
    """The read side of :class:`~ensgate.store.Store` (deferred transactions: a running batch
    does not block it)."""

    engine: Engine

    # -- questions ------------------------------------------------------------------------
    def _reader(self) -> Any:
        return self.engine.connect().execution_options(sqlite_begin="DEFERRED")

    def find(self, key: str) -> list[int]:
        """Shipment ids for an AWB, HAWB, LRN or MRN."""
        text = key.strip()
        with self._reader() as conn:
            found = list(conn.execute(select(shipments.c.id).where(
                shipments.c.key == awb_key(text))).scalars())
            if not found:
                found = list(conn.execute(select(shipment_houses.c.shipment_id).where(
                    or_(shipment_houses.c.hawb == text,
                        shipment_houses.c.hawb == text.upper()))).scalars())
            if not found:
                found = list(conn.execute(select(filings.c.shipment_id).where(
                    or_(filings.c.lrn == text, filings.c.mrn == text.upper()))).scalars())
        return sorted(set(found))

    def status(self, key: str) -> dict[str, Any] | None:
        """The shipment of an AWB, HAWB, LRN or MRN: its state, filings and history."""
        ids = self.find(key)
        if not ids:
            return None
        with self._reader() as conn:
            ship = conn.execute(select(shipments).where(shipments.c.id == ids[0])).one()
            fs = conn.execute(select(filings.c.id, filings.c.lrn, filings.c.filing,
                                     filings.c.state, filings.c.mrn, filings.c.declarant,
                                     filings.c.as4_message_id, filings.c.due_at,
                                     filings.c.created_at,
                                     filings.c.updated_at).where(
                filings.c.shipment_id == ship.id).order_by(filings.c.id)).all()
            evs = conn.execute(select(events.c.at, events.c.kind, events.c.from_state,
                                      events.c.to_state, events.c.cause,
                                      events.c.filing_id).where(
                or_(events.c.shipment_id == ship.id,
                    events.c.filing_id.in_([f.id for f in fs] or [-1]))).order_by(
                events.c.id)).all()
            houses = list(conn.execute(select(shipment_houses.c.hawb).where(
                shipment_houses.c.shipment_id == ship.id).order_by(
                shipment_houses.c.hawb)).scalars())
            msgs = conn.execute(select(messages.c.label, messages.c.outcome).join(
                message_shipments, message_shipments.c.message_id == messages.c.id).where(
                message_shipments.c.shipment_id == ship.id).distinct().order_by(
                messages.c.label)).all()
            exch = conn.execute(select(exchanges.c.direction, exchanges.c.action,
                                       exchanges.c.as4_message_id, exchanges.c.at,
                                       exchanges.c.receipt, exchanges.c.mrn,
                                       exchanges.c.filing_id).where(
                exchanges.c.filing_id.in_([f.id for f in fs] or [-1])).order_by(
                exchanges.c.id)).all()
        lrn_of = {f.id: f.lrn for f in fs}
        return {
            "key": ship.mawb or ship.key, "state": ship.state, "shape": ship.shape,
            "waiting_for": ship.waiting_for, "reason": ship.reason,
            "due_at": iso(utc(ship.due_at)), "houses": houses,
            "route": json.loads(ship.route or "{}"),
            "filings": [{"lrn": f.lrn, "type": f.filing, "state": f.state, "mrn": f.mrn,
                         "declarant": f.declarant, "as4_message_id": f.as4_message_id,
                         "due_at": iso(utc(f.due_at)),
                         "created_at": iso(utc(f.created_at)),
                         "updated_at": iso(utc(f.updated_at))} for f in fs],
            "messages": [{"label": m.label, "outcome": m.outcome} for m in msgs],
            "exchanges": [{"direction": x.direction, "action": x.action,
                           "as4_message_id": x.as4_message_id, "at": iso(utc(x.at)),
                           "receipt": x.receipt, "mrn": x.mrn,
                           "lrn": lrn_of.get(x.filing_id)} for x in exch],
            "events": [{"at": iso(utc(e.at)), "kind": e.kind, "from": e.from_state,
                        "to": e.to_state, "cause": e.cause,
                        "lrn": lrn_of.get(e.filing_id)} for e in evs],
        }

    def report(self, now: datetime | None = None,
               at_risk: timedelta | None = None) -> dict[str, Any]:
        """Counts of shipments and filings by state, what is pending and why, and the
        filings late or at risk at ``now`` (``deadlines``)."""
        with self._reader() as conn:
            ships = dict(conn.execute(select(shipments.c.state, func.count()).where(
                shipments.c.input_digest != "").group_by(shipments.c.state)).all())
            fils = dict(conn.execute(select(filings.c.state, func.count()).group_by(
                filings.c.state)).all())
            outcomes = dict(conn.execute(select(messages.c.outcome, func.count()).group_by(
                messages.c.outcome)).all())
            pending = [{"key": r.mawb or r.key, "waiting_for": r.waiting_for,
                        "due_at": iso(utc(r.due_at))} for r in conn.execute(select(
                            shipments.c.key, shipments.c.mawb, shipments.c.waiting_for,
                            shipments.c.due_at).where(shipments.c.state == "pending")
                            .order_by(shipments.c.key))]
        return {"shipments": ships, "filings": fils, "messages": outcomes,
                "pending": pending, "deadlines": self.deadlines(now, at_risk)}

    def lrn_used(self, declarant: str, lrn: str) -> bool:
        """True when a filing with this LRN was sent by this declarant (or holds it)."""
        from ..pipeline import SENT_FILING_STATES

        with self._reader() as conn:
            state = conn.execute(select(filings.c.state).where(
                filings.c.declarant == normalise_party(declarant),
                filings.c.lrn == lrn.strip())).scalar()
        return state is not None and (state in SENT_FILING_STATES or state == "ready")

    def filings(self) -> Iterator[FilingRow]:
        """Every filing (oldest first), with its XML."""
        with self._reader() as conn:
            for r in conn.execute(select(
                    filings.c.lrn, filings.c.filing, filings.c.state, filings.c.declarant,
                    filings.c.mrn, filings.c.xml, shipments.c.mawb, shipments.c.key).join(
                    shipments, shipments.c.id == filings.c.shipment_id).order_by(
                    filings.c.id)).yield_per(500):
                yield FilingRow(lrn=r.lrn, filing=r.filing, state=r.state,
                                declarant=r.declarant, mrn=r.mrn, shipment=r.mawb,
                                key=r.key, xml=unpack(r.xml))

    def filing_xml(self, lrn: str) -> bytes | None:
        with self._reader() as conn:
            x = conn.execute(select(filings.c.xml).where(filings.c.lrn == lrn).order_by(
                filings.c.id.desc())).scalar()
        return None if x is None else unpack(x)



def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")
