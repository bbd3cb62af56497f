"""Exchanges with customs in the store: what was sent over AS4 and what came back, and the
filing states they move. Every state change goes through the filing lifecycle
(``ensgate.lifecycle``): the event is named by its cause (``submitted``, ``receipt``,
``IE3R01``...), and a step the ICD does not allow changes nothing but is recorded (an event
row from and to the same state, cause "refused (LCY001)") and returned as a diagnostic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ..diagnostics import Diagnostic
from ..lifecycle import ALARM_STATES, EVENTS, check_transition, event_for_sent, next_state
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
    """An open alarm: a filing in an alarm state (``ALARM_STATES``), the shipment's AWB and
    houses, and the customs answer that raised it (type, MessageId, its payload)."""

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
            new = _insert_new(conn, {
                "filing_id": fid, "direction": "out", "as4_message_id": message_id,
                "ref_to_message_id": None, "action": action, "lrn": lrn, "mrn": None,
                "endpoint": endpoint, "receipt": "", "body": None if body is None
                else pack(body), "wire": None if wire is None else pack(wire), "at": when,
                "detail": ""})
            # the same message recorded again (a resumed run) is no new event
            event = event_for_sent(action)
            if fid is None or event is None:
                return
            if event == "submitted" and (new or state in ("ready", "sent")):
                move_filing(conn, fid, event, f"sent over AS4 as {message_id}", when,
                            as4_message_id=message_id, sent_at=when)
            elif event != "submitted" and new:
                move_filing(conn, fid, event, f"{action} sent over AS4 as {message_id}", when)

    def outbox(self, *, limit: int | None = None) -> list[OutboxItem]:
        """The filings to hand to customs, in due order (``due_at``, then creation): first
        those left in flight (``sent``, no receipt yet: resent with their MessageId), then
        the ``ready`` ones."""
        order = (filings.c.due_at.is_(None), filings.c.due_at, filings.c.id)
        with self._reader() as conn:
            flying = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.filing, filings.c.declarant,
                filings.c.digest, filings.c.due_at, exchanges.c.as4_message_id,
                exchanges.c.wire, exchanges.c.body).join(
                exchanges, (exchanges.c.filing_id == filings.c.id)
                & (exchanges.c.direction == "out")
                & (exchanges.c.as4_message_id == filings.c.as4_message_id)).where(
                filings.c.state == "sent", exchanges.c.receipt == "",
                exchanges.c.wire.is_not(None)).order_by(*order)).all()
            ready = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.filing, filings.c.declarant,
                filings.c.digest, filings.c.due_at, filings.c.xml).where(
                filings.c.state == "ready").order_by(*order).limit(limit)).all()
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
            # compare-and-set (and, on PostgreSQL, the row lock a concurrent claim waits on)
            if conn.execute(update(filings).where(
                    filings.c.id == item.filing_id, filings.c.state == "ready",
                    filings.c.digest == item.digest).values(updated_at=when).returning(
                    filings.c.id)).first() is None:
                return False
            _insert_new(conn, {
                "filing_id": item.filing_id, "direction": "out", "as4_message_id": message_id,
                "ref_to_message_id": None, "action": action, "lrn": item.lrn, "mrn": None,
                "endpoint": endpoint, "receipt": "", "body": pack(item.xml),
                "wire": pack(wire), "at": when, "detail": ""})
            problem = move_filing(conn, item.filing_id, "submitted",
                                  f"sent over AS4 as {message_id}", when,
                                  as4_message_id=message_id, sent_at=when)
            if problem is not None:
                raise ValueError(str(problem))  # a ready filing can always be submitted
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
                # a receipt of a message sent after the filing (amendment, invalidation...)
                # or one seen after customs' answer moves nothing
                if ok and state == "sent":
                    move_filing(conn, row.filing_id, "receipt",
                                f"AS4 receipt for {message_id} verified", when)
                elif not ok and state in ("sent", "receipt"):
                    move_filing(conn, row.filing_id, "ebms-error",
                                f"AS4 refusal of {message_id}: {detail}", when)

    def record_answer(self, *, message_id: str, ref_to_message_id: str | None, action: str,
                      lrn: str | None, mrn: str | None, errors: str = "",
                      body: bytes | None = None, at: datetime | None = None) -> bool:
        """A customs answer received (pulled or pushed); False when this MessageId was
        recorded before (a duplicate delivery, not processed twice). An IE3R01 registers the
        filing with its MRN; an IE3N99 rejects it (its LRN stays used)."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid = None
            if ref_to_message_id:
                fid = conn.execute(select(exchanges.c.filing_id).where(
                    exchanges.c.direction == "out",
                    exchanges.c.as4_message_id == ref_to_message_id)).scalar()
            if fid is None and lrn:
                fid = _filing_by_lrn(conn, lrn)[0]
            if fid is None and mrn:  # a referral may name only the MRN
                fid = conn.execute(select(filings.c.id).where(filings.c.mrn == mrn).order_by(
                    filings.c.id.desc())).scalar()
            new = _insert_new(conn, {
                "filing_id": fid, "direction": "in", "as4_message_id": message_id,
                "ref_to_message_id": ref_to_message_id, "action": action, "lrn": lrn,
                "mrn": mrn, "endpoint": "", "receipt": "", "body": None if body is None
                else pack(body), "at": when, "detail": errors})
            if not new:
                return False
            if fid is not None:
                if action == "IE3R01" and mrn:
                    move_filing(conn, fid, action, f"IE3R01 {message_id}: MRN {mrn}", when,
                                mrn=mrn)
                elif action in EVENTS and action != "IE3R01":
                    move_filing(conn, fid, action,
                                f"{action} {message_id}: {errors}".strip(" :"), when)
                else:
                    state = conn.execute(select(filings.c.state).where(
                        filings.c.id == fid)).scalar_one()
                    conn.execute(insert(events).values(
                        at=when, filing_id=fid, kind="answer", from_state=state,
                        to_state=state, cause=f"{action} {message_id}"))
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
        with self._reader() as conn:
            rows = conn.execute(select(
                filings.c.id, filings.c.lrn, filings.c.state, filings.c.mrn,
                filings.c.shipment_id, shipments.c.mawb, shipments.c.key).join(
                shipments, shipments.c.id == filings.c.shipment_id).where(
                filings.c.state.in_(sorted(ALARM_STATES))).order_by(filings.c.id)).all()
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

    def apply_event(self, event: str, *, cause: str, lrn: str | None = None,
                    filing_id: int | None = None, at: datetime | None = None,
                    **values: Any) -> Diagnostic | None:
        """Move a filing (by id, or the current one holding ``lrn``) by a lifecycle
        ``event`` in its own transaction: None when done, else the diagnostic (LCY001 for a
        step the ICD does not allow: recorded, nothing changed; LCY002 unknown). KeyError when
        there is no such filing. ``values`` are filing columns to set with it."""
        when = aware(at) or datetime.now(UTC)
        with self.engine.begin() as conn:
            fid = filing_id if filing_id is not None else _filing_by_lrn(conn, lrn or "")[0]
            if fid is None:
                raise KeyError(f"no filing with LRN {lrn}")
            return move_filing(conn, fid, event, cause, when, **values)

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


