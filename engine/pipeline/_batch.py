"""A batch: files in, ENS filings and rejects out, with exact accounting.

readers -> reassembly of multi-part messages across files -> mapping (one spec per message
type) -> assembly of shipments -> site data -> render -> schema -> ICS2 rules -> result.
Every message ends in exactly one bucket: it contributed to a written filing, it was rejected
(with its diagnostics), or it only supported others (a flight manifest line for AWBs this batch
does not declare). ``messages_in == filed + rejected + supporting`` always holds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from ..config import EnsgateConfig, load_config
from ..diagnostics import Diagnostic, Severity, diag
from ..ledger import FilingLedger, InMemoryLedger, SqliteLedger
from ..mapping import Lineage
from ..mapping._assemble import Shipment, assemble
from ..mapping._engine import Fragment, run_spec
from ..mapping._spec import MappingSpec, builtin_specs, load_spec
from ..readers._source import SourceMessage
from ..readers.cargoimp import reassemble
from ..render import FILINGS, Renderer, RenderError, normalise_filing_code
from ..validate import SchemaSet, check_schema
from ..validate.rules import RuleConfig, check_rules
from ._inputs import read_messages
from ._site import apply_site_data
from ._unwritable import unwritable


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslateOptions:
    """How a batch runs. ``filing`` forces one filing type (e.g. ``F26``) for every shipment;
    ``mappings`` replaces the built-in specs; ``issued`` fixes the document issue time (tests,
    reproducible runs); ``today`` anchors year-less dates (default: the issue date)."""

    config: EnsgateConfig | None = None
    filing: str | None = None
    mappings: tuple[str, ...] = ()
    issued: datetime | None = None
    today: str | None = None
    arrived_at: datetime | None = None  # actual arrival for IE3N06 (legacy feeds lack it)
    ledger: FilingLedger | None = None
    schemas: SchemaSet | None = None
    renderer: Renderer | None = None


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


@dataclass(slots=True, kw_only=True)
class BatchResult:
    filings: list[Filing] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    supporting: list[SourceMessage] = field(default_factory=list)
    # consignments that failed inside messages counted as filed (see Reject.shipment); not
    # part of the message accounting ``messages_in = filed + rejects + supporting``
    shipment_rejects: list[Reject] = field(default_factory=list)
    messages_in: int = 0
    files_in: int = 0
    seconds: float = 0.0

    @property
    def filed_messages(self) -> int:
        return self.messages_in - len(self.rejects) - len(self.supporting)

    @property
    def ok(self) -> bool:
        return not self.rejects and not self.shipment_rejects


def _worst(diags: Iterable[Diagnostic]) -> Severity:
    return max((d.severity for d in diags), default=Severity.INFO)


class _Batch:
    def __init__(self, options: TranslateOptions) -> None:
        self.opts = options
        self.config = options.config or load_config()
        self.issued = (options.issued or datetime.now(UTC)).astimezone(UTC)
        self.today = options.today or self.issued.date().isoformat()
        arrived = options.arrived_at
        if arrived is not None and arrived.tzinfo is None:
            arrived = arrived.replace(tzinfo=UTC)  # a time without zone is read as UTC
        self.arrived_at = None if arrived is None else arrived.astimezone(UTC)
        self.specs: tuple[MappingSpec, ...] = (
            tuple(load_spec(p) for p in options.mappings) if options.mappings
            else builtin_specs())
        self.renderer = options.renderer or Renderer()
        self.schemas = options.schemas
        if options.ledger is not None:
            self.ledger: FilingLedger = options.ledger
        elif self.config.ledger:
            self.ledger = SqliteLedger(self.config.ledger)
        else:
            self.ledger = InMemoryLedger()
        self.rule_config = RuleConfig(
            postcode_optional_countries=self.config.postcode_optional_countries,
            today=self.issued.date())
        self.forced = None
        if options.filing:
            self.forced = normalise_filing_code(options.filing)

    def specs_for(self, msg: SourceMessage) -> list[MappingSpec]:
        """Every spec for the message: one message may feed several parts of the dataset
        (an EDIFACT CUSCAR gives master, house and flight data through three specs)."""
        return [s for s in self.specs if s.matches(msg.format, msg.kind, msg.version)]

    def filing_for(self, ship: Shipment) -> str | None:
        if self.forced:
            return self.forced
        return normalise_filing_code(self.config.filings.get(ship.shape, ""))

    def run(self, messages: list[SourceMessage], result: BatchResult) -> None:
        result.messages_in += len(messages)
        status: dict[int, str] = {}
        reasons: dict[int, list[Diagnostic]] = {}
        fragments: list[Fragment] = []
        for msg in messages:
            if not msg.is_ens_input:
                # Recognised status/answer messages go to rejects/not-ens/; unreadable input
                # (no message type) is an ordinary reject.
                result.rejects.append(Reject(
                    message=msg, diagnostics=tuple(msg.diagnostics), not_ens=bool(msg.kind),
                    reason=_first_error(msg.diagnostics) or "not an ENS input"))
                status[id(msg)] = "rejected"
                continue
            if _worst(msg.diagnostics) >= Severity.ERROR:
                result.rejects.append(Reject(message=msg, diagnostics=tuple(msg.diagnostics),
                                             reason=_first_error(msg.diagnostics)))
                status[id(msg)] = "rejected"
                continue
            specs = self.specs_for(msg)
            if not specs:
                d = diag("MAP009", f"no mapping spec for {msg.kind}/{msg.version}",
                         source=msg.pos(msg.first_line))
                result.rejects.append(Reject(message=msg, diagnostics=(*msg.diagnostics, d),
                                             reason=d.message))
                status[id(msg)] = "rejected"
                continue
            try:
                fragments.extend([f for spec in specs
                                  for f in run_spec(spec, msg, today=self.today)])
            except Exception as exc:  # a bug must not lose the message: reject it, go on
                d = diag("RUN001", f"internal error while mapping: {type(exc).__name__}: {exc}",
                         source=msg.pos(msg.first_line))
                result.rejects.append(Reject(message=msg, diagnostics=(*msg.diagnostics, d),
                                             reason=d.message))
                status[id(msg)] = "rejected"
        failed: list[tuple[Shipment, list[Diagnostic]]] = []
        for ship in assemble(fragments):
            try:
                filing, diags = self.file(ship)
            except Exception as exc:  # a bug must not lose the shipment: reject it, go on
                first = ship.messages[0] if ship.messages else None
                filing, diags = None, [diag(
                    "RUN001", f"internal error while filing: {type(exc).__name__}: {exc}",
                    source=None if first is None else first.pos(first.first_line))]
            if filing is not None:
                result.filings.append(filing)
                for m in ship.messages:
                    status[id(m)] = "filed"
            else:
                failed.append((ship, diags))
                for m in ship.messages:
                    reasons.setdefault(id(m), []).extend(diags)
        for ship, diags in failed:
            if ship.messages and all(status.get(id(m)) == "filed" for m in ship.messages):
                # every message behind it also gave a filing: keep the failed consignment
                msg = ship.messages[0]
                own = [*diags]
                if not any(d.source is not None and d.source.file == msg.file for d in own):
                    own.append(diag("BAT001", source=msg.pos(msg.first_line),
                                    found=_first_error(own)))
                result.shipment_rejects.append(Reject(
                    message=msg, diagnostics=tuple(own), reason=_first_error(own),
                    shipment=ship.document_number))
        for msg in messages:
            if id(msg) in status:
                continue
            if id(msg) in reasons:
                own = [*msg.diagnostics, *reasons[id(msg)]]
                if not any(d.source is not None and d.source.file == msg.file for d in own):
                    # the shipment failed on its filing (schema, rules): say so at the message
                    own.append(diag("BAT001", source=msg.pos(msg.first_line),
                                    found=_first_error(own)))
                result.rejects.append(Reject(message=msg, diagnostics=tuple(own),
                                             reason=_first_error(own)))
            else:
                result.supporting.append(msg)

    def file(self, ship: Shipment) -> tuple[Filing | None, list[Diagnostic]]:
        code = self.filing_for(ship)
        diags: list[Diagnostic] = list(ship.diagnostics)
        if code is None:
            diags.append(diag("MAP010", f"no filing type configured for a {ship.shape} shipment",
                              expected="filings." + ship.shape + " in the configuration"))
            return None, diags
        info = FILINGS[code]
        if info.needs_houses and not ship.data["houses"]:
            diags.append(diag("MAP010", f"{code} needs house consignments; shipment "
                              f"{ship.document_number} has none (no FHL/FZB in the batch)",
                              expected="FHL or FZB messages for this master AWB"))
            return None, diags
        diags.extend(_missing_flight_data(ship, code))
        diags.extend(apply_site_data(ship, self.config, filing=code, issued=self.issued,
                                     arrived_at=self.arrived_at))
        try:
            text = self.renderer.render(code, ship.data)
        except RenderError as exc:
            diags.append(exc.diagnostic)
            return None, diags
        lrn = str(ship.data["declaration"]["lrn"])
        name = f"{lrn}.xml"
        try:
            # a lone surrogate gets through as bytes lxml refuses, reported like a control char
            xml, root = _normalise(text.encode("utf-8", "surrogatepass"))
        except etree.XMLSyntaxError as exc:
            diags.extend(unwritable(ship, code, name, exc))
            return None, diags
        diags.extend(check_schema(root, schemas=self.schemas, source_name=name))
        declarant = str(ship.data["declarant"]["identification"] or "")
        diags.extend(check_rules(root, message=code, config=self.rule_config,
                                 ledger=self.ledger, source_name=name))
        if _worst(diags) >= Severity.ERROR:
            return None, diags
        docs = [ship.document_number, *(str(h["document_number"]) for h in ship.data["houses"])]
        if not self.ledger.record(declarant, lrn, docs, self.issued):
            diags.append(diag("ICS004", f"LRN {lrn} already used by declarant {declarant}",
                              found=lrn))
            return None, diags
        # warnings the readers gave on the messages behind the filing (a bad check digit, an
        # over-long line...) travel with the filing: the operator sees them next to its XML
        read = [d for m in ship.messages for d in m.diagnostics]
        return Filing(lrn=lrn, filing=code, shipment=ship.document_number, xml=xml,
                      diagnostics=(*read, *diags), lineage=dict(ship.lineage),
                      messages=tuple(m.label for m in ship.messages)), diags


_NEEDS_SCHEDULE = frozenset(["IE3F20", "IE3F21", "IE3F27", "IE3F28", "IE3F29"])


def _missing_flight_data(ship: Shipment, code: str) -> list[Diagnostic]:
    """Legacy feeds often lack the flight schedule the complete filings need; say so in words
    an operator can act on (the schema stage reports the same gap by XPath)."""
    if code not in _NEEDS_SCHEDULE:
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
                "send the FFM of the flight in the same batch, or choose a PLACI filing "
                "(--filing F23/F24/F26)", expected=f"transport.{key}", found="nothing",
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


def _first_error(diags: Iterable[Diagnostic]) -> str:
    worst = None
    for d in diags:
        if worst is None or d.severity > worst.severity:
            worst = d
    return "" if worst is None else f"{worst.code} {worst.message}"


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


def _run_frozen(batch: _Batch, messages: list[SourceMessage], result: BatchResult) -> None:
    """Run a batch with the garbage collector paused (:func:`gc_paused`)."""
    start = time.perf_counter()
    try:
        with gc_paused():
            try:
                joined = reassemble(messages)
            except Exception as exc:  # pragma: no cover - last-resort guard, see RUN001
                # keep the parts as read; the Cargo-IMP ones (all reassembly touches) are
                # rejected, so the bug is seen and nothing is filed from half a message
                joined = messages
                for m in messages:
                    if m.format == "cargo-imp":
                        m.diagnostics.append(diag("RUN001", source=m.pos(m.first_line),
                                                  found=repr(exc)))
            batch.run(joined, result)
    finally:
        result.seconds += time.perf_counter() - start


def translate_messages(messages: list[SourceMessage],
                       options: TranslateOptions | None = None) -> BatchResult:
    """Translate already-read messages (the API under ``translate``)."""
    result = BatchResult()
    _run_frozen(_Batch(options or TranslateOptions()), messages, result)
    return result


def translate_bytes(data: bytes, *, file: str = "<bytes>",
                    options: TranslateOptions | None = None) -> BatchResult:
    """Translate one in-memory input (tests, HTTP connectors)."""
    with gc_paused():
        messages = read_messages(data, file=file)
    return translate_messages(messages, options)
