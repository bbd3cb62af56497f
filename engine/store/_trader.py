"""Trader messages about a filing already lodged (an amendment IE3Axx, an invalidation
request IE3Q04, the answers to referrals IE3R02 / IE3R03), queued in the store and sent by
``ensgate file`` (``docs/filing.md``).

A queued message is an outbound exchange row with ``receipt = "queued"``, the message in
``body`` and a placeholder MessageId (``queued:<uuid>``). ``file`` seals it, then *claims*
it in one transaction (the real MessageId and the sealed ``wire`` written, ``receipt`` ""
meaning in flight, the filing moved by the trader event: ``amend``, ``invalidate``,
``answer-rfi``, ``answer-screening``), then pushes it. A run killed after the claim leaves it
in flight with its sealed bytes, sent again byte for byte by the next run (same MessageId:
the receiver files it once), as for a filing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ..diagnostics import Diagnostic, format_json_line
from ..lifecycle import check_transition, event_for_sent
from ..pipeline._state import AmendmentChange
from ._exchanges import move_filing
from ._queries import aware
from ._schema import events, exchanges, filings, shipments
from ._sqlstate import pack, unpack

#: ``exchanges.receipt`` of a trader message queued and not yet sealed.
QUEUED = "queued"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraderItem:
    """A trader message to hand to customs: queued (``wire`` empty: seal it and claim it with
    :meth:`StoreTrader.claim_trader`), or in flight after an interrupted run (``wire`` the
    sealed message, ``message_id`` its MessageId)."""

    exchange_id: int
    filing_id: int
    lrn: str
    mrn: str
    action: str
    declarant: str
    xml: bytes
    message_id: str = ""
    wire: bytes = b""


class StoreTrader:
    """The trader-message side of :class:`~ensgate.store.Store`."""

    engine: Engine

    def queue_trader_message(self, *, action: str, xml: bytes, lrn: str | None = None,
                             mrn: str | None = None, cause: str = "",
                             at: datetime | None = None) -> tuple[int | None, Diagnostic | None]:
        """Queue ``xml`` (an IE3Axx, IE3Q04, IE3R02 or IE3R03) for the filing holding
        ``lrn`` (or registered under ``mrn``): (exchange id, None), or (None, the LCY001
        diagnostic) when the filing's state does not allow it (recorded as a refused
        event). KeyError when no filing matches."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            row = _filing(conn, lrn, mrn)
            if row is None:
                raise KeyError(f"no filing with {'LRN ' + lrn if lrn else 'MRN ' + str(mrn)}")
            return queue_in(conn, filing_id=row.id, action=action, xml=xml,
                            cause=cause or f"{action} queued", when=when)

    def trader_target(self, key: str) -> tuple[str, str, str] | None:
        """The current filing named by LRN or MRN ``key``: (LRN, MRN or "", declarant), or
        None."""
        with self.engine.connect() as conn:
            row = _filing(conn, key, None) or _filing(conn, None, key)
            if row is None:
                return None
            r = conn.execute(select(filings.c.lrn, filings.c.mrn, filings.c.declarant).where(
                filings.c.id == row.id)).one()
        return r.lrn, r.mrn or "", r.declarant

    def trader_actions(self, lrn: str) -> tuple[str, bytes, tuple[str, ...]]:
        """For the current filing holding ``lrn``: its document (the LRN scheme's ``doc``),
        its registered XML, and the trader messages queued or sent about it (actions, in
        order). KeyError when no filing matches."""
        with self.engine.connect() as conn:
            row = _filing(conn, lrn, None)
            if row is None:
                raise KeyError(f"no filing with LRN {lrn}")
            f = conn.execute(select(filings.c.document, filings.c.xml, filings.c.filing).where(
                filings.c.id == row.id)).one()
            sent = conn.execute(select(exchanges.c.action).where(
                exchanges.c.filing_id == row.id, exchanges.c.direction == "out",
                exchanges.c.action != f.filing).order_by(exchanges.c.id)).scalars().all()
        return f.document, unpack(f.xml), tuple(sent)

    def last_answer_body(self, lrn: str, action: str) -> bytes | None:
        """The payload of the latest ``action`` answer (e.g. IE3Q03) recorded for the
        filing holding ``lrn``, or None."""
        with self.engine.connect() as conn:
            row = _filing(conn, lrn, None)
            if row is None:
                return None
            body = conn.execute(select(exchanges.c.body).where(
                exchanges.c.filing_id == row.id, exchanges.c.direction == "in",
                exchanges.c.action == action).order_by(exchanges.c.id.desc())).scalar()
        return None if body is None else unpack(body)

    def trader_outbox(self) -> list[TraderItem]:
        """Trader messages to send: those left in flight first (sealed, no receipt yet),
        then the queued ones, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(
                exchanges.c.id, exchanges.c.filing_id, exchanges.c.action, exchanges.c.body,
                exchanges.c.wire, exchanges.c.receipt, exchanges.c.as4_message_id,
                filings.c.lrn, filings.c.mrn, filings.c.declarant).join(
                filings, filings.c.id == exchanges.c.filing_id).where(
                exchanges.c.direction == "out", exchanges.c.action != filings.c.filing,
                (exchanges.c.receipt == QUEUED)
                | ((exchanges.c.receipt == "") & exchanges.c.wire.is_not(None)
                   & (exchanges.c.as4_message_id != filings.c.as4_message_id))).order_by(
                exchanges.c.id)).all()
        items = [TraderItem(
            exchange_id=r.id, filing_id=r.filing_id, lrn=r.lrn, mrn=r.mrn or "",
            action=r.action, declarant=r.declarant, xml=unpack(r.body),
            message_id="" if r.receipt == QUEUED else r.as4_message_id,
            wire=b"" if r.receipt == QUEUED else unpack(r.wire)) for r in rows]
        return sorted(items, key=lambda i: (not i.wire, i.exchange_id))

    def claim_trader(self, item: TraderItem, *, message_id: str, wire: bytes, endpoint: str,
                     at: datetime | None = None) -> bool:
        """Commit, before it goes, that a queued trader message is sent as ``message_id``
        (compare-and-set on it still being queued); the filing moves by the trader event.
        False when another run claimed it first: it must not be sent."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.execute(update(exchanges).where(
                    exchanges.c.id == item.exchange_id, exchanges.c.receipt == QUEUED).values(
                    receipt="", as4_message_id=message_id, wire=pack(wire), at=when,
                    endpoint=endpoint).returning(exchanges.c.id)).first() is None:
                return False
            event = event_for_sent(item.action)
            if event is not None:
                move_filing(conn, item.filing_id, event,
                            f"{item.action} sent over AS4 as {message_id}", when)
        return True


