"""The event outbox of the store: each configured sink has a cursor (the last event it was
given) moved only after delivery, and a lease so that two processes do not deliver to one
sink at once. Delivery itself is ``ensgate.sinks``'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, text, update

from ._schema import events, filings, messages, shipment_houses, shipments, sink_cursors
from ._sqlstate import utc


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class StoreSinks:
    """The sink side of :class:`~ensgate.store.Store`."""

    engine: Engine

    def sink_lease(self, sink: str, owner: str, *, lease: timedelta,
                   now: datetime | None = None) -> int | None:
        """Take the lease of ``sink`` for ``owner`` (free, expired, or already ours) and return
        its cursor (the last event delivered); None while another process holds it."""
        when = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            _ensure(conn, sink, when)
            row = conn.execute(update(sink_cursors).where(
                sink_cursors.c.sink == sink,
                or_(sink_cursors.c.owner.is_(None), sink_cursors.c.owner == owner,
                    sink_cursors.c.lease_until < when)).values(
                owner=owner, lease_until=when + lease, updated_at=when).returning(
                sink_cursors.c.event_id)).first()
        return None if row is None else int(row.event_id)

    def sink_commit(self, sink: str, owner: str, event_id: int, *, lease: timedelta) -> bool:
        """Record that ``sink`` has every event up to ``event_id`` (and extend the lease);
        False when the lease was lost (another process took over after it expired)."""
        when = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(update(sink_cursors).where(
                sink_cursors.c.sink == sink, sink_cursors.c.owner == owner,
                sink_cursors.c.event_id <= event_id).values(
                event_id=event_id, lease_until=when + lease, updated_at=when).returning(
                sink_cursors.c.sink)).first()
        return row is not None

    def sink_release(self, sink: str, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(sink_cursors).where(
                sink_cursors.c.sink == sink, sink_cursors.c.owner == owner).values(
                owner=None, lease_until=None))

    def sink_cursor(self, sink: str) -> int:
        """The last event ``sink`` was given (0: none)."""
        with self._read() as conn:
            found = conn.execute(select(sink_cursors.c.event_id).where(
                sink_cursors.c.sink == sink)).scalar()
        return int(found or 0)

    def _read(self) -> Any:
        """A read-only connection (SQLite: a deferred transaction, which takes no write
        lock: a running translate does not hold delivery up, nor delivery it)."""
        return self.engine.connect().execution_options(sqlite_begin="DEFERRED")

    def _event_horizon(self) -> int:
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as conn:
                return _horizon(conn)
        with self._read() as conn:
            return _horizon(conn)

    def events_after(self, event_id: int, limit: int = 500) -> list[dict[str, Any]]:
        """The events after ``event_id`` (oldest first, at most ``limit``) as sink records:
        id, time, event (its cause: ``IE3R01``, ``submitted``, ``state``...), the filing's LRN,
        MRN and type, the shipment's AWB and HAWBs, from and to state, and the cause text."""
        later = shipments.alias("fs")
        horizon = self._event_horizon()
        with self._read() as conn:
            rows = conn.execute(select(
                events.c.id, events.c.at, events.c.kind, events.c.from_state,
                events.c.to_state, events.c.cause, events.c.shipment_id, events.c.filing_id,
                events.c.message_id, filings.c.lrn, filings.c.mrn, filings.c.filing,
                filings.c.shipment_id.label("filing_shipment"),
                shipments.c.mawb, shipments.c.key, later.c.mawb.label("fmawb"),
                later.c.key.label("fkey"), messages.c.label).select_from(
                events.outerjoin(filings, filings.c.id == events.c.filing_id)
                .outerjoin(shipments, shipments.c.id == events.c.shipment_id)
                .outerjoin(later, later.c.id == filings.c.shipment_id)
                .outerjoin(messages, messages.c.id == events.c.message_id)).where(
                events.c.id > event_id, events.c.id <= horizon).order_by(
                events.c.id).limit(limit)).all()
            ships = {r.shipment_id or r.filing_shipment for r in rows} - {None}
            houses: dict[int, list[str]] = {}
            if ships:
                for sid, hawb in conn.execute(select(
                        shipment_houses.c.shipment_id, shipment_houses.c.hawb).where(
                        shipment_houses.c.shipment_id.in_(sorted(ships))).order_by(
                        shipment_houses.c.hawb)):
                    houses.setdefault(sid, []).append(hawb)
        out = []
        for r in rows:
            sid = r.shipment_id or r.filing_shipment
            subject = ("filing" if r.filing_id is not None else
                       "shipment" if r.shipment_id is not None else "message")
            out.append({
                "id": int(r.id), "at": _iso(utc(r.at)), "subject": subject, "event": r.kind,
                "lrn": r.lrn, "mrn": r.mrn, "filing": r.filing,
                "awb": r.mawb or r.key or r.fmawb or r.fkey,
                "hawbs": houses.get(sid, []) if sid is not None else [],
                "message": r.label, "from": r.from_state, "to": r.to_state,
                "cause": r.cause})
        return out


def _horizon(conn: Connection) -> int:
    """The highest event id below which no transaction can still add one. PostgreSQL hands
    out ids before commit, so a later id can be visible while an earlier one is still in an
    open transaction: a cursor moved past it would skip that event for good. A SHARE lock on
    the table waits for every transaction that inserted events and holds new ones off for
    the instant of the read. SQLite writers take turns: the highest id is the horizon."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE events IN SHARE MODE"))
    return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)


def _ensure(conn: Connection, sink: str, when: datetime) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        stmt: Any = postgresql.insert(sink_cursors).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects import sqlite

        stmt = sqlite.insert(sink_cursors).on_conflict_do_nothing()
    conn.execute(stmt, {"sink": sink, "event_id": 0, "owner": None, "lease_until": None,
                        "updated_at": when})
