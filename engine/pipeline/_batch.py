"""A batch: files in, ENS filings and rejects out, with exact accounting.

readers -> reassembly of multi-part messages across files -> mapping (one spec per message
type) -> assembly of shipments -> applicability and filing policy -> site data -> render ->
schema -> ICS2 rules -> result. The work is done by a *unit* (``_unit``) over a *state*
(``_state``): the shipment store for the CLI and the hubs' API, an empty in-memory state for
``translate`` / ``translate_bytes`` here. Every message ends in exactly one outcome (filed,
rejected, pending, not-ens, not-subject, supporting, superseded, or skipped as a duplicate),
each counted from its own list and cross-checked against the messages the readers gave
(:meth:`BatchResult.check`).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from ..config import EnsgateConfig, load_config
from ..diagnostics import Diagnostic, Severity, collapse_cascades, diag
from ..ledger import FilingLedger
from ..mapping import Lineage
from ..mapping._assemble import Shipment
from ..mapping._spec import MappingSpec, builtin_specs, load_spec
from ..readers._source import SourceMessage
from ..reference import ReferenceData, load_reference
from ..render import FILINGS, Renderer, RenderError, normalise_filing_code
from ..validate import SchemaSet, check_schema
from ..validate.rules import LedgerView, RuleConfig, check_rules
from ._enrich import Enrichment
from ._inputs import read_messages
from ._policy import NEEDS_FLIGHT_TIMES, Policy, Schedule
from ._site import apply_site_data, field_xpaths_of
from ._sources import SourcePiece
from ._state import MemoryState
from ._unit import Unit, UnitReport, _first_error
from ._unwritable import unwritable

log = logging.getLogger("ensgate.pipeline")


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslateOptions:
    """How a batch runs. ``filing`` forces one filing type (e.g. ``F26``) for every shipment,
    filed now with what is there; ``mappings`` replaces the built-in specs; ``issued`` fixes
    the document issue time (tests, reproducible runs); ``today`` anchors year-less dates
    (default: the day each message was received); ``now`` is the clock of the filing policy
    (default: ``issued``, else the wall clock); ``schedule`` gives flight times when no FFM
    came (a hook for a schedule source); ``ledger`` stands for filings made before, in
    in-memory runs (a store run asks the store)."""

    config: EnsgateConfig | None = None
    filing: str | None = None
    mappings: tuple[str, ...] = ()
    issued: datetime | None = None
    today: str | None = None
    arrived_at: datetime | None = None  # actual arrival for IE3N06 (legacy feeds lack it)
    ledger: FilingLedger | None = None  # in-memory runs: LRNs/documents filed before
    schemas: SchemaSet | None = None
    renderer: Renderer | None = None
    now: datetime | None = None  # the clock of the run (policy waits); default: issued
    schedule: Schedule | None = None  # flight schedule source when no FFM came (hook)
    # reference data (schedules, parties, customs offices); default: the configuration's
    # reference_data files (ensgate.reference.load_reference)
    reference: ReferenceData | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Filing:
    """One ENS filing that passed schema and rules (warnings may remain)."""

    lrn: str
    filing: str
    shipment: str
    xml: bytes
    diagnostics: tuple[Diagnostic, ...]
    lineage: dict[str, Lineage]
    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """One source message that did not become (part of) a filing, with the reason.

    With ``shipment`` set, it is one consignment of a message whose other consignments were
    filed (a CUSCAR or an X12 858 with several AWBs): the message counts as filed, this record
    keeps the failed consignment and its reason so that nothing is lost."""

    message: SourceMessage
    diagnostics: tuple[Diagnostic, ...]
    reason: str
    not_ens: bool = False
    shipment: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingShipment:
    """A shipment that waits for data another message will bring."""

    shipment: str
    key: str
    waiting_for: str
    due_at: datetime | None
    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NotSubject:
    """A shipment whose route does not enter the ICS2 territory: no filing is due."""

    shipment: str
    key: str
    reason: str
    messages: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class BatchResult:
    """What a run (or one window of it) did. Message lists are by outcome and each message of
    the run is in exactly one of them or among the duplicates; ``check()`` cross-checks that
    against ``messages_in``, counted by the readers."""

    filings: list[Filing] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    supporting: list[SourceMessage] = field(default_factory=list)
    filed: list[SourceMessage] = field(default_factory=list)
    pending_messages: list[SourceMessage] = field(default_factory=list)
    not_subject_messages: list[SourceMessage] = field(default_factory=list)
    superseded: list[SourceMessage] = field(default_factory=list)
    not_ens: list[Reject] = field(default_factory=list)
    duplicates: list[SourceMessage] = field(default_factory=list)
    pending: list[PendingShipment] = field(default_factory=list)
    not_subject: list[NotSubject] = field(default_factory=list)
    # consignments that failed inside messages counted as filed (see Reject.shipment)
    shipment_rejects: list[Reject] = field(default_factory=list)
    # messages of earlier runs whose shipment failed because of this run's messages
    earlier_rejects: list[Reject] = field(default_factory=list)
    messages_in: int = 0
    files_in: int = 0
    seconds: float = 0.0

    @property
    def filed_messages(self) -> int:
        return len(self.filed)

    @property
    def ok(self) -> bool:
        """True when nothing of this run was rejected (pending, not-subject, not-ens and
        duplicates are fine)."""
        return not self.rejects and not self.shipment_rejects and not self.earlier_rejects

    def outcome_counts(self) -> dict[str, int]:
        return {"filed": len(self.filed), "rejected": len(self.rejects),
                "pending": len(self.pending_messages), "not-ens": len(self.not_ens),
                "not-subject": len(self.not_subject_messages),
                "supporting": len(self.supporting), "superseded": len(self.superseded),
                "duplicate": len(self.duplicates)}

    def check(self) -> list[str]:
        """Mismatches between the readers' count and the outcome lists (empty when exact);
        each is also logged as an error."""
        counted = sum(self.outcome_counts().values())
        problems = []
        if counted != self.messages_in:
            problems.append(f"accounting: {self.messages_in} messages read but {counted} "
                            f"have an outcome ({self.outcome_counts()})")
        seen: set[int] = set()
        lists: list[list[Any]] = [self.filed, self.supporting, self.pending_messages,
                                  self.not_subject_messages, self.superseded, self.duplicates,
                                  [r.message for r in self.rejects],
                                  [r.message for r in self.not_ens]]
        for msg in (m for lst in lists for m in lst):
            if id(msg) in seen:
                problems.append(f"accounting: {msg.label} has two outcomes")
            seen.add(id(msg))
        for p in problems:
            log.error("%s", p)
        return problems


def _worst(diags: Iterable[Diagnostic]) -> Severity:
    return max((d.severity for d in diags), default=Severity.INFO)


class _Batch:
    """The run's set-up shared by its units: configuration, specs, renderer, schemas, rule
    configuration, policy, and the filing builder."""

    def __init__(self, options: TranslateOptions) -> None:
        self.opts = options
        self.config = options.config or load_config()
        self.issued = (options.issued or datetime.now(UTC)).astimezone(UTC)
        self.today = options.today
        arrived = options.arrived_at
        if arrived is not None and arrived.tzinfo is None:
            arrived = arrived.replace(tzinfo=UTC)  # a time without zone is read as UTC
        self.arrived_at = None if arrived is None else arrived.astimezone(UTC)
        self.specs: tuple[MappingSpec, ...] = (
            tuple(load_spec(p) for p in options.mappings) if options.mappings
            else builtin_specs())
        self.renderer = options.renderer or Renderer()
        self.schemas = options.schemas
        self.forced = None
        if options.filing:
            self.forced = normalise_filing_code(options.filing)
        self.reference = (options.reference if options.reference is not None
                          else load_reference(self.config.reference_data))
        # the enrichment stage; the office table replaces the "*" placeholder of the site
        # configuration when one is configured
        self.enrichment = Enrichment(self.reference)
        schedule = options.schedule
        if schedule is None and self.reference.has_schedules:
            schedule = self.enrichment.schedule
        self.policy = Policy(config=self.config, forced=self.forced, schedule=schedule)
        self._rule_configs: dict[date, RuleConfig] = {}

    def now(self) -> datetime:
        """The run's clock: ``options.now``, else the issue time, else the wall clock."""
        given = self.opts.now or self.opts.issued
        return (given or datetime.now(UTC)).astimezone(UTC)

    def anchor(self, received: datetime) -> str:
        """The date that anchors a message's year-less dates: ``options.today``, else the day
        it was received (kept with the message, so that mapping it again gives the same)."""
        return self.today or received.astimezone(UTC).date().isoformat()

    def specs_for(self, msg: SourceMessage) -> list[MappingSpec]:
        """Every spec for the message: one message may feed several parts of the dataset
        (an EDIFACT CUSCAR gives master, house and flight data through three specs)."""
        return [s for s in self.specs if s.matches(msg.format, msg.kind, msg.version)]

    def _rules(self, issued: datetime) -> RuleConfig:
        day = issued.date()
        found = self._rule_configs.get(day)
        if found is None:
            found = self._rule_configs[day] = RuleConfig(
                postcode_optional_countries=self.config.postcode_optional_countries, today=day)
        return found

    def build(self, ship: Shipment, code: str, *, lrn: str | None, seq: int,
              view: LedgerView | None, issued: datetime) -> tuple[Filing | None,
                                                                 list[Diagnostic]]:
        """Make the ``code`` filing of ``ship``: site data (with ``lrn`` when the filing
        already has one), render, schema, rules. Returns the filing, or None and why not."""
        issued = (self.opts.issued or issued).astimezone(UTC)
        diags: list[Diagnostic] = list(ship.diagnostics)
        if not code:
            diags.append(diag("MAP010", f"no filing type configured for a {ship.shape} shipment",
                              expected="filings." + ship.shape + " in the configuration"))
            return None, diags
        info = FILINGS[code]
        if info.needs_houses and not ship.data["houses"]:
            diags.append(diag("MAP010", f"{code} needs house consignments; shipment "
                              f"{ship.document_number} has none (no FHL/FZB in the batch)",
                              expected="FHL or FZB messages for this master AWB"))
            return None, diags
        if lrn:
            ship.data["declaration"]["lrn"] = lrn
        if self.forced:
            diags.extend(_missing_flight_data(ship, code))
        enriched = self.enrichment.apply(ship, code, self.config)
        diags.extend(enriched)
        if any(d.is_error for d in enriched):
            # a fact the reference data should give and does not: one diagnostic, not the
            # schema and rule errors about the same element that rendering would add
            return None, diags
        diags.extend(apply_site_data(ship, self.config, filing=code, issued=issued,
                                     arrived_at=self.arrived_at, seq=seq,
                                     office_wildcard=self.reference.offices is None))
        try:
            text = self.renderer.render(code, ship.data)
        except RenderError as exc:
            diags.append(exc.diagnostic)
            return None, diags
        made = str(ship.data["declaration"]["lrn"])
        name = f"{made}.xml"
        try:
            # a lone surrogate gets through as bytes lxml refuses, reported like a control char
            xml, root = _normalise(text.encode("utf-8", "surrogatepass"))
        except etree.XMLSyntaxError as exc:
            diags.extend(unwritable(ship, code, name, exc))
            return None, diags
        diags.extend(check_schema(root, schemas=self.schemas, source_name=name))
        diags.extend(check_rules(root, message=code, config=self._rules(issued),
                                 ledger=view, source_name=name))
        if _worst(diags) >= Severity.ERROR:
            diags = collapse_cascades(_with_xpaths(diags, code, ship))
            if _worst(diags) >= Severity.ERROR:
                return None, diags
        # warnings the readers gave on the messages behind the filing (a bad check digit, an
        # over-long line...) travel with the filing: the operator sees them next to its XML
        read = [d for m in ship.messages for d in m.diagnostics]
        return Filing(lrn=made, filing=code, shipment=ship.document_number, xml=xml,
                      diagnostics=(*read, *diags), lineage=dict(ship.lineage),
                      messages=tuple(m.label for m in ship.messages)), diags


