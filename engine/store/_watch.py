"""Filings late or at risk of being late in the store (their due times, ``ensgate.deadlines``),
for ``ensgate report``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, select
from sqlalchemy.sql.expression import Select

from ..deadlines import default_deadlines, urgency
from ._schema import filings, shipment_houses, shipments
from ._sqlstate import utc

# filings not lodged yet: unsent, or rejected with no later filing of their shipment
_UNSENT = ("draft", "ready")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _houses(conn: Connection, shipment_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    ids = sorted(set(shipment_ids))
    for start in range(0, len(ids), 500):
        for sid, hawb in conn.execute(select(shipment_houses.c.shipment_id,
                                             shipment_houses.c.hawb).where(
                shipment_houses.c.shipment_id.in_(ids[start:start + 500])).order_by(
                shipment_houses.c.hawb)):
            out.setdefault(sid, []).append(hawb)
    return out


class StoreWatch:
    """The watch side of :class:`~ensgate.store.Store`."""

    engine: Engine

    def _reader(self) -> Any:
        return self.engine.connect().execution_options(sqlite_begin="DEFERRED")

    def _at_risk(self) -> timedelta:
        config = getattr(self, "config", None)
        configured = None if config is None else config.deadline_at_risk
        return default_deadlines().at_risk if configured is None else timedelta(
            seconds=configured)

    def deadlines(self, now: datetime | None = None,
                  at_risk: timedelta | None = None) -> list[dict[str, Any]]:
        """Filings not lodged yet that are late (past their due time) or at risk (due within
        ``at_risk``; default: the configuration's ``deadlines.at_risk``, else the rules'),
        the most urgent first: AWB, HAWBs, LRN, type, state, due time, ``late`` |
        ``at-risk`` and the minutes left (negative: late by)."""
        when = now or datetime.now(UTC)
        window = self._at_risk() if at_risk is None else at_risk
        later = filings.alias("later")
        newer = exists().where(later.c.shipment_id == filings.c.shipment_id,
                               later.c.id > filings.c.id, later.c.state != "superseded")
        q: Select[Any] = select(
            filings.c.lrn, filings.c.filing, filings.c.state, filings.c.due_at,
            filings.c.shipment_id, shipments.c.mawb, shipments.c.key).join(
            shipments, shipments.c.id == filings.c.shipment_id).where(
            filings.c.due_at.is_not(None), filings.c.due_at <= when + window,
            filings.c.state.in_(_UNSENT) | and_(filings.c.state == "rejected", ~newer)
        ).order_by(filings.c.due_at, filings.c.id)
        with self._reader() as conn:
            rows = conn.execute(q).all()
            houses = _houses(conn, (r.shipment_id for r in rows))
        out = []
        for r in rows:
            due = utc(r.due_at)
            assert due is not None
            out.append({"key": r.mawb or r.key, "houses": houses.get(r.shipment_id, []),
                        "lrn": r.lrn, "filing": r.filing, "state": r.state,
                        "due_at": _iso(due), "urgency": urgency(due, when, window),
                        "minutes_left": int((due - when).total_seconds() // 60)})
        return out

