"""The pipeline's state (``ensgate.pipeline.UnitState``) on the store's tables, inside one
transaction per unit (opened and committed by :class:`~ensgate.store.Store`)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..pipeline import SENT_FILING_STATES
from ..pipeline._state import (
    Link,
    SourceRef,
    StoredFiling,
    StoredMessage,
    StoredShipment,
    UnitChanges,
)
from ._schema import (
    events,
    exports,
    filings,
    message_shipments,
    messages,
    shipment_houses,
    shipments,
    sources,
)

_T = TypeVar("_T")
CHUNK = 500
ZLIB_LEVEL = 1


class UnitConflict(Exception):
    """Another process stored one of this unit's messages first: the unit is rolled back and
    run again (it then sees the message as a duplicate)."""


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC (SQLite gives naive values back)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def pack(data: bytes) -> bytes:
    return zlib.compress(data, ZLIB_LEVEL)


def unpack(data: bytes | None) -> bytes:
    return b"" if not data else zlib.decompress(data)


def first_error_line(lines: Iterable[str]) -> str:
    """``CODE message`` of the worst diagnostic in JSON lines."""
    order = {"info": 0, "warning": 1, "error": 2, "fatal": 3}
    best: dict[str, Any] | None = None
    for line in lines:
        d = json.loads(line)
        if best is None or order.get(d.get("severity", ""), 0) > order.get(
                best.get("severity", ""), 0):
            best = d
    return "" if best is None else f"{best['code']} {best['message']}"


class SqlState:
    """``UnitState`` over one connection in a transaction. ``folder`` names the output folder
    whose exports the unit queues (None: no exports); ``run_id`` the run the messages join."""

    def __init__(self, conn: Connection, *, run_id: int, folder: str | None = None) -> None:
        self.conn = conn
        self.run_id = run_id
        self.folder = folder
        self.postgres = conn.dialect.name == "postgresql"
        self._ids: dict[str, int] = {}  # shipment key -> id, for this unit
        self._existing: set[str] = set()
        self._lrns_known: set[str] = set()
        self._docs_known: set[str] = set()
        self._holders: dict[tuple[str, str], tuple[str, int, str]] = {}
        self._by_doc: list[Any] = []

    # -- reading --------------------------------------------------------------------------
    def claim(self, hashes: list[str]) -> list[bool]:
        known: set[str] = set()
        wanted = sorted(set(hashes))
        for part1 in chunks(wanted):
            known.update(self.conn.execute(select(messages.c.content_hash).where(
                messages.c.content_hash.in_(part1))).scalars())
        out = []
        for h in hashes:
            out.append(h not in known)
            known.add(h)  # a second copy in the same unit is a duplicate too
        return out

    def lock(self, keys: list[str]) -> dict[str, StoredShipment]:
        """The existing shipments of ``keys``, locked for this unit (PostgreSQL: ``FOR
        UPDATE`` in key order; SQLite: the unit's ``BEGIN IMMEDIATE`` already excludes other
        writers). Keys not stored yet are inserted at the end of the unit; if another unit
        inserted one meanwhile, the insert conflicts and the unit runs again, then finding
        the row to lock."""
        if not keys:
            return {}
        rows: list[Any] = []
        for part2 in chunks(keys):
            q = select(shipments.c.id, shipments.c.key, shipments.c.state,
                       shipments.c.input_digest, shipments.c.first_at,
                       shipments.c.waiting_for).where(shipments.c.key.in_(part2))
            if self.postgres:
                q = q.order_by(shipments.c.key).with_for_update()
            rows.extend(self.conn.execute(q).all())
        by_key: dict[str, StoredShipment] = {}
        current = self._current_filings([r.id for r in rows])
        for r in rows:
            self._ids[r.key] = r.id
            self._existing.add(r.key)
            by_key[r.key] = StoredShipment(id=r.id, key=r.key, state=r.state,
                                           input_digest=r.input_digest,
                                           first_at=utc(r.first_at), filing=current.get(r.id),
                                           waiting_for=r.waiting_for)
        return by_key

    def _current_filings(self, ids: list[int]) -> dict[int, StoredFiling]:
        out: dict[int, StoredFiling] = {}
        for part3 in chunks(ids):
            for r in self.conn.execute(select(
                    filings.c.id, filings.c.shipment_id, filings.c.lrn, filings.c.declarant,
                    filings.c.filing, filings.c.state, filings.c.digest, filings.c.document,
                    filings.c.seq, filings.c.due_at).where(filings.c.shipment_id.in_(part3),
                                         filings.c.state != "superseded")
                    .order_by(filings.c.id)):
                out[r.shipment_id] = StoredFiling(id=r.id, lrn=r.lrn, declarant=r.declarant,
                                                  filing=r.filing, state=r.state,
                                                  digest=r.digest, document=r.document,
                                                  seq=r.seq, due_at=utc(r.due_at))
        return out

    def links(self, keys: Collection[str]) -> list[Link]:
        ids = [self._ids[k] for k in keys if k in self._existing]
        key_of = {v: k for k, v in self._ids.items()}
        out = []
        for part4 in chunks(ids):
            for r in self.conn.execute(select(
                    message_shipments.c.message_id, message_shipments.c.shipment_id,
                    message_shipments.c.role, message_shipments.c.used).where(
                    message_shipments.c.shipment_id.in_(part4))):
                out.append(Link(message_id=r.message_id, key=key_of[r.shipment_id],
                                role=r.role, used=bool(r.used)))
        return out

    def messages(self, ids: Collection[int]) -> dict[int, StoredMessage]:
        out = {}
        for part5 in chunks(sorted(ids)):
            for r in self.conn.execute(select(
                    messages.c.id, messages.c.content_hash, messages.c.source_id,
                    messages.c.extra_sources, messages.c.anchor, messages.c.received_at,
                    messages.c.label, messages.c.outcome).where(messages.c.id.in_(part5))):
                extra = tuple(int(x) for x in (r.extra_sources or "").split(",") if x)
                out[r.id] = StoredMessage(
                    id=r.id, content_hash=r.content_hash,
                    sources=(() if r.source_id is None else (r.source_id,)) + extra,
                    anchor=r.anchor, received_at=utc(r.received_at) or datetime.now(UTC),
                    label=r.label, outcome=r.outcome)
        return out

    def other_links(self, message_ids: Collection[int], keys: Collection[str]
                    ) -> list[tuple[int, bool, str, str | None]]:
        mine = {self._ids[k] for k in keys if k in self._ids}
        out = []
        for part6 in chunks(sorted(set(message_ids))):
            for r in self.conn.execute(select(
                    message_shipments.c.message_id, message_shipments.c.used,
                    message_shipments.c.role, message_shipments.c.shipment_id,
                    shipments.c.state).join(shipments, shipments.c.id ==
                                            message_shipments.c.shipment_id).where(
                    message_shipments.c.message_id.in_(part6))):
                if r.shipment_id not in mine:
                    out.append((r.message_id, bool(r.used), r.role, r.state))
        return out

    def source(self, source_id: int) -> tuple[SourceRef, bytes]:
        r = self.conn.execute(select(sources).where(sources.c.id == source_id)).one()
        return (SourceRef(id=r.id, file=r.file, reader=r.reader, line_offset=r.line_offset,
                          index_offset=r.index_offset), unpack(r.body))

    def prefetch(self, lrns: Collection[str], documents: Collection[str]) -> None:
        """Filings holding these LRNs, and filings of these documents (as LRN document or
        master document): two queries per unit instead of several per shipment."""
        self._lrns_known = set(lrns)
        self._docs_known = set(documents)
        self._holders = {}
        self._by_doc = []
        cols = (filings.c.id, filings.c.declarant, filings.c.lrn, filings.c.filing,
                filings.c.document, filings.c.master_document, filings.c.state,
                filings.c.sent_at, shipments.c.key)
        rows: list[Any] = []
        for part7 in chunks(sorted(self._lrns_known)):
            rows.extend(self.conn.execute(select(*cols).join(
                shipments, shipments.c.id == filings.c.shipment_id).where(
                filings.c.lrn.in_(part7))).all())
        for part8 in chunks(sorted(self._docs_known)):
            found = self.conn.execute(select(*cols).join(
                shipments, shipments.c.id == filings.c.shipment_id).where(
                filings.c.document.in_(part8) | filings.c.master_document.in_(part8))).all()
            self._by_doc.extend(found)
            rows.extend(found)
        for r in rows:
            self._holders[(r.declarant, r.lrn)] = (r.key, r.id, r.state)

    def lrn_holder(self, declarant: str, lrn: str) -> tuple[str, int, str] | None:
        found = self._holders.get((declarant, lrn))
        if found is not None or lrn in self._lrns_known:
            return found
        r = self.conn.execute(_LRN_HOLDER, {"d": declarant, "l": lrn}).first()
        return None if r is None else (r.key, r.id, r.state)

    def sent_count(self, declarant: str, document: str, filing: str) -> int:
        if document in self._docs_known:
            return sum(1 for r in self._by_doc if r.declarant == declarant and
                       r.document == document and r.filing == filing and
                       r.state in SENT_FILING_STATES)
        return int(self.conn.execute(select(func.count()).select_from(filings).where(
            filings.c.declarant == declarant, filings.c.document == document,
            filings.c.filing == filing, filings.c.state.in_(SENT_FILING_STATES))).scalar_one())

    def document_used(self, declarant: str, number: str, *, since: datetime | None,
                      exclude_key: str) -> bool:
        from ..ledger import normalise_document, normalise_party

        party, doc = normalise_party(declarant), normalise_document(number)
        if number in self._docs_known:
            return any(r.declarant == party and normalise_document(r.master_document) == doc
                       and r.state in SENT_FILING_STATES and r.key != exclude_key
                       and (since is None or (utc(r.sent_at) or since) >= since)
                       for r in self._by_doc)
        q = select(filings.c.id).join(shipments, shipments.c.id == filings.c.shipment_id).where(
            filings.c.declarant == party,
            func.upper(func.replace(filings.c.master_document, " ", "")) == doc,
            filings.c.state.in_(SENT_FILING_STATES), shipments.c.key != exclude_key)
        if since is not None:
            q = q.where(filings.c.sent_at >= since)
        return self.conn.execute(q.limit(1)).first() is not None

    # -- writing --------------------------------------------------------------------------
    def apply(self, changes: UnitChanges) -> dict[int, int]:
        now = changes.now
        source_ids = self._sources(changes, now)
        ids = self._messages(changes, now, source_ids)
        self._shipments(changes, now)
        self._links(changes, ids)
        if changes.outcomes:
            self.conn.execute(update(messages).where(messages.c.id == bindparam("mid")).values(
                outcome=bindparam("o"), diagnostics=bindparam("d"), reason=bindparam("r")), [
                {"mid": mid, "o": o, "d": "\n".join(d), "r": first_error_line(d)}
                for mid, (o, d) in changes.outcomes.items()])
        filing_ids = {lrn: fid for (_d, lrn), fid in self._filings(changes, now).items()}
        self._events(changes, now, ids, filing_ids)
        if changes.amendments:  # registered filings whose data changed: IE3Axx queued
            from ._trader import amend_in

            amend_in(self.conn, changes.amendments, now, self._ids)
        if self.folder is not None:
            self._exports(changes, now, ids, filing_ids)
        return ids

    def _sources(self, changes: UnitChanges, now: datetime) -> dict[int, int]:
        if not changes.sources:
            return {}
        used = {r for m in changes.messages for r in m.sources}
        rows = [{"content_hash": s.content_hash, "file": s.file, "reader": s.reader,
                 "line_offset": s.line_offset, "index_offset": s.index_offset,
                 "size": len(s.body), "body": pack(s.body), "received_at": now}
                for s in changes.sources if s.ref in used]
        ins = (postgresql.insert(sources) if self.postgres else sqlite.insert(sources))
        for part9 in chunks(rows, 50):
            self.conn.execute(ins.on_conflict_do_nothing(index_elements=["content_hash"]),
                              list(part9))
        by_hash: dict[str, int] = {}
        hashes = [r["content_hash"] for r in rows]
        for part10 in chunks(hashes):
            for h, sid in self.conn.execute(select(sources.c.content_hash, sources.c.id).where(
                    sources.c.content_hash.in_(part10))).all():
                by_hash[h] = sid
        return {s.ref: by_hash[s.content_hash] for s in changes.sources if s.ref in used}

    def _messages(self, changes: UnitChanges, now: datetime,
                  source_ids: dict[int, int]) -> dict[int, int]:
        if not changes.messages:
            return {}
        rows = []
        for m in changes.messages:
            srcs = [source_ids[r] for r in m.sources]
            rows.append({
                "content_hash": m.content_hash, "run_id": self.run_id,
                "source_id": srcs[0] if srcs else None,
                "extra_sources": ",".join(str(s) for s in srcs[1:]) or None,
                "file": m.file, "idx": m.index, "first_line": m.first_line,
                "format": m.format, "kind": m.kind, "version": m.version, "key": m.key,
                "label": m.label, "anchor": m.anchor, "received_at": now,
                "outcome": m.outcome, "reason": first_error_line(m.diagnostics),
                "diagnostics": "\n".join(m.diagnostics)})
        by_hash: dict[str, int] = {}
        if self.postgres:
            stmt = postgresql.insert(messages).on_conflict_do_nothing(
                index_elements=["content_hash"])
            for part11 in chunks(rows):
                self.conn.execute(stmt, list(part11))
            for part12 in chunks([r["content_hash"] for r in rows]):
                for h, mid, run in self.conn.execute(select(
                        messages.c.content_hash, messages.c.id, messages.c.run_id).where(
                        messages.c.content_hash.in_(part12))).all():
                    if run != self.run_id:
                        raise UnitConflict("a message of this unit was stored by another "
                                           "process")
                    by_hash[h] = mid
        else:
            returning = insert(messages).returning(messages.c.content_hash, messages.c.id,
                                                   sort_by_parameter_order=True)
            for part13 in chunks(rows):
                for h, mid in self.conn.execute(returning, list(part13)).all():
                    by_hash[h] = mid
        return {m.ref: by_hash[m.content_hash] for m in changes.messages}

    def _shipments(self, changes: UnitChanges, now: datetime) -> None:
        new_rows, upd_rows = [], []
        for s in changes.shipments:
            row = {"key": s.key, "mawb": s.mawb, "shape": s.shape, "state": s.state,
                   "waiting_for": s.waiting_for, "due_at": s.due_at, "reason": s.reason,
                   "route": json.dumps(s.route, sort_keys=True),
                   "input_digest": s.input_digest, "first_at": s.first_at,
                   "last_at": s.last_at, "updated_at": now,
                   "diagnostics": "\n".join(s.diagnostics)}
            if s.key in self._ids:
                upd_rows.append({**row, "sid": self._ids[s.key]})
            else:
                new_rows.append(row)
        if upd_rows:
            self.conn.execute(update(shipments).where(shipments.c.id == bindparam("sid")).values(
                {k: bindparam(k) for k in upd_rows[0] if k not in ("sid", "key")}), upd_rows)
        if new_rows and self.postgres:
            stmt = postgresql.insert(shipments).on_conflict_do_nothing(index_elements=["key"])
            for part14 in chunks(new_rows):
                self.conn.execute(stmt, list(part14))
            digests = {r["key"]: r["input_digest"] for r in new_rows}
            for part15 in chunks(list(digests)):
                for key, sid, digest in self.conn.execute(select(
                        shipments.c.key, shipments.c.id, shipments.c.input_digest).where(
                        shipments.c.key.in_(part15))).all():
                    if digest != digests[key]:  # another unit made this shipment first
                        raise UnitConflict("another process stored one of this unit's "
                                           "shipments")
                    self._ids[key] = sid
        elif new_rows:
            returning = insert(shipments).returning(shipments.c.key, shipments.c.id,
                                                    sort_by_parameter_order=True)
            for part16 in chunks(new_rows):
                for key, sid in self.conn.execute(returning, list(part16)).all():
                    self._ids[key] = sid
        changed = [self._ids[s.key] for s in changes.shipments]
        for part17 in chunks(changed):
            self.conn.execute(delete(shipment_houses).where(
                shipment_houses.c.shipment_id.in_(part17)))
        houses = [{"shipment_id": self._ids[s.key], "hawb": h}
                  for s in changes.shipments for h in dict.fromkeys(s.houses)]
        if houses:
            self.conn.execute(insert(shipment_houses), houses)

    def _links(self, changes: UnitChanges, ids: dict[int, int]) -> None:
        touched = [self._ids[k] for k in changes.links if k in self._ids]
        for part18 in chunks(touched):
            self.conn.execute(delete(message_shipments).where(
                message_shipments.c.shipment_id.in_(part18)))
        rows = []
        for key, links in changes.links.items():
            sid = self._ids[key]
            for stored, ref, role, used in links:
                mid = stored if stored is not None else ids[ref or 0]
                rows.append({"message_id": mid, "shipment_id": sid, "role": role,
                             "used": used})
        if rows:
            self.conn.execute(insert(message_shipments), rows)

    def _filings(self, changes: UnitChanges, now: datetime) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        if changes.superseded:
            self.conn.execute(update(filings).where(filings.c.id.in_(changes.superseded))
                              .values(state="superseded", updated_at=now))
        new_rows, upd_rows = [], []
        for f in changes.filings:
            row = {"declarant": f.declarant, "lrn": f.lrn, "filing": f.filing,
                   "document": f.document, "master_document": f.master_document,
                   "seq": f.seq, "state": f.state, "xml": pack(f.xml), "digest": f.digest,
                   "warnings": sum(1 for d in f.diagnostics
                                   if '"severity": "error"' not in d
                                   and '"severity": "fatal"' not in d),
                   "diagnostics": "\n".join(f.diagnostics), "issued_at": f.issued,
                   "due_at": f.due_at, "updated_at": now, "shipment_id": self._ids[f.key]}
            if f.id is None:
                new_rows.append({**row, "created_at": now})
            else:
                upd_rows.append({**row, "fid": f.id})
                out[(f.declarant, f.lrn)] = f.id
        if changes.due_times:
            self.conn.execute(update(filings).where(filings.c.id == bindparam("fid")).values(
                due_at=bindparam("due")), [{"fid": fid, "due": due}
                                           for fid, due in sorted(changes.due_times.items())])
        if upd_rows:
            self.conn.execute(update(filings).where(filings.c.id == bindparam("fid")).values(
                {k: bindparam(k) for k in upd_rows[0] if k != "fid"}), upd_rows)
        if new_rows and self.postgres:
            for part19 in chunks(new_rows):
                self.conn.execute(insert(filings), list(part19))
            wanted = {(str(r["declarant"]), str(r["lrn"])) for r in new_rows}
            for part20 in chunks(sorted({lrn for _d, lrn in wanted})):
                for d, lrn, fid in self.conn.execute(select(
                        filings.c.declarant, filings.c.lrn, filings.c.id).where(
                        filings.c.lrn.in_(part20))).all():
                    if (d, lrn) in wanted:
                        out[(d, lrn)] = fid
        elif new_rows:
            returning = insert(filings).returning(filings.c.declarant, filings.c.lrn,
                                                  filings.c.id, sort_by_parameter_order=True)
            for part21 in chunks(new_rows):
                for d, lrn, fid in self.conn.execute(returning, list(part21)).all():
                    out[(d, lrn)] = fid
        return out

    def _filing_id(self, lrn: str, key: str | None, known: dict[str, int]) -> int | None:
        fid = known.get(lrn)
        if fid is not None:
            return fid
        if key is None or key not in self._ids:
            return None
        return self.conn.execute(select(filings.c.id).where(
            filings.c.shipment_id == self._ids[key], filings.c.lrn == lrn)).scalar()

    def _events(self, changes: UnitChanges, now: datetime, ids: dict[int, int],
                filing_ids: dict[str, int]) -> None:
        rows = []
        for e in changes.events:
            rows.append({
                "at": now, "run_id": self.run_id,
                "shipment_id": None if e.key is None else self._ids.get(e.key),
                "filing_id": None if e.filing_lrn is None else self._filing_id(
                    e.filing_lrn, e.key, filing_ids),
                "message_id": e.message_id if e.message_ref is None else ids.get(
                    e.message_ref),
                "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                "cause": e.cause})
        if rows:
            for part22 in chunks(rows):
                self.conn.execute(insert(events), list(part22))

    def _exports(self, changes: UnitChanges, now: datetime, ids: dict[int, int],
                 filing_ids: dict[str, int]) -> None:
        if not changes.exports:
            return
        rows = {}
        for x in changes.exports:
            rows[x.item] = {
                "folder": self.folder, "item": x.item, "kind": x.kind,
                "action": "remove" if x.remove else "write", "state": "queued",
                "filing_id": None if x.filing_lrn is None else self._filing_id(
                    x.filing_lrn, None, filing_ids),
                "message_id": x.message_id if x.message_ref is None else ids.get(
                    x.message_ref),
                "shipment_id": None if x.shipment_key is None else self._ids.get(
                    x.shipment_key),
                # the filing's XML and diagnostics are read from the filing when written;
                # other payloads (rejects, lineage) travel in the queue until then
                "content": None if x.content is None or (x.kind == "filing" and x.item.endswith(
                    (".xml", ".diagnostics.jsonl"))) else pack(x.content),
                "queued_at": now}
        ins = postgresql.insert(exports) if self.postgres else sqlite.insert(exports)
        stmt = ins.on_conflict_do_update(
            index_elements=["folder", "item"],
            set_={c: ins.excluded[c] for c in ("kind", "action", "state", "filing_id",
                                                "message_id", "shipment_id", "content",
                                                "queued_at")})
        for part23 in chunks(list(rows.values())):
            self.conn.execute(stmt, list(part23))


_LRN_HOLDER = select(shipments.c.key, filings.c.id, filings.c.state).join(
    shipments, shipments.c.id == filings.c.shipment_id).where(
    filings.c.declarant == bindparam("d"), filings.c.lrn == bindparam("l"))