def _with_xpaths(diags: list[Diagnostic], code: str, ship: Shipment) -> list[Diagnostic]:
    """Mapping errors name a dataset field (their rule); give them the ENS XPath it is written
    to, where that is one element of this filing (a master field, or a house field when the
    shipment has one house), so that :func:`collapse_cascades` can group them."""
    if not any(d.xpath is None and d.rule is not None and d.code.startswith("MAP")
               for d in diags):
        return diags
    table = field_xpaths_of(code)
    one_house = len(ship.data["houses"]) <= 1
    out = []
    for d in diags:
        if d.xpath is None and d.rule is not None and d.code.startswith("MAP") and d.rule.rule_id:
            field = d.rule.rule_id
            names = [field] if field.startswith(("master.", "houses[")) else []
            names.append("houses[]." + field.split(".", 1)[1] if field.startswith("master.")
                         else "houses[]." + field)
            places = [table.get(name, ()) for name in names]
            if d.code == "MAP003" and not any(places) and field.split(".")[0] in _PARTY_FIELDS:
                continue  # a party value this filing does not carry (IE3F25: references only)
            for xps in places:
                if len(xps) == 1 and (one_house or field.startswith("master.")):
                    d = replace(d, xpath=xps[0])
                    break
        out.append(d)
    return out