def move_filing(conn: Connection, fid: int, event: str, cause: str, when: datetime,
                **values: Any) -> Diagnostic | None:
    """Apply lifecycle ``event`` to filing ``fid`` inside ``conn``'s transaction: its new
    state, the columns in ``values`` and one events row (kind = the event, cause = what
    happened). A step the lifecycle refuses changes nothing but the events row (from and to
    the same state, cause prefixed "refused (LCY001)"), and its diagnostic is returned."""
    row = conn.execute(select(filings.c.state, filings.c.lrn).where(
        filings.c.id == fid)).one()
    problem = check_transition(row.state, event, lrn=row.lrn)
    if problem is not None:
        conn.execute(insert(events).values(
            at=when, filing_id=fid, kind=event[:20], from_state=row.state, to_state=row.state,
            cause=f"refused ({problem.code}): {problem.message}; {cause}"))
        return problem
    new = next_state(row.state, event)
    conn.execute(update(filings).where(filings.c.id == fid).values(
        state=new, updated_at=when, **values))
    conn.execute(insert(events).values(at=when, filing_id=fid, kind=event, from_state=row.state,
                                       to_state=new, cause=cause))
    return None


# Which answer raised an alarm state (to show what customs asked).
_ALARM_ANSWER = {"do-not-load": "IE3Q01", "screening-requested": "IE3Q03"}


def _answer_of(r: Any) -> AnswerExchange:
    return AnswerExchange(message_id=r.as4_message_id, ref_to_message_id=r.ref_to_message_id,
                          action=r.action, lrn=r.lrn, mrn=r.mrn, errors=r.detail,
                          received_at=utc(r.at) or datetime.now(UTC))


def _insert_new(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert an exchange unless its (direction, MessageId) is stored: True when inserted
    (RETURNING, since psycopg reports no rowcount for INSERT ... ON CONFLICT DO NOTHING)."""
    stmt = _upsert_ignore(conn, exchanges).returning(exchanges.c.id)
    return conn.execute(stmt, row).first() is not None


def _upsert_ignore(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing()
