"""Exchanges with customs in the store: what was sent over AS4 and what came back, and the
filing states they move (sent, receipt, registered, rejected, and the answers after the
registration). Every filing state change goes through :func:`_advance`, which asks
:func:`filing_transition` for the new state (``docs/filing.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ._queries import aware
from ._schema import events, exchanges, filings, received, shipment_houses, shipments
from ._sqlstate import pack, unpack, utc


@dataclass(frozen=True, slots=True, kw_only=True)
class SentExchange:
    """An ENS handed to customs over AS4 (``receipt``: "ok", "error" or "" not yet known)."""

    message_id: str
    lrn: str
    action: str
    endpoint: str
    receipt: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerExchange:
    """A customs answer received (pulled or pushed)."""

    message_id: str
    ref_to_message_id: str | None
    action: str
    lrn: str | None
    mrn: str | None
    errors: str
    received_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxItem:
    """A filing to hand to customs: ``ready`` (``message_id`` and ``wire`` empty: seal it and
    claim it with :meth:`StoreExchanges.claim_send`), or left in flight by an interrupted run
    (``sent`` with no receipt: ``wire`` is the sealed message to send again, byte for byte,
    with its ``message_id``)."""

    filing_id: int
    lrn: str
    filing: str
    declarant: str
    digest: str
    xml: bytes
    due_at: datetime | None
    message_id: str = ""
    wire: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """An open alarm: a filing in an alarm state (``ALARM_FILING_STATES``), the shipment's
    AWB and houses, and the customs answer that raised it (type, MessageId, its payload)."""

    lrn: str
    state: str
    mrn: str | None
    awb: str
    houses: tuple[str, ...]
    action: str
    message_id: str
    at: datetime
    body: bytes


class StoreExchanges:
    """The AS4 side of :class:`~ensgate.store.Store`: the connector records here (and the
    store implements what ``As4Connector`` needs)."""

    engine: Engine

    def _reader(self) -> Any:
        return self.engine.connect().execution_options(sqlite_begin="DEFERRED")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def record_sent(self, *, message_id: str, lrn: str, action: str, endpoint: str,
                    body: bytes | None = None, wire: bytes | None = None,
                    at: datetime | None = None) -> None:
        """An ENS about to be handed to customs (AS4 MessageId), committed before it goes:
        the exchange (with the sealed ``wire`` message, for a resend), and its filing becomes
        ``sent`` (its LRN is used from now on)."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid, state = _filing_by_lrn(conn, lrn)
            _insert_sent(conn, fid, message_id=message_id, lrn=lrn, action=action,
                         endpoint=endpoint, body=body, wire=wire, when=when)
            if fid is not None and state is not None:
                _advance(conn, fid, state, "sent", f"sent over AS4 as {message_id}", when,
                         as4_message_id=message_id, sent_at=when)

    def outbox(self, *, limit: int | None = None) -> list[OutboxItem]:
        """The filings to hand to customs, in due order (``due_at``, then creation): first
        those left in flight (``sent``, no receipt yet: resent with their MessageId), then
        the ``ready`` ones."""
        with self._reader() as conn:
            flying = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.filing, filings.c.declarant,
                filings.c.digest, filings.c.due_at, exchanges.c.as4_message_id,
                exchanges.c.wire, exchanges.c.body).join(
                exchanges, (exchanges.c.filing_id == filings.c.id)
                & (exchanges.c.direction == "out")
                & (exchanges.c.as4_message_id == filings.c.as4_message_id)).where(
                filings.c.state == "sent", exchanges.c.receipt == "",
                exchanges.c.wire.is_not(None)).order_by(
                filings.c.due_at.is_(None), filings.c.due_at, filings.c.id)).all()
            ready = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.filing, filings.c.declarant,
                filings.c.digest, filings.c.due_at, filings.c.xml).where(
                filings.c.state == "ready").order_by(
                filings.c.due_at.is_(None), filings.c.due_at, filings.c.id).limit(limit)).all()
        out = [OutboxItem(filing_id=r.id, lrn=r.lrn, filing=r.filing, declarant=r.declarant,
                          digest=r.digest, xml=unpack(r.body), due_at=utc(r.due_at),
                          message_id=r.as4_message_id, wire=unpack(r.wire)) for r in flying]
        out += [OutboxItem(filing_id=r.id, lrn=r.lrn, filing=r.filing, declarant=r.declarant,
                           digest=r.digest, xml=unpack(r.xml), due_at=utc(r.due_at))
                for r in ready]
        return out

    def claim_send(self, item: OutboxItem, *, message_id: str, action: str, endpoint: str,
                   wire: bytes, at: datetime | None = None) -> bool:
        """Commit, before it is sent, that a ready filing goes out as AS4 ``message_id``
        (the exchange with the sealed ``wire``; the filing ``sent``, its LRN used). False
        when the filing is no longer the one read (remade, superseded, or claimed by another
        run meanwhile): nothing is written and it must not be sent."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            res = conn.execute(update(filings).where(
                filings.c.id == item.filing_id, filings.c.state == "ready",
                filings.c.digest == item.digest).values(
                state="sent", updated_at=when, as4_message_id=message_id, sent_at=when)
                .returning(filings.c.id))
            if res.first() is None:
                return False
            _insert_sent(conn, item.filing_id, message_id=message_id, lrn=item.lrn,
                         action=action, endpoint=endpoint, body=item.xml, wire=wire, when=when)
            _check(filing_transition("ready", "sent"), "ready", "sent")
            conn.execute(insert(events).values(
                at=when, filing_id=item.filing_id, kind="filing", from_state="ready",
                to_state="sent", cause=f"sent over AS4 as {message_id}"))
        return True

    def record_receipt(self, message_id: str, *, ok: bool, detail: str = "",
                       receipt_wire: bytes | None = None, at: datetime | None = None) -> None:
        """The answer to a sent message: its verified NRR receipt (``ok``, kept in
        ``receipt_wire``) or a refusal (an ebMS error, a receipt that does not match)."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(exchanges.c.id, exchanges.c.filing_id).where(
                exchanges.c.direction == "out", exchanges.c.as4_message_id == message_id)
            ).first()
            if row is None:
                return
            conn.execute(update(exchanges).where(exchanges.c.id == row.id).values(
                receipt="ok" if ok else "error", detail=detail,
                receipt_wire=None if receipt_wire is None else pack(receipt_wire)))
            if row.filing_id is not None:
                state = conn.execute(select(filings.c.state).where(
                    filings.c.id == row.filing_id)).scalar_one()
                if ok:
                    _advance(conn, row.filing_id, state, "receipt",
                             f"AS4 receipt for {message_id} verified", when)
                else:
                    _advance(conn, row.filing_id, state, "refused",
                             f"AS4 refusal of {message_id}: {detail}", when)

    def record_answer(self, *, message_id: str, ref_to_message_id: str | None, action: str,
                      lrn: str | None, mrn: str | None, errors: str = "",
                      body: bytes | None = None, at: datetime | None = None) -> bool:
        """A customs answer received (pulled or pushed); False when this MessageId was
        recorded before (a duplicate delivery, not processed twice). It is matched to its
        filing by RefToMessageId, then LRN, then MRN; one that matches nothing is kept with
        no filing (:meth:`unmatched_answers`). An IE3R01 registers the filing with its MRN;
        an IE3N99 rejects it (its LRN stays used); the others move it as
        :func:`filing_transition` says."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid = None
            if ref_to_message_id:
                fid = conn.execute(select(exchanges.c.filing_id).where(
                    exchanges.c.direction == "out",
                    exchanges.c.as4_message_id == ref_to_message_id)).scalar()
            if fid is None and lrn:
                fid = _filing_by_lrn(conn, lrn)[0]
            if fid is None and mrn:
                fid = conn.execute(select(filings.c.id).where(filings.c.mrn == mrn).order_by(
                    filings.c.id.desc())).scalar()
            # RETURNING tells whether the row went in (psycopg gives no rowcount here)
            res = conn.execute(_upsert_ignore(conn, exchanges).returning(exchanges.c.id), {
                "filing_id": fid, "direction": "in", "as4_message_id": message_id,
                "ref_to_message_id": ref_to_message_id, "action": action, "lrn": lrn,
                "mrn": mrn, "endpoint": "", "receipt": "", "body": None if body is None
                else pack(body), "at": when, "detail": errors})
            if res.first() is None:
                return False
            if fid is not None:
                state = conn.execute(select(filings.c.state).where(
                    filings.c.id == fid)).scalar_one()
                if action in ("IE3R01", "IE3R04") and mrn:
                    _advance(conn, fid, state, action, f"{action} {message_id}: MRN {mrn}",
                             when, mrn=mrn)
                else:
                    _advance(conn, fid, state, action,
                             f"{action} {message_id}: {errors}".strip(" :"), when)
            return True

    def unmatched_answers(self) -> list[AnswerExchange]:
        """Answers received that match no filing (kept, never dropped; ``file``, ``pull``
        and ``report`` name them)."""
        with self._reader() as conn:
            rows = conn.execute(select(exchanges).where(
                exchanges.c.direction == "in", exchanges.c.filing_id.is_(None)).order_by(
                exchanges.c.id)).all()
        return [_answer_of(r) for r in rows]

    def open_alarms(self) -> list[Alarm]:
        """Filings in an alarm state (do-not-load, screening-requested), with their AWB,
        houses and the answer that raised the alarm."""
        from ..pipeline import ALARM_FILING_STATES

        with self._reader() as conn:
            rows = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.state, filings.c.mrn,
                filings.c.shipment_id, shipments.c.mawb, shipments.c.key).join(
                shipments, shipments.c.id == filings.c.shipment_id).where(
                filings.c.state.in_(sorted(ALARM_FILING_STATES))).order_by(
                filings.c.id)).all()
            out = []
            for r in rows:
                houses = tuple(conn.execute(select(shipment_houses.c.hawb).where(
                    shipment_houses.c.shipment_id == r.shipment_id).order_by(
                    shipment_houses.c.hawb)).scalars())
                why = conn.execute(select(exchanges).where(
                    exchanges.c.filing_id == r.id, exchanges.c.direction == "in",
                    exchanges.c.action == _ALARM_ANSWER.get(r.state, "")).order_by(
                    exchanges.c.id.desc())).first()
                out.append(Alarm(
                    lrn=r.lrn, state=r.state, mrn=r.mrn, awb=r.mawb or r.key, houses=houses,
                    action=why.action if why is not None else "",
                    message_id=why.as4_message_id if why is not None else "",
                    at=(utc(why.at) if why is not None else None) or datetime.now(UTC),
                    body=unpack(why.body) if why is not None else b""))
        return out

    def received_reply(self, message_id: str) -> tuple[int, str, bytes] | None:
        """The answer an AS4 receiver gave to ``message_id`` (status, content type, body), or
        None: duplicate detection that survives a restart (``StoreReceivedStore``)."""
        with self._reader() as conn:
            r = conn.execute(select(received.c.status, received.c.content_type,
                                    received.c.body).where(
                received.c.message_id == message_id)).first()
        return None if r is None else (int(r.status), str(r.content_type), bytes(r.body))

    def remember_reply(self, message_id: str, status: int, content_type: str,
                       body: bytes) -> None:
        """Record the answer given to a processed AS4 message (committed on return; a second
        record of the same MessageId keeps the first)."""
        with self.engine.begin() as conn:
            conn.execute(_upsert_ignore(conn, received), [{
                "message_id": message_id, "status": status, "content_type": content_type,
                "body": body, "received_at": datetime.now(UTC)}])

    def answers_for(self, message_id: str, *, lrn: str | None = None) -> list[AnswerExchange]:
        """Answers referring to a sent message (by RefToMessageId, or by its LRN)."""
        with self._reader() as conn:
            rows = conn.execute(select(exchanges).where(
                exchanges.c.direction == "in",
                or_(exchanges.c.ref_to_message_id == message_id,
                    exchanges.c.lrn == (lrn or "\x00"))).order_by(exchanges.c.id)).all()
        return [_answer_of(r) for r in rows]

    def sent(self, message_id: str) -> SentExchange | None:
        """The ENS sent with this AS4 MessageId, or None."""
        with self._reader() as conn:
            r = conn.execute(select(exchanges).where(
                exchanges.c.direction == "out",
                exchanges.c.as4_message_id == message_id)).first()
        return None if r is None else SentExchange(
            message_id=r.as4_message_id, lrn=r.lrn or "", action=r.action,
            endpoint=r.endpoint, receipt=r.receipt, detail=r.detail,
            at=utc(r.at) or datetime.now(UTC))


def _filing_by_lrn(conn: Connection, lrn: str) -> tuple[int | None, str | None]:
    row = conn.execute(select(filings.c.id, filings.c.state).where(
        filings.c.lrn == lrn, filings.c.state != "superseded").order_by(
        filings.c.id.desc())).first()
    return (None, None) if row is None else (row.id, row.state)


# Which answer raised an alarm state (to show what customs asked).
_ALARM_ANSWER = {"do-not-load": "IE3Q01", "screening-requested": "IE3Q03"}

# The filing lifecycle as far as the exchanges move it: (event, states it applies in) -> new
# state. Events: "sent", "receipt" (NRR verified), "refused" (ebMS error or bad receipt), and
# the customs answer types. [I] The ICD draws no transition table; referrals and notifications
# are taken in any state after the filing was sent and not rejected.
_AFTER_SENT = frozenset({"sent", "receipt", "registered", "assessment-complete",
                         "do-not-load", "information-requested", "screening-requested"})
_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "sent": (frozenset({"ready"}), "sent"),
    "receipt": (frozenset({"sent"}), "receipt"),
    "refused": (frozenset({"sent", "receipt"}), "rejected"),
    "IE3R01": (frozenset({"sent", "receipt"}), "registered"),
    "IE3R04": (frozenset({"sent", "receipt"}), "registered"),
    "IE3N99": (frozenset({"sent", "receipt"}), "rejected"),
    "IE3N01": (frozenset({"sent", "receipt"}), "rejected"),
    "IE3N03": (_AFTER_SENT, "assessment-complete"),
    "IE3Q01": (_AFTER_SENT, "do-not-load"),
    "IE3Q02": (_AFTER_SENT, "information-requested"),
    "IE3Q03": (_AFTER_SENT, "screening-requested"),
}


def filing_transition(state: str, event: str) -> str | None:
    """The filing state after ``event`` in ``state``, or None when the event leaves it where
    it is (a resend, a late receipt, an answer that moves nothing): the one place the
    exchanges decide a filing state."""
    allowed = _TRANSITIONS.get(event)
    if allowed is None or state not in allowed[0]:
        return None
    return allowed[1]


def _check(new: str | None, old: str, event: str) -> str:
    from ..pipeline import FILING_STATES
    from ..pipeline._state import check_state

    if new is None:
        raise ValueError(f"no filing transition from {old!r} on {event!r}")
    return check_state(FILING_STATES, new)


def _advance(conn: Connection, fid: int, old: str, event: str, cause: str, when: datetime,
             **values: Any) -> None:
    """Move filing ``fid`` on ``event`` (an event row either way: ``filing`` when its state
    changes, ``answer`` when it stays)."""
    new = filing_transition(old, event)
    if new is None:
        if event not in ("sent", "receipt"):
            conn.execute(insert(events).values(at=when, filing_id=fid, kind="answer",
                                               from_state=old, to_state=old, cause=cause))
        return
    _check(new, old, event)
    conn.execute(update(filings).where(filings.c.id == fid).values(state=new, updated_at=when,
                                                                  **values))
    conn.execute(insert(events).values(at=when, filing_id=fid, kind="filing", from_state=old,
                                       to_state=new, cause=cause))


def _insert_sent(conn: Connection, fid: int | None, *, message_id: str, lrn: str, action: str,
                 endpoint: str, body: bytes | None, wire: bytes | None,
                 when: datetime) -> None:
    conn.execute(_upsert_ignore(conn, exchanges), [{
        "filing_id": fid, "direction": "out", "as4_message_id": message_id,
        "ref_to_message_id": None, "action": action, "lrn": lrn, "mrn": None,
        "endpoint": endpoint, "receipt": "", "body": None if body is None else pack(body),
        "wire": None if wire is None else pack(wire), "at": when, "detail": ""}])


def _answer_of(r: Any) -> AnswerExchange:
    return AnswerExchange(message_id=r.as4_message_id, ref_to_message_id=r.ref_to_message_id,
                          action=r.action, lrn=r.lrn, mrn=r.mrn, errors=r.detail,
                          received_at=utc(r.at) or datetime.now(UTC))


def _upsert_ignore(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing()
