"""Running a spec on sample messages the way the batch does, but keeping what authoring tools
need: every shipment's dataset, lineage and filing type, and where each value lands in the XML.

The batch (``ensgate.pipeline``) keeps only the written filings; trace and explain also want
shipments that were rejected later (schema, rules), so this module repeats the batch's mapping
steps (read, reassemble, map, assemble, site data) with the public pieces and renders the
dataset itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import EnsgateConfig, load_config
from ..diagnostics import Diagnostic, SpecError, diag
from ..mapping import Lineage
from ..mapping._assemble import Shipment, assemble
from ..mapping._engine import Fragment, run_spec
from ..mapping._spec import MappingSpec, builtin_specs, load_spec
from ..pipeline import Enrichment, iter_input_files, read_file
from ..pipeline._policy import NEEDS_FLIGHT_TIMES, has_flight_times
from ..pipeline._site import apply_site_data
from ..readers._source import SourceMessage
from ..readers.cargoimp import reassemble
from ..reference import load_reference
from ..render import Renderer, RenderError, normalise_filing_code
from ._xpaths import marker_xpaths

ISSUED = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)  # fixed: reproducible LRNs and dates


def builtin_spec_paths() -> list[str]:
    """File paths of the built-in specs (for ``TranslateOptions.mappings``)."""
    root = resources.files("ensgate.mappings")
    return [str(e) for e in sorted(root.iterdir(), key=lambda e: e.name)
            if e.name.endswith(".yaml")]


def usable_builtins() -> tuple[MappingSpec, ...]:
    """The built-in specs; one that does not load is left out (the tool under test is the
    analyst's spec, a broken neighbour must not stop it; ``map lint`` reports it)."""
    try:
        return builtin_specs()
    except SpecError:
        out = []
        for p in builtin_spec_paths():
            try:
                out.append(load_spec(p))
            except SpecError:
                continue
        return tuple(out)


def replaces(spec: MappingSpec, other: MappingSpec) -> bool:
    """The spec under test stands in for a built-in of the same message and dataset part (a
    message may feed several parts through several specs, as an EDIFACT CUSCAR does)."""
    return other.id == spec.id or (other.source_format == spec.source_format
                                   and other.message == spec.message
                                   and other.produces == spec.produces)


def specs_with(spec: MappingSpec) -> tuple[MappingSpec, ...]:
    """The spec under test first, then the built-ins for the companion messages and parts."""
    return (spec, *(s for s in usable_builtins() if not replaces(spec, s)))


def read_inputs(paths: Iterable[str | Path], *, max_bytes: int = 1 << 30) -> list[SourceMessage]:
    msgs: list[SourceMessage] = []
    for p in iter_input_files([Path(x) for x in paths]):
        msgs.extend(read_file(p, max_bytes=max_bytes))
    return reassemble(msgs)


@dataclass(slots=True, kw_only=True)
class ShipmentRun:
    """One shipment of a run: its dataset (with site data), lineage and filing type."""

    shipment: Shipment
    filing: str | None
    xpaths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # concrete path -> XPaths
    xml: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return self.shipment.data

    @property
    def lineage(self) -> dict[str, Lineage]:
        return self.shipment.lineage


@dataclass(slots=True, kw_only=True)
class Run:
    spec: MappingSpec
    messages: list[SourceMessage]
    fragments: list[Fragment]
    shipments: list[ShipmentRun]
    diagnostics: list[Diagnostic]
    today: str = ""  # the processing date the run anchored year-less dates on


def run_messages(spec: MappingSpec, messages: Sequence[SourceMessage], *,
                 filing: str | None = None, config: EnsgateConfig | None = None,
                 issued: datetime = ISSUED, render: bool = True) -> Run:
    """Map ``messages`` with ``spec`` (and the built-ins for other message types), assemble
    the shipments and, with ``render``, locate every value in the filing XML."""
    cfg = config or load_config()
    specs = specs_with(spec)
    today = issued.date().isoformat()
    frags: list[Fragment] = []
    diags: list[Diagnostic] = []
    for msg in messages:
        diags.extend(msg.diagnostics)
        if not msg.is_ens_input or not msg.kind:
            continue
        chosen = [s for s in specs if s.matches(msg.format, msg.kind, msg.version)]
        if not chosen:
            diags.append(diag("MAP009", f"no mapping spec for {msg.kind}/{msg.version}",
                              source=msg.pos(msg.first_line)))
            continue
        for one in chosen:  # as the batch does: every spec of the message, in order
            frags.extend(run_spec(one, msg, today=today))
    forced = normalise_filing_code(filing) if filing else None
    renderer = Renderer()
    reference = load_reference(cfg.reference_data)
    enrichment = Enrichment(reference)
    ships: list[ShipmentRun] = []
    for ship in assemble(frags):
        code = forced or normalise_filing_code(cfg.filings.get(ship.shape, "") or "")
        if code in NEEDS_FLIGHT_TIMES and reference.has_schedules and \
                not has_flight_times(ship):  # as the filing policy asks the schedule
            times = enrichment.schedule(ship)
            if times is not None:
                t = ship.data["transport"]
                t["estimated_departure"], t["estimated_arrival"] = times
        sr = ShipmentRun(shipment=ship, filing=code, diagnostics=list(ship.diagnostics))
        if code is not None:
            sr.diagnostics.extend(enrichment.apply(ship, code, cfg))
            sr.diagnostics.extend(apply_site_data(ship, cfg, filing=code, issued=issued,
                                                  office_wildcard=reference.offices is None))
            if render:
                try:
                    sr.xpaths = marker_xpaths(code, ship.data, renderer=renderer)
                    sr.xml = renderer.render(code, ship.data)
                except RenderError as exc:  # a template that cannot take this dataset
                    sr.diagnostics.append(exc.diagnostic)
                    sr.xpaths, sr.xml = {}, ""
        ships.append(sr)
    return Run(spec=spec, messages=list(messages), fragments=frags, shipments=ships,
               diagnostics=diags, today=today)


def run_files(spec: MappingSpec | str | Path, inputs: Iterable[str | Path], *,
              filing: str | None = None, config: EnsgateConfig | None = None,
              render: bool = True) -> Run:
    sp = spec if isinstance(spec, MappingSpec) else load_spec(spec)
    return run_messages(sp, read_inputs(inputs), filing=filing, config=config, render=render)