_PARTY_FIELDS = frozenset({"consignor", "consignee", "notify"})
"""House parties: an FHL check-list names houses without them; a filing that does not carry
them (IE3F25, the master AWB reference filing) does not need them."""


def collect(report: UnitReport, result: BatchResult) -> None:
    """Add what one unit did to ``result`` (its messages by outcome, its shipments)."""
    result.messages_in += report.messages_read
    result.files_in += report.files_in
    result.duplicates.extend(report.duplicates)
    for it in report.items:
        bucket = it.outcome
        if bucket == "filed":
            result.filed.append(it.msg)
        elif bucket == "rejected":
            result.rejects.append(Reject(message=it.msg, diagnostics=tuple(it.diagnostics),
                                         reason=_first_error(it.diagnostics)
                                         or "not an ENS input"))
        elif bucket == "not-ens":
            result.not_ens.append(Reject(message=it.msg, diagnostics=tuple(it.diagnostics),
                                         reason=_first_error(it.diagnostics), not_ens=True))
        elif bucket == "pending":
            result.pending_messages.append(it.msg)
        elif bucket == "not-subject":
            result.not_subject_messages.append(it.msg)
        elif bucket == "superseded":
            result.superseded.append(it.msg)
        else:
            result.supporting.append(it.msg)
    for it in report.stored_items:
        if it.outcome == "rejected" and it.stored_outcome != "rejected":
            result.earlier_rejects.append(Reject(message=it.msg,
                                                 diagnostics=tuple(it.diagnostics),
                                                 reason=_first_error(it.diagnostics)))
    outcome = {id(it.msg): it.outcome for it in (*report.items, *report.stored_items)}
    for res in report.shipments:
        labels = tuple(m.label for m in res.messages)
        if res.filing is not None:
            result.filings.append(res.filing)
        elif res.state == "pending":
            result.pending.append(PendingShipment(shipment=res.document, key=res.key,
                                                  waiting_for=res.waiting_for,
                                                  due_at=res.due_at, messages=labels))
        elif res.state == "not-subject":
            result.not_subject.append(NotSubject(shipment=res.document, key=res.key,
                                                 reason=res.reason, messages=labels))
        elif res.state == "rejected" and res.messages and res.action == "rejected" and all(
                outcome.get(id(m)) == "filed" for m in res.messages):
            msg = res.messages[0]
            own = list(res.diagnostics)
            if not any(d.source is not None and d.source.file == msg.file for d in own):
                own.append(diag("BAT001", source=msg.pos(msg.first_line),
                                found=_first_error(own)))
            result.shipment_rejects.append(Reject(message=msg, diagnostics=tuple(own),
                                                  reason=_first_error(own),
                                                  shipment=res.document))


