"""One unit of work: the messages of a window (or of one ``ingest`` call, or none for a sweep)
joined with what the state already holds for the shipments they touch, decided, filed.

    claim content hashes (duplicates are skipped) -> classify and map the new messages ->
    lock the shipment keys they touch -> re-read and re-map the stored messages of those keys
    (from their archived source bytes, with their original positions; an LRU cache spares the
    re-read) -> assemble -> per shipment: applicability, policy, filing (made, remade in place,
    superseded, or left for an amendment) -> an outcome for every message -> one change set,
    applied by the state in the unit's transaction.

The source of truth is the raw messages: mapped fragments and lineage are never stored, they
are derived again, so a unit's result depends only on which messages a shipment has (in
arrival order) and on the clock, not on how they were grouped into units.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..deadlines import due_for
from ..diagnostics import Diagnostic, Severity, diag, format_json_line
from ..ledger import normalise_party
from ..mapping._assemble import Shipment, assemble, awb_key, copy_tree
from ..mapping._engine import Fragment, run_spec
from ..readers._source import SourceMessage
from ..readers.cargoimp import reassemble
from ..render import FILINGS
from ._policy import Decision, Policy, not_subject_reason, route_of
from ._site import declarant_of, lrn_document, make_lrn
from ._sources import (
    MessageCache,
    SourcePiece,
    copy_fragment,
    diagnostics_text,
    lineage_json,
    message_hash,
    read_source,
    reject_name,
    xml_digest,
)
from ._state import (
    MESSAGE_OUTCOMES,
    SENT_FILING_STATES,
    SHIPMENT_STATES,
    UNSENT_FILING_STATES,
    AmendmentChange,
    Event,
    Export,
    FilingChange,
    NewMessage,
    NewSource,
    ShipmentChange,
    StoredFiling,
    StoredMessage,
    StoredShipment,
    UnitChanges,
    UnitState,
    check_state,
)
from ._unwritable import NOT_XML
from ._views import LedgerOnState, outcome_of


@dataclass(slots=True)
class _Item:
    """A message taking part in this unit: new (``ref``) or stored (``id``)."""

    msg: SourceMessage
    hash: str
    received_at: datetime
    anchor: str
    id: int | None = None
    ref: int | None = None
    fragments: list[Fragment] = field(default_factory=list)
    outcome: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    terminal: bool = False  # outcome decided before assembly (not-ens, read/map error)
    stored_outcome: str = ""

    @property
    def order(self) -> tuple[int, int]:
        return (0, self.id) if self.id is not None else (1, self.ref or 0)


@dataclass(slots=True, kw_only=True)
class Prepared:
    """A unit's messages read, joined, hashed, and those that looked new classified and
    mapped (``mapped``: position in ``messages`` -> item without its ``ref``)."""

    messages: list[SourceMessage]
    sources_of: dict[int, list[int]]
    hashes: list[str]
    mapped: dict[int, _Item]


@dataclass(slots=True, kw_only=True)
class ShipmentResult:
    """What the unit did to one shipment (the public ``IngestResult`` is made from these)."""

    key: str
    document: str
    state: str
    previous: str | None
    waiting_for: str = ""
    due_at: datetime | None = None
    reason: str = ""
    filing: Any = None  # the Filing made or remade in this unit
    action: str = ""  # filed | remade | unchanged | superseded | needs-amendment | ...
    lrn: str = ""
    filing_type: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    messages: tuple[SourceMessage, ...] = ()


@dataclass(slots=True, kw_only=True)
class UnitReport:
    """The unit's changes (for the state) and what it did (for results and the CLI)."""

    changes: UnitChanges
    items: list[_Item]  # new messages of the unit, in order (duplicates excluded)
    duplicates: list[SourceMessage]
    stored_items: list[_Item]
    shipments: list[ShipmentResult]
    messages_read: int
    files_in: int
    ids: dict[int, int] = field(default_factory=dict)


def _worst(diags: Iterable[Diagnostic]) -> Severity:
    return max((d.severity for d in diags), default=Severity.INFO)


def _first_error(diags: Iterable[Diagnostic]) -> str:
    worst = None
    for d in diags:
        if worst is None or d.severity > worst.severity:
            worst = d
    return "" if worst is None else f"{worst.code} {worst.message}"