def queue_in(conn: Connection, *, filing_id: int, action: str, xml: bytes, cause: str,
             when: datetime) -> tuple[int | None, Diagnostic | None]:
    """Queue a trader message inside ``conn``'s transaction (see
    :meth:`StoreTrader.queue_trader_message`)."""
    row = conn.execute(select(filings.c.state, filings.c.lrn, filings.c.mrn).where(
        filings.c.id == filing_id)).one()
    event = event_for_sent(action)
    if event is not None:
        problem = check_transition(row.state, event, lrn=row.lrn)
        if problem is not None:
            conn.execute(insert(events).values(
                at=when, filing_id=filing_id, kind=event[:20], from_state=row.state,
                to_state=row.state, cause=f"refused ({problem.code}): {problem.message}; "
                                          f"{cause}"))
            return None, problem
    eid = conn.execute(insert(exchanges).values(
        filing_id=filing_id, direction="out", as4_message_id=f"queued:{uuid.uuid4()}",
        ref_to_message_id=None, action=action, lrn=row.lrn, mrn=row.mrn, endpoint="",
        receipt=QUEUED, body=pack(xml), wire=None, at=when, detail=cause).returning(
        exchanges.c.id)).scalar_one()
    conn.execute(insert(events).values(
        at=when, filing_id=filing_id, kind="queued", from_state=row.state,
        to_state=row.state, cause=cause))
    return int(eid), None


def _filing(conn: Connection, lrn: str | None, mrn: str | None) -> Any:
    q = select(filings.c.id).where(filings.c.state != "superseded")
    q = q.where(filings.c.lrn == lrn) if lrn else q.where(filings.c.mrn == (mrn or "\x00"))
    return conn.execute(q.order_by(filings.c.id.desc())).first()


def amend_in(conn: Connection, changes: Iterable[AmendmentChange], when: datetime,
             shipment_ids: Mapping[str, int]) -> None:
    """The amendments a unit's corrected source messages call for, inside its transaction:
    for each registered filing whose data changed, the IE3Axx against its MRN with the full
    new dataset (``ensgate.amendments``), queued for ``ensgate file`` (an amendment queued
    and not yet sent is replaced by the newer one). A change R3024 forbids (AMD004), or any
    other refusal, queues nothing: the diagnostics go on the shipment (its ``reason`` and
    ``diagnostics``) and in a refused ``amend`` event; the registered filing is untouched.

    The registered dataset compared with stays the filing as first registered
    (``filings.xml``): an amendment carries the full new dataset anyway, and what R3024
    locks never changed in an accepted amendment [I: the ICD does not say against which
    version a later amendment is checked]."""
    from ..amendments import build_amendment

    for a in changes:
        row = conn.execute(select(filings.c.state, filings.c.mrn, filings.c.xml).where(
            filings.c.id == a.filing_id)).one()
        if not row.mrn:  # sent, not yet registered: no MRN to amend against
            conn.execute(insert(events).values(
                at=when, filing_id=a.filing_id, kind="amend", from_state=row.state,
                to_state=row.state, cause="the data changed; the amendment waits for the "
                                          f"MRN (the filing is {row.state})"))
            continue
        amendment = build_amendment(unpack(row.xml), a.corrected, row.mrn, issued=when)
        problems: list[Diagnostic] = [d for d in amendment.diagnostics if d.is_error]
        if amendment.xml is not None:
            queued = conn.execute(select(exchanges.c.id).where(
                exchanges.c.filing_id == a.filing_id, exchanges.c.receipt == QUEUED,
                exchanges.c.action == amendment.message_type)).scalar()
            cause = (f"{amendment.message_type} queued against MRN {row.mrn}: "
                     f"{len(amendment.changes)} change(s)")
            if queued is not None:
                conn.execute(update(exchanges).where(exchanges.c.id == queued).values(
                    body=pack(amendment.xml), at=when, detail=cause))
                continue
            _eid, problem = queue_in(conn, filing_id=a.filing_id,
                                     action=amendment.message_type, xml=amendment.xml,
                                     cause=cause, when=when)
            if problem is None:
                continue
            problems = [problem]
        else:
            conn.execute(insert(events).values(
                at=when, filing_id=a.filing_id, kind="amend", from_state=row.state,
                to_state=row.state, cause="refused: " + "; ".join(
                    f"{d.code} {d.message}" for d in problems)))
        sid = shipment_ids.get(a.key)
        if sid is not None:
            conn.execute(update(shipments).where(shipments.c.id == sid).values(
                reason=f"amendment refused: {problems[0].code} {problems[0].message}",
                diagnostics="\n".join(format_json_line(d) for d in problems)))