def _missing_flight_data(ship: Shipment, code: str) -> list[Diagnostic]:
    """A forced complete filing (``--filing F20``) without the flight's times: say so in
    words an operator can act on (the schema stage reports the same gap by XPath). Without
    ``--filing`` such a shipment waits as pending instead."""
    if code not in NEEDS_FLIGHT_TIMES:
        return []
    t = ship.data["transport"]
    out = []
    first = ship.messages[0] if ship.messages else None
    where = None if first is None else first.pos(first.first_line)
    for key, what in (("estimated_arrival", "estimated arrival date-time"),
                      ("estimated_departure", "estimated departure date-time")):
        if not t[key]:
            out.append(diag(
                "MAP003", f"{what} of the flight missing for {code}: the FWB does not carry it; "
                "send the FFM of the flight, or choose a PLACI filing (--filing F23/F24/F26)",
                expected=f"transport.{key}", found="nothing",
                source=where, xpath=f"/{code}/activeBorderTransportMeans"))
    return out


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_blank_text=False)


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _normalise(rendered: bytes) -> tuple[bytes, Any]:
    """Templates are written for speed, not looks: the filing is re-serialised by lxml with a
    uniform two-space indent, and validated as written, so diagnostic line numbers point into
    the file the operator opens."""
    root = etree.fromstring(rendered, _PARSER)
    etree.indent(root, space="  ")
    xml = _DECLARATION + etree.tostring(root, encoding="utf-8") + b"\n"
    return xml, etree.fromstring(xml, _PARSER)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Automatic garbage collection off for a batch, restored after (nesting-safe).

    Source trees, datasets, lineage and filings hold no reference cycles (a 1,000-shipment
    batch left ~120 unreachable objects, all from building a Jinja environment, now built
    once per process), so reference counting frees everything and the collector's passes over
    the growing heap are pure cost: about a quarter of the pipeline's time (bench/README.md).
    Memory stays flat (``bench/bench_memory.py``); cyclic garbage, if a plug-in made any, is
    collected after the batch. Like the ``gc.freeze`` this replaced, the end of a pause
    unfreezes objects an embedding application may have frozen itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the batch made goes straight to the oldest generation, unscanned: re-enabled
        # as it was, the collector would first trace every object of the batch as "young".
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def run_in_memory(batch: _Batch, pieces: list[SourcePiece], result: BatchResult) -> None:
    """One unit over an empty in-memory state, the garbage collector paused."""
    start = time.perf_counter()
    try:
        with gc_paused():
            unit = Unit(batch, MemoryState(batch.opts.ledger), now=batch.now())
            collect(unit.run(pieces), result)
    finally:
        result.seconds += time.perf_counter() - start
    result.check()


def translate_messages(messages: list[SourceMessage],
                       options: TranslateOptions | None = None) -> BatchResult:
    """Translate already-read messages (the API under ``translate``)."""
    result = BatchResult()
    run_in_memory(_Batch(options or TranslateOptions()), [SourcePiece(
        file="", data=None, reader="detect", messages=messages, new_file=False)], result)
    return result


def translate_bytes(data: bytes, *, file: str = "<bytes>",
                    options: TranslateOptions | None = None) -> BatchResult:
    """Translate one in-memory input (tests, HTTP connectors)."""
    with gc_paused():
        messages = read_messages(data, file=file)
    result = BatchResult()
    run_in_memory(_Batch(options or TranslateOptions()), [SourcePiece(
        file=file, data=data, reader="detect", messages=messages)], result)
    return result