class Unit:
    """One unit of work over a state. ``batch`` (``_Batch``) holds the run's configuration,
    specs, renderer and filing builder; ``policy`` decides; ``exports`` asks for the files of
    an output folder (with ``lineage`` files)."""

    def __init__(self, batch: Any, state: UnitState, *, now: datetime,
                 cache: MessageCache | None = None, exports: bool = False,
                 lineage: bool = False, trace: bool = True) -> None:
        self.batch = batch
        self.state = state
        self.now = now
        self.cache = cache if cache is not None else MessageCache(0)
        self.exports = exports
        self.lineage = lineage
        # lineage recorded while mapping: needed by in-memory results and --lineage exports
        self.trace = trace or lineage
        self.policy: Policy = batch.policy
        self.changes = UnitChanges(now=now)
        self._lrns: dict[tuple[str, str], str] = {}  # LRNs allocated in this unit -> key

    # -- the unit -----------------------------------------------------------------------
    def prepare(self, pieces: list[SourcePiece],
                known: Callable[[list[str]], list[bool]] | None = None) -> Prepared:
        """What a unit does with its messages alone, before its transaction: join parts,
        hash, classify and map. ``known`` tells which hashes look new (a read outside the
        transaction: the transaction's ``claim`` still decides, a message it finds stored
        meanwhile is a duplicate and its mapping is dropped). Nothing here reads or writes
        the state, so units of a run can prepare on other cores while one of them commits
        (``--jobs``)."""
        messages, sources_of = self._read(pieces)
        hashes = [message_hash(m) for m in messages]
        fresh = known(hashes) if known is not None else [True] * len(hashes)
        anchor = self.batch.anchor(self.now)
        mapped: dict[int, _Item] = {}
        for n, (msg, h, new) in enumerate(zip(messages, hashes, fresh, strict=True)):
            if new:
                item = _Item(msg=msg, hash=h, received_at=self.now, anchor=anchor)
                self._classify(item)
                mapped[n] = item
        return Prepared(messages=messages, sources_of=sources_of, hashes=hashes,
                        mapped=mapped)

    def run(self, pieces: list[SourcePiece], *, keys: Iterable[str] = (),
            prepared: Prepared | None = None) -> UnitReport:
        if prepared is None:
            messages, sources_of = self._read(pieces)
            hashes = [message_hash(m) for m in messages]
            mapped: dict[int, _Item] = {}
        else:
            messages, sources_of = prepared.messages, prepared.sources_of
            hashes, mapped = prepared.hashes, prepared.mapped
        fresh = self.state.claim(hashes)
        items: list[_Item] = []
        duplicates: list[SourceMessage] = []
        source_refs: dict[int, int] = {}
        for n, (msg, h, new) in enumerate(zip(messages, hashes, fresh, strict=True)):
            if not new:
                duplicates.append(msg)
                continue
            item = mapped.get(n)
            premapped = item is not None
            if item is None:
                item = _Item(msg=msg, hash=h, received_at=self.now,
                             anchor=self.batch.anchor(self.now))
            item.ref = len(items)
            items.append(item)
            refs = []
            for p in sources_of.get(id(msg), ()):
                if p not in source_refs:
                    source_refs[p] = len(self.changes.sources)
                    piece = pieces[p]
                    self.changes.sources.append(NewSource(
                        ref=source_refs[p], content_hash=hashlib.sha256(
                            f"{piece.file}\0{piece.reader}\0{piece.line_offset}\0"
                            f"{piece.index_offset}\0".encode("utf-8", "surrogatepass")
                            + (piece.data or b"")).hexdigest(),
                        file=piece.file, reader=piece.reader, line_offset=piece.line_offset,
                        index_offset=piece.index_offset, body=piece.data or b""))
                refs.append(source_refs[p])
            self.changes.messages.append(NewMessage(
                ref=item.ref or 0, content_hash=h, sources=tuple(refs), file=msg.file,
                index=msg.index, first_line=msg.first_line, format=msg.format, kind=msg.kind,
                version=msg.version, key=msg.key, label=msg.label, anchor=item.anchor))
            if not premapped:
                self._classify(item)
        touched = {awb_key(f.key) for it in items for f in it.fragments} | set(keys)
        touched.discard("")
        ordered = sorted(touched)
        stored = self.state.lock(ordered)
        stored_items = self._stored_items(ordered)
        self._trace_if_unwritable(items, stored_items, ordered)
        report = UnitReport(changes=self.changes, items=items, duplicates=duplicates,
                            stored_items=stored_items, shipments=[],
                            messages_read=len(messages),
                            files_in=sum(1 for p in pieces if p.new_file))
        self._decide(ordered, stored, items, stored_items, report)
        self._outcomes(items, stored_items, ordered, report)
        report.ids = self.state.apply(self.changes)
        return report

    # -- reading ------------------------------------------------------------------------
    def _read(self, pieces: list[SourcePiece]) -> tuple[list[SourceMessage],
                                                         dict[int, list[int]]]:
        where: dict[tuple[str, int], int] = {}
        flat: list[SourceMessage] = []
        for p, piece in enumerate(pieces):
            for m in piece.messages:
                where.setdefault((m.file, m.index), p)
                flat.append(m)
        try:
            joined = reassemble(flat)
        except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
            joined = flat
            for m in flat:
                if m.format == "cargo-imp":
                    m.diagnostics.append(diag("RUN001", source=m.pos(m.first_line),
                                              found=repr(exc)))
        sources: dict[int, list[int]] = {}
        for m in joined:
            segs = m.root.all("segment") if m.root is not None else []
            spots = [(s.pos.file, s.pos.message or 0) for s in segs] or [(m.file, m.index)]
            found: list[int] = []
            for spot in spots:
                at = where.get(spot)
                if at is not None and at not in found:
                    found.append(at)
            sources[id(m)] = found
        return joined, sources

    def _classify(self, item: _Item) -> None:
        """Terminal outcomes decided on the message alone; else its fragments."""
        msg = item.msg
        if not msg.is_ens_input:
            item.terminal = True
            item.outcome = "not-ens" if msg.kind else "rejected"
            item.diagnostics = list(msg.diagnostics)
            return
        if _worst(msg.diagnostics) >= Severity.ERROR:
            item.terminal, item.outcome, item.diagnostics = True, "rejected", list(
                msg.diagnostics)
            return
        specs = self.batch.specs_for(msg)
        if not specs:
            d = diag("MAP009", f"no mapping spec for {msg.kind}/{msg.version}",
                     source=msg.pos(msg.first_line))
            item.terminal, item.outcome = True, "rejected"
            item.diagnostics = [*msg.diagnostics, d]
            return
        try:
            item.fragments = self._map(msg, item.anchor, item.hash)
        except Exception as exc:  # a bug must not lose the message: reject it, go on
            d = diag("RUN001", f"internal error while mapping: {type(exc).__name__}: {exc}",
                     source=msg.pos(msg.first_line))
            item.terminal, item.outcome = True, "rejected"
            item.diagnostics = [*msg.diagnostics, d]

    def _map(self, msg: SourceMessage, anchor: str, content_hash: str) -> list[Fragment]:
        frags = [f for spec in self.batch.specs_for(msg)
                 for f in run_spec(spec, msg, today=anchor, lineage=self.trace)]
        for f in frags:
            if not awb_key(f.key):
                # no AWB: a shipment of its own, never joined with another keyless one
                f.key = "?" + content_hash[:20]
        return frags

    def _trace_if_unwritable(self, items: list[_Item], stored_items: list[_Item],
                             keys: list[str]) -> None:
        """Lineage is the source of the DQ005 findings of a filing XML cannot carry
        (``_unwritable``): when a message of the unit holds such a character, the unit maps
        its messages again with lineage, so those findings are the ones of a traced run."""
        if self.trace or not any(it.fragments and NOT_XML.search(it.msg.raw)
                                 for it in (*items, *stored_items)):
            return
        self.trace = True
        wanted = set(keys)
        for it in (*items, *stored_items):
            if it.fragments and not all(f.traced for f in it.fragments):
                frags = self._map(it.msg, it.anchor, it.hash)
                it.fragments = frags if it.id is None else [
                    copy_fragment(f) for f in frags if awb_key(f.key) in wanted]

    def _stored_items(self, keys: list[str]) -> list[_Item]:
        links = self.state.links(keys)
        ids = sorted({link.message_id for link in links})
        if not ids:
            return []
        stored = self.state.messages(ids)
        out: list[_Item] = []
        missing: list[StoredMessage] = []
        for mid in ids:
            sm = stored[mid]
            hit = self.cache.get(mid)
            if hit is None:
                missing.append(sm)
                continue
            msg, frags = hit
            if frags is None or (self.trace and not all(f.traced for f in frags)):
                frags = self._map(msg, sm.anchor, sm.content_hash)
                self.cache.put(mid, msg, frags)
            out.append(self._stored_item(sm, msg, frags, keys))
        if missing:
            for sm, msg in self._reread(missing):
                frags = self._map(msg, sm.anchor, sm.content_hash)
                self.cache.put(sm.id, msg, frags)
                out.append(self._stored_item(sm, msg, frags, keys))
        out.sort(key=lambda it: it.id or 0)
        return out

    def _stored_item(self, sm: StoredMessage, msg: SourceMessage, frags: list[Fragment],
                     keys: list[str]) -> _Item:
        wanted = set(keys)
        mine = [copy_fragment(f) for f in frags if awb_key(f.key) in wanted]
        return _Item(msg=msg, hash=sm.content_hash, received_at=sm.received_at,
                     anchor=sm.anchor, id=sm.id, fragments=mine, stored_outcome=sm.outcome)

    def _reread(self, wanted: list[StoredMessage]) -> list[tuple[StoredMessage,
                                                                 SourceMessage]]:
        """Read the sources of stored messages again and pick them by content hash; parts of
        one message spread over sources are joined again. Only the messages wanted are kept:
        the rest of a re-read source (a 256 kB piece holds ~800 messages) is dropped before
        the next one is read, so that a unit touching old shipments in several sources does
        not hold them all."""
        by_sources: dict[tuple[int, ...], list[StoredMessage]] = {}
        for sm in wanted:
            by_sources.setdefault(sm.sources, []).append(sm)
        out: list[tuple[StoredMessage, SourceMessage]] = []
        for sources, group in by_sources.items():
            msgs: list[SourceMessage] = []
            for sid in sources:
                ref, data = self.state.source(sid)
                msgs.extend(read_source(ref, data))
                del data
            if len(sources) > 1:
                msgs = reassemble(msgs)
            hashes = {sm.content_hash for sm in group}
            by_hash = {h: m for m in msgs if (h := message_hash(m)) in hashes}
            del msgs
            for sm in group:
                found = by_hash.get(sm.content_hash)
                if found is None:  # pragma: no cover - the store was changed by hand
                    raise RuntimeError(f"stored message {sm.id} ({sm.label}) is not in its "
                                       "archived source any more")
                out.append((sm, found))
        return out

    # -- deciding -----------------------------------------------------------------------
    def _decide(self, keys: list[str], stored: dict[str, StoredShipment], items: list[_Item],
                stored_items: list[_Item], report: UnitReport) -> None:
        everyone = [*stored_items, *items]
        frags_by_key: dict[str, list[tuple[_Item, Fragment]]] = {}
        for it in everyone:
            for f in it.fragments:
                frags_by_key.setdefault(awb_key(f.key), []).append((it, f))
        ordered_frags = [f for it in everyone for f in it.fragments]
        ships = {s.key: s for s in assemble(ordered_frags)}
        item_of = {id(it.msg): it for it in everyone}
        self._links: dict[int, list[tuple[str, str, bool]]] = {}
        self._ship_state: dict[str, str] = {}
        self._ship_diags: dict[str, list[Diagnostic]] = {}
        self._ships = ships
        contexts = []
        for key in keys:
            linked = frags_by_key.get(key, [])
            ship = ships.get(key)
            used = {id(m) for m in ship.messages} if ship is not None else set()
            rows: list[tuple[int | None, int | None, str, bool]] = []
            seen: set[tuple[int, str]] = set()
            for it, f in linked:
                mark = (id(it), f.produces)
                if mark in seen:
                    continue
                seen.add(mark)
                is_used = id(it.msg) in used
                rows.append((it.id, it.ref, f.produces, is_used))
                self._links.setdefault(id(it), []).append((key, f.produces, is_used))
            self.changes.links[key] = rows
            digest = hashlib.sha256("\n".join(sorted(
                {f"{it.hash} {f.produces}" for it, f in linked})).encode()).hexdigest()
            times = [it.received_at for it, _ in linked if id(it.msg) in used] or [
                it.received_at for it, _ in linked]
            first_at = min(times) if times else self.now
            last_at = max(times) if times else self.now
            contexts.append((key, ship, digest, first_at, last_at,
                             linked[0][1].key if linked else key))
        self._prefetch(contexts, stored)
        for key, ship, digest, first_at, last_at, named in contexts:
            result = self._decide_one(key, ship, stored.get(key), digest, first_at, last_at,
                                      item_of, named)
            report.shipments.append(result)
            self._ship_state[key] = result.state

    def _prefetch(self, contexts: list[Any], stored: dict[str, StoredShipment]) -> None:
        """Take the policy's decisions first, then ask the state in one go about the LRNs and
        documents the filings will use (R3003, code 81, ``{seq}``), instead of once per
        shipment."""
        self._decisions: dict[str, Decision] = {}
        lrns: set[str] = set()
        documents: set[str] = set()
        config = self.batch.config
        for key, ship, digest, first_at, _last, _named in contexts:
            if ship is None:
                continue
            before = stored.get(key)
            if before is not None and before.input_digest == digest and \
                    before.state not in ("pending", "flight-only"):
                continue
            decision = self.policy.decide(ship, first_at=first_at, now=self.now)
            self._decisions[key] = decision
            code = decision.filing or decision.then
            doc = lrn_document(ship)
            documents.update((doc, ship.document_number))
            if code:
                issued = (self.batch.opts.issued or self.now).astimezone(UTC)
                with contextlib.suppress(KeyError, ValueError, IndexError):
                    lrns.add(str(ship.data["declaration"]["lrn"] or make_lrn(
                        config, FILINGS[code].short, doc, issued, 1)))
        self.state.prefetch(sorted(lrns), sorted(documents))

    def _decide_one(self, key: str, ship: Shipment | None, before: StoredShipment | None,
                    digest: str, first_at: datetime, last_at: datetime,
                    item_of: dict[int, _Item], named: str) -> ShipmentResult:
        prev = None if before is None else before.state
        doc = ship.document_number if ship is not None else named
        msgs = tuple(ship.messages) if ship is not None else ()
        res = ShipmentResult(key=key, document=doc, state="", previous=prev, messages=msgs)
        if ship is None:
            res.state, res.action = "flight-only", "waiting"
            res.waiting_for = "consignment data: FWB, FHL or FZB"
            self._record_shipment(res, None, digest, first_at, last_at, {}, [])
            return res
        unchanged = (before is not None and before.input_digest == digest
                     and before.state not in ("pending", "flight-only"))
        if unchanged and before is not None:
            res.state, res.action = before.state, "unchanged"
            if before.filing is not None:
                res.lrn, res.filing_type = before.filing.lrn, before.filing.filing
            self._ship_diags[key] = []
            return res
        route = route_of(ship)
        reason = not_subject_reason(route)
        filing = None if before is None else before.filing
        # a filing customs rejected registered nothing: changed data is filed anew, under a
        # new LRN (the rejected one stays used; ``{seq}`` in the LRN scheme numbers it)
        refile = filing is not None and filing.state == "rejected"
        sent = filing is not None and filing.state in SENT_FILING_STATES and not refile
        if reason is not None:
            if sent:
                return self._amend(res, ship, before, digest, first_at, last_at, route,
                                   f"the route no longer enters the ICS2 territory ({reason})")
            self._supersede(filing, key, "the shipment is not subject to ICS2")
            res.state, res.action, res.reason = "not-subject", "not-subject", reason
            self._record_shipment(res, ship, digest, first_at, last_at, route, [])
            return res
        decision: Decision = self._decisions.get(key) or self.policy.decide(
            ship, first_at=first_at, now=self.now)
        if decision.filing is None and decision.then and not sent:
            errors = self._trial(ship, decision.then, key)
            if errors:
                # an error no flight manifest can fix: rejected now rather than pending
                self._supersede(filing, key, "the shipment's data has errors")
                return self._reject(res, key, errors, ship, digest, first_at, last_at, route)
        if decision.filing is None:
            if sent:
                return self._amend(res, ship, before, digest, first_at, last_at, route,
                                   f"new data while waiting for {decision.waiting_for}")
            self._supersede(filing, key, f"the shipment waits again ({decision.waiting_for})")
            res.state, res.action = "pending", "waiting"
            res.waiting_for, res.due_at = decision.waiting_for, decision.due_at
            self._record_shipment(res, ship, digest, first_at, last_at, route, [])
            return res
        code = decision.filing
        if sent and filing is not None:
            lrn = filing.lrn if filing.filing == code else None
            built, _ = self.batch.build(ship, code, lrn=lrn, seq=filing.seq,
                                        view=LedgerOnState(self.state, key, self._lrns,
                                                           amending=lrn), issued=self.now)
            if built is not None and filing.filing == code and \
                    xml_digest(built.xml) == filing.digest:
                res.state, res.action = "filed", "unchanged"
                res.lrn, res.filing_type = filing.lrn, filing.filing
                self._keep_due(filing, ship)
                self._record_shipment(res, ship, digest, first_at, last_at, route, [])
                return res
            why = (f"{code} is now due instead of the {filing.filing} already sent"
                   if filing.filing != code else "the filing's data changed after it was sent")
            if built is not None and filing.filing == code:  # the store amends it (IE3Axx)
                self.changes.amendments.append(AmendmentChange(
                    key=key, filing_id=filing.id, lrn=filing.lrn, corrected=built.xml))
            return self._amend(res, ship, before, digest, first_at, last_at, route, why)
        keep = filing if filing is not None and filing.filing == code and not refile else None
        declarant = normalise_party(declarant_of(ship, self.batch.config))
        seq = 1 if keep is not None else 1 + self.state.sent_count(
            declarant, lrn_document(ship), code)
        built, diags = self.batch.build(ship, code, lrn=None if keep is None else keep.lrn,
                                        seq=seq if keep is None else keep.seq,
                                        view=self._view(key), issued=self.now)
        revive: int | None = None
        if built is not None:
            holder = self._lrns.get((declarant, built.lrn))
            if holder is not None and holder != key:
                diags.append(diag("ICS004", f"LRN {built.lrn} already used by declarant "
                                  f"{declarant}", found=built.lrn))
                built = None
            elif keep is None:
                held = self.state.lrn_holder(declarant, built.lrn)
                if held is not None and held[0] == key and held[2] == "superseded":
                    revive = held[1]  # this shipment's own earlier, never-sent filing
        if built is None:
            self._supersede(filing, key, "the shipment's data no longer gives a valid filing")
            return self._reject(res, key, diags, ship, digest, first_at, last_at, route)
        self._lrns[(declarant, built.lrn)] = key
        res.state, res.filing = "filed", built
        res.lrn, res.filing_type = built.lrn, built.filing
        self._ship_diags[key] = []
        new_digest = xml_digest(built.xml)
        if keep is not None and keep.digest == new_digest:
            res.action = "unchanged"
            self._keep_due(keep, ship)
        else:
            if keep is None:
                self._supersede(filing, key, f"{code} is due instead")
            res.action = "filed" if keep is None else "remade"
            change = FilingChange(
                id=revive if keep is None else keep.id, key=key, lrn=built.lrn,
                declarant=declarant, filing=built.filing, document=lrn_document(ship),
                master_document=ship.document_number, seq=seq if keep is None else keep.seq,
                state="ready", xml=built.xml, digest=new_digest,
                diagnostics=[format_json_line(d) for d in built.diagnostics],
                issued=self.now, due_at=_due(built.filing, ship))
            self.changes.filings.append(change)
            self.changes.events.append(Event(
                key=key, kind=res.action, from_state=None if keep is None else keep.state,
                to_state="ready", filing_lrn=built.lrn,
                cause=self._cause(ship, item_of, code, res.action)))
            if self.exports:
                self._export_filing(built)
        self._record_shipment(res, ship, digest, first_at, last_at, route, [])
        return res

    def _keep_due(self, filing: StoredFiling, ship: Shipment) -> None:
        """A kept filing's due time follows its flight (a PLACI filing's XML has no flight
        times, so an FFM after it changes the due time but not the filing)."""
        due = _due(filing.filing, ship)
        if due != filing.due_at:
            self.changes.due_times[filing.id] = due

    def _trial(self, ship: Shipment, code: str, key: str) -> list[Diagnostic]:
        """The errors the ``code`` filing of ``ship`` would have apart from its missing
        flight times (tried on a copy with the times set to the clock)."""
        trial = Shipment(key=ship.key, shape=ship.shape, data=copy_tree(ship.data),
                         lineage=dict(ship.lineage), messages=list(ship.messages),
                         diagnostics=list(ship.diagnostics))
        t = trial.data["transport"]
        # the missing time takes the other one's value (equal times break no rule), or the
        # clock when both are missing
        stamp = (t["estimated_departure"] or t["estimated_arrival"]
                 or self.now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        t["estimated_departure"] = t["estimated_departure"] or stamp
        t["estimated_arrival"] = t["estimated_arrival"] or stamp
        built, diags = self.batch.build(trial, code, lrn=None, seq=1, view=self._view(key),
                                        issued=self.now)
        return [] if built is not None else [d for d in diags if d.is_error]

    def _cause(self, ship: Shipment, item_of: dict[int, _Item], code: str,
               action: str) -> str:
        new = [it.msg.label for m in ship.messages if (it := item_of.get(id(m))) is not None
               and it.ref is not None]
        what = f"{code} {'made' if action == 'filed' else 'remade'}"
        if new:
            return f"{what}: {', '.join(new)}"
        return f"{what} by a sweep at {self.now:%Y-%m-%dT%H:%M:%SZ}"

    def _amend(self, res: ShipmentResult, ship: Shipment, before: StoredShipment | None,
               digest: str, first_at: datetime, last_at: datetime, route: dict[str, Any],
               why: str) -> ShipmentResult:
        res.state, res.action, res.reason = "needs-amendment", "needs-amendment", why
        if before is not None and before.filing is not None:
            res.lrn, res.filing_type = before.filing.lrn, before.filing.filing
        self._ship_diags[res.key] = []
        self._record_shipment(res, ship, digest, first_at, last_at, route, [])
        return res

    def _reject(self, res: ShipmentResult, key: str, diags: list[Diagnostic], ship: Shipment,
                digest: str, first_at: datetime, last_at: datetime,
                route: dict[str, Any]) -> ShipmentResult:
        """The shipment is rejected with ``diags`` (its worst one gives the reason)."""
        res.state, res.action = "rejected", "rejected"
        res.reason = _first_error(diags)
        res.diagnostics = tuple(diags)
        self._ship_diags[key] = list(diags)
        self._record_shipment(res, ship, digest, first_at, last_at, route, diags)
        return res

    def _supersede(self, filing: Any, key: str, why: str) -> None:
        if filing is None or filing.state not in UNSENT_FILING_STATES:
            return
        self.changes.superseded.append(filing.id)
        self.changes.events.append(Event(key=key, kind="superseded", from_state=filing.state,
                                         to_state="superseded", filing_lrn=filing.lrn,
                                         cause=why))
        if self.exports:
            for suffix in (".xml", ".diagnostics.jsonl", ".lineage.json"):
                self.changes.exports.append(Export(item=f"{filing.lrn}{suffix}", kind="filing",
                                                   remove=True, filing_lrn=filing.lrn))

    def _record_shipment(self, res: ShipmentResult, ship: Shipment | None, digest: str,
                         first_at: datetime, last_at: datetime, route: dict[str, Any],
                         diags: list[Diagnostic]) -> None:
        houses = [] if ship is None or ship.shape == "direct" else [
            str(h["document_number"]) for h in ship.data["houses"] if h["document_number"]]
        self.changes.shipments.append(ShipmentChange(
            key=res.key, state=check_state(SHIPMENT_STATES, res.state),
            shape="" if ship is None else ship.shape,
            mawb=res.document, houses=houses, waiting_for=res.waiting_for, due_at=res.due_at,
            reason=res.reason, route=route, input_digest=digest, first_at=first_at,
            last_at=last_at, diagnostics=[format_json_line(d) for d in diags]))
        if res.previous != res.state:
            self.changes.events.append(Event(
                key=res.key, kind="state", from_state=res.previous, to_state=res.state,
                cause=res.waiting_for or res.reason or res.action))

    def _view(self, key: str) -> LedgerOnState:
        return LedgerOnState(self.state, key, self._lrns)

    # -- outcomes -----------------------------------------------------------------------
    def _outcomes(self, items: list[_Item], stored_items: list[_Item], keys: list[str],
                  report: UnitReport) -> None:
        others: dict[int, list[tuple[bool, str, str | None]]] = {}
        if stored_items:
            for mid, used, role, state in self.state.other_links(
                    [it.id for it in stored_items if it.id is not None], keys):
                others.setdefault(mid, []).append((used, role, state))
        for it in [*stored_items, *items]:
            if it.terminal:
                continue
            links = [(used, role, self._ship_state.get(key))
                     for key, role, used in self._links.get(id(it), [])]
            if it.id is not None:
                links.extend(others.get(it.id, []))
            it.outcome = outcome_of(links)
            if it.outcome == "rejected":
                own = [*it.msg.diagnostics]
                for key in dict.fromkeys(k for k, _r, used in self._links.get(id(it), [])
                                         if used):
                    own.extend(self._ship_diags.get(key, ()))
                if not any(d.source is not None and d.source.file == it.msg.file for d in own):
                    own.append(diag("BAT001", source=it.msg.pos(it.msg.first_line),
                                    found=_first_error(own)))
                it.diagnostics = own
            else:
                it.diagnostics = list(it.msg.diagnostics)
        for it in items:
            m = self.changes.messages[it.ref or 0]
            m.outcome = check_state(MESSAGE_OUTCOMES, it.outcome)
            m.diagnostics = [format_json_line(d) for d in it.diagnostics]
            if self.exports:
                self._export_message(it)
        for it in stored_items:
            if it.id is None:
                continue
            if it.outcome != it.stored_outcome:
                self.changes.outcomes[it.id] = (it.outcome,
                                                [format_json_line(d) for d in it.diagnostics])
                self.changes.events.append(Event(
                    key=None, kind="outcome", from_state=it.stored_outcome,
                    to_state=it.outcome, message_id=it.id,
                    cause=f"{it.msg.label}: shipment now {it.outcome}"))
                if self.exports:
                    if it.stored_outcome in ("rejected", "not-ens"):
                        self._export_message(_Item(msg=it.msg, hash=it.hash,
                                                   received_at=it.received_at,
                                                   anchor=it.anchor, id=it.id,
                                                   outcome=it.stored_outcome), remove=True)
                    self._export_message(it)
        if self.exports:
            for res in report.shipments:
                self._export_shipment_reject(res, [*stored_items, *items])

    def _export_message(self, it: _Item, *, remove: bool = False) -> None:
        if it.outcome not in ("rejected", "not-ens"):
            return
        folder = "rejects" if it.outcome == "rejected" else "not-ens"
        name = reject_name(it.msg.file, it.msg.index)
        raw = it.msg.raw.encode("utf-8", "surrogatepass")
        text = diagnostics_text(it.diagnostics).encode("utf-8", "surrogatepass")
        for suffix, content in ((".txt", raw), (".diagnostics.jsonl", text)):
            self.changes.exports.append(Export(
                item=f"{folder}/{name}{suffix}", kind=it.outcome, remove=remove,
                content=None if remove else content, message_ref=it.ref, message_id=it.id))

    def _export_shipment_reject(self, res: ShipmentResult, everyone: list[_Item]) -> None:
        """A shipment that failed while every message behind it also gave a filing (a CUSCAR
        with several consignments): kept as ``rejects/<file>#<n>.<AWB>``."""
        if res.state != "rejected" or not res.messages:
            return
        mine = {id(m) for m in res.messages}
        behind = [it for it in everyone if id(it.msg) in mine]
        if not behind or not all(it.outcome == "filed" for it in behind):
            return
        first = behind[0]
        own = list(res.diagnostics)
        if not any(d.source is not None and d.source.file == first.msg.file for d in own):
            own.append(diag("BAT001", source=first.msg.pos(first.msg.first_line),
                            found=_first_error(own)))
        res.diagnostics = tuple(own)
        name = reject_name(first.msg.file, first.msg.index, res.document)
        for suffix, content in ((".txt", first.msg.raw.encode("utf-8", "surrogatepass")),
                                (".diagnostics.jsonl",
                                 diagnostics_text(own).encode("utf-8", "surrogatepass"))):
            self.changes.exports.append(Export(
                item=f"rejects/{name}{suffix}", kind="shipment-reject", content=content,
                shipment_key=res.key, message_ref=first.ref, message_id=first.id))

    def _export_filing(self, f: Any) -> None:
        # the XML is written from the filing row (no second copy in the queue)
        self.changes.exports.append(Export(item=f"{f.lrn}.xml", kind="filing",
                                           filing_lrn=f.lrn))
        diags = diagnostics_text(f.diagnostics).encode("utf-8", "surrogatepass")
        self.changes.exports.append(Export(item=f"{f.lrn}.diagnostics.jsonl", kind="filing",
                                           content=diags or None, remove=not diags,
                                           filing_lrn=f.lrn))
        if self.lineage:
            self.changes.exports.append(Export(item=f"{f.lrn}.lineage.json", kind="filing",
                                               content=lineage_json(f.lineage),
                                               filing_lrn=f.lrn))

    def remember(self, report: UnitReport) -> None:
        """Keep the messages of shipments still open in the cache (by their new ids); call it
        once the unit's transaction is committed (the ids are real only then)."""
        if self.cache.size <= 0:
            return
        open_keys = {r.key for r in report.shipments if r.state in ("pending", "flight-only")}
        for it in report.items:
            if it.ref is None or it.terminal:
                continue
            mid = report.ids.get(it.ref)
            if mid is None:
                continue
            if any(key in open_keys for key, _r, _u in self._links.get(id(it), [])):
                self.cache.put(mid, it.msg)


def _due(filing: str, ship: Shipment) -> datetime | None:
    """When ``filing`` of ``ship`` must be lodged (``ensgate.deadlines``), None if unknown."""
    found = due_for(filing, ship.data["transport"])
    return None if found is None else found.at
