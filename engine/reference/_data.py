"""The reference data of a run: every configured file read, its format detected from its
content, indexed once; loaded again only when a file's content changes.

``load_reference(config.reference_data)`` is cheap to call per unit of work: a file whose
size and modification time are unchanged is not read again; one that changed is hashed, and
only a changed content hash rebuilds the indexes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import ReferenceDataConfig
from ..diagnostics import ConfigError
from ._files import decode, first_content_line, read_ref_file
from ._offices import OfficeTable, looks_like_office_csv, parse_office_csv, parse_office_yaml
from ._parties import PartyBook, looks_like_party_csv, parse_party_csv, parse_party_yaml
from ._schedules import (
    ScheduleIndex,
    looks_like_schedule_csv,
    looks_like_ssim,
    parse_schedule_csv,
    parse_ssim,
)

log = logging.getLogger("ensgate.reference")


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedFile:
    """One file as loaded: what it is, its content hash, detected format, rows read."""

    kind: str  # schedules | parties | customs_offices
    path: str
    digest: str
    format: str  # ssim | csv | yaml
    rows: int


@dataclass(slots=True, kw_only=True)
class ReferenceData:
    """Schedules, party book and office table with their O(1) indexes."""

    files: tuple[LoadedFile, ...] = ()
    schedules: ScheduleIndex = field(default_factory=ScheduleIndex)
    parties: PartyBook = field(default_factory=PartyBook)
    offices: OfficeTable | None = None
    problems: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        """One hash over every file's kind, path and content hash."""
        text = "\n".join(f"{f.kind} {f.path} {f.digest}" for f in self.files)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def has_schedules(self) -> bool:
        return any(f.kind == "schedules" for f in self.files)

    @property
    def has_parties(self) -> bool:
        return any(f.kind == "parties" for f in self.files)



def _schedule(path: Path, text: str, ref: ReferenceData, problems: list[str]) -> str:
    first = first_content_line(text)
    before = ref.schedules.rows
    if looks_like_ssim(first):
        parse_ssim(text, str(path), ref.schedules, problems)
        fmt = "ssim"
    elif looks_like_schedule_csv(first):
        parse_schedule_csv(text, str(path), ref.schedules, problems)
        fmt = "csv"
    else:
        raise ConfigError(f"reference_data.schedules: {path} is neither an SSIM Chapter 7 file "
                          "(200-character records, header record type 1) nor a CSV with the "
                          "header flight,origin,destination,departure,arrival")
    if ref.schedules.rows == before:
        problems.append(f"{path}: no flight leg read from this {fmt} schedule")
    return fmt


def _parties(path: Path, text: str, ref: ReferenceData, problems: list[str]) -> str:
    first = first_content_line(text)
    if looks_like_party_csv(first):
        parse_party_csv(text, str(path), ref.parties, problems)
        return "csv"
    try:
        parse_party_yaml(text, str(path), ref.parties, problems)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"reference_data.parties: {path} is neither a CSV with a header "
                          f"naming name and eori/account/street/city, nor a YAML list of "
                          f"records: {exc}") from None
    return "yaml"


def _offices(path: Path, text: str, problems: list[str]) -> tuple[OfficeTable, str]:
    first = first_content_line(text)
    try:
        if looks_like_office_csv(first):
            table, fmt = parse_office_csv(text, str(path), problems), "csv"
        else:
            table, fmt = parse_office_yaml(text, str(path), problems), "yaml"
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"reference_data.customs_offices: {path} is neither a CSV with the "
                          f"header airport,office nor a YAML mapping with source: and "
                          f"offices: ({exc})") from None
    if not table.source:
        raise ConfigError(f"reference_data.customs_offices: {path} does not say where its "
                          "data comes from: add a '# source: ...' line (CSV) or 'source:' "
                          "(YAML), e.g. the EU Customs Office List (COL) and its date")
    return table, fmt


def build_reference(config: ReferenceDataConfig) -> ReferenceData:
    """Read and index every configured file (a file that cannot be read, or whose format is
    not recognised, is a configuration error; a bad row is skipped and reported)."""
    ref = ReferenceData()
    problems: list[str] = []
    files: list[LoadedFile] = []
    wanted: list[tuple[str, Path]] = [("schedules", p) for p in config.schedules]
    wanted += [("parties", p) for p in config.parties]
    if config.customs_offices is not None:
        wanted.append(("customs_offices", config.customs_offices))
    for kind, path in wanted:
        data, digest = read_ref_file(kind, path)
        text = decode(kind, path, data)
        if kind == "schedules":
            before = ref.schedules.rows
            fmt = _schedule(path, text, ref, problems)
            rows = ref.schedules.rows - before
        elif kind == "parties":
            before = ref.parties.rows
            fmt = _parties(path, text, ref, problems)
            rows = ref.parties.rows - before
        else:
            ref.offices, fmt = _offices(path, text, problems)
            rows = ref.offices.rows
        files.append(LoadedFile(kind=kind, path=str(path), digest=digest, format=fmt,
                                rows=rows))
    ref.files = tuple(files)
    ref.problems = tuple(problems)
    for p in problems:
        log.warning("reference data: %s", p)
    return ref


_LOCK = threading.Lock()
_CACHE: dict[ReferenceDataConfig, tuple[tuple[tuple[int, int, str], ...], ReferenceData]] = {}


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def load_reference(config: ReferenceDataConfig) -> ReferenceData:
    """The reference data of ``config``, from the process cache while no file changed: a
    changed size or modification time makes the file be hashed again, and a changed content
    hash rebuilds the indexes."""
    if not config.configured:
        return ReferenceData()  # nothing configured (a fresh one: callers may fill it)
    paths = [*config.schedules, *config.parties,
             *([config.customs_offices] if config.customs_offices else [])]
    with _LOCK:
        cached = _CACHE.get(config)
        stats = [_stat(p) for p in paths]
        if cached is not None:
            sigs, ref = cached
            if all((s[0], s[1]) == st for s, st in zip(sigs, stats, strict=True)):
                return ref
            digests = [read_ref_file("reference_data", p)[1] for p in paths]
            if digests == [s[2] for s in sigs]:
                _CACHE[config] = (tuple((st[0], st[1], d) for st, d in
                                        zip(stats, digests, strict=True)), ref)
                return ref
        ref = build_reference(config)
        digests = [f.digest for f in ref.files]
        _CACHE[config] = (tuple((st[0], st[1], d) for st, d in
                                zip(stats, digests, strict=True)), ref)
        return ref
