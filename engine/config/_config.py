"""Loading and checking the site configuration.

The layers (embedded ``default.yaml``, the site file, ``ENSGATE__`` variables) are merged and
checked by pydantic-settings (``_Settings``): the file is deep-merged over the defaults and
given as the initial values, environment variables (``ENSGATE__SECTION__KEY``, nested with
``__``) win over both. The checked values become the frozen dataclasses below, which the rest
of ensgate uses (and tests ``dataclasses.replace``)."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..diagnostics import ConfigError
from ._settings import Settings, SettingsError, duration, party_model


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyConfig:
    """A party ensgate adds to every filing (declarant, representative, carrier)."""

    name: str
    eori: str
    street: str | None = None
    number: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = None
    subdivision: str | None = None
    phone: str | None = None
    email: str | None = None
    status: str | None = None  # representative status, CL094


@dataclass(frozen=True, slots=True, kw_only=True)
class FilingPolicy:
    """When a shipment that is still missing data files, and with what (``filing_policy:``).

    - ``house_wait``: houses whose master FWB has not come wait this long after their first
      message, then the partial filing ``filings.house`` (F23/F24/F26) goes out; None: wait
      for the FWB forever.
    - ``consolidation_wait``: a master FWB that declares a consolidation (a goods description
      in ``consolidation_markers``) but has no FHL/FZB yet waits this long, then files
      ``consolidation_partial`` (F21 or F22) for the master alone; None: wait for the houses.
    - ``consolidation_markers``: goods-description phrases that mark a consolidation's FWB
      [I: the usual wordings seen in FWBs; no standard lists them].
    Complete filings (``filings.direct``, ``filings.consolidation``) go out as soon as the data
    is complete, which includes the flight's estimated departure and arrival (an FFM, or a
    schedule source)."""

    house_wait: float | None = 3600.0
    consolidation_wait: float | None = None
    consolidation_partial: str = "F21"
    consolidation_markers: tuple[str, ...] = ("CONSOLIDATION", "CONSOLIDATED", "CONSOL",
                                             "AS PER ATTACHED")


@dataclass(frozen=True, slots=True, kw_only=True)
class FillPolicy:
    """What to do with facts real feeds leave out (``fill_policy:``; docs/configuration.md).

    - ``no_house_number``: a party address with a street but no house number and no P.O. box
      (``CHEONG TAT ROAD``). ``report`` (default): nothing is invented, R3002 reports it;
      ``placeholder``: ``house_number_placeholder`` is written as the number, with a MAP013
      warning. DG TAXUD's "Address Processing Guidance" (v1.0, 2020) has a section on such
      addresses whose text could not be read, so no value is built in [I].
    - ``method_of_payment``: CL116 code used when a message gives none and no FWB of the same
      AWB does (EDIFACT CUSCARs without CPI), with a MAP013 warning; None: MAP003.
    - ``natural_person_rule``: guess typeOfPerson 1 (natural person) for a consignee whose
      name has no company marker and reads as a personal name, in the feeds listed in
      ``natural_person_feeds`` (express / B2C senders, by AWB prefix or ``*``) [I]."""

    no_house_number: str = "report"
    house_number_placeholder: str | None = None
    method_of_payment: str | None = None
    natural_person_rule: bool = False
    natural_person_feeds: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class SinkConfig:
    """Where state changes go (``sinks:``, delivered by ``ensgate.sinks``): a JSON-lines
    file (``kind`` jsonl, ``path``) or a webhook (``kind`` webhook, ``url``: one HTTP POST
    per event, ``timeout`` seconds each, ``retries`` more attempts ``backoff`` seconds apart,
    doubling up to ``max_backoff``; ``headers`` sent with each, values ``${NAME}`` read from
    the environment; ``ca`` a CA bundle for https)."""

    name: str
    kind: str
    path: str | None = None
    url: str | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    headers: Mapping[str, str] = field(default_factory=dict)
    ca: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceDataConfig:
    """The operator's reference data files (``reference_data:``; ``docs/reference-data.md``):
    flight schedules (SSIM Chapter 7 or CSV), party master data (CSV or YAML) and the customs
    offices of first entry by airport (CSV or YAML). Paths are absolute here (a relative path
    in a file is relative to that file's folder)."""

    schedules: tuple[Path, ...] = ()
    parties: tuple[Path, ...] = ()
    customs_offices: Path | None = None

    @property
    def configured(self) -> bool:
        return bool(self.schedules or self.parties or self.customs_offices)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnsgateConfig:
    declarant: PartyConfig
    representative: PartyConfig | None = None
    addressed_member_state: str | None = None
    lrn_prefix: str = "EG"
    lrn_scheme: str = "{prefix}{filing}{doc}"
    carriers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    customs_offices: Mapping[str, str] = field(default_factory=dict)
    filings: Mapping[str, str] = field(default_factory=dict)
    store: str | None = None  # SQLAlchemy URL of the shipment store (sqlite:///..., postgresql+psycopg://...)
    filing_policy: FilingPolicy = field(default_factory=FilingPolicy)
    postcode_optional_countries: frozenset[str] = frozenset()
    max_input_bytes: int = 1 << 30
    supplementary_declarant: str | None = None  # EORI lodging the house data of IE3F21 filings
    arrival_notifier: PartyConfig | None = None  # person notifying the arrival (IE3N06)
    # EORI of the access point operator (the AS4 sender party, ICD 4.2.2.1: the system actor,
    # an ITSP or the trader); None = the EORI the seal certificate names
    access_point_eori: str | None = None
    deadline_at_risk: float | None = None  # deadlines.at_risk seconds (None: the rules')
    sinks: tuple[SinkConfig, ...] = ()  # where state changes go (ensgate.sinks)
    fill_policy: FillPolicy = field(default_factory=FillPolicy)
    reference_data: ReferenceDataConfig = field(default_factory=lambda: ReferenceDataConfig())
    source: str = "<defaults>"

    def carrier_for(self, awb_prefix: str) -> PartyConfig | None:
        raw = self.carriers.get(awb_prefix) or self.carriers.get("*")
        if raw is None:
            return None
        return _party({k: str(v).replace("{prefix}", awb_prefix) for k, v in raw.items()},
                      f"carriers.{awb_prefix}")

    def customs_office_for(self, airport: str, country: str, *,
                           wildcard: bool = True) -> str | None:
        raw = self.customs_offices.get(airport) or (
            self.customs_offices.get("*") if wildcard else None)
        return None if raw is None else raw.replace("{country}", country)



def _party(raw: Any, where: str) -> PartyConfig:
    try:
        return PartyConfig(**party_model(raw, where))
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None


def _duration(raw: Any, where: str) -> float | None:
    """``90``, ``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` -> seconds; null -> None."""
    try:
        return duration(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _fill_policy(raw: Any) -> FillPolicy:
    if raw is None:
        return FillPolicy()
    if not isinstance(raw, Mapping):
        raise ConfigError("fill_policy: expected a mapping")
    known = {"no_house_number", "house_number_placeholder", "method_of_payment",
             "natural_person_rule", "natural_person_feeds"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"fill_policy: unknown key(s) {', '.join(unknown)}")
    mode = str(raw.get("no_house_number") or "report")
    placeholder = raw.get("house_number_placeholder")
    if mode not in ("report", "placeholder"):
        raise ConfigError(f"fill_policy.no_house_number: {mode!r} is not report or placeholder")
    if mode == "placeholder" and not placeholder:
        raise ConfigError("fill_policy.no_house_number is placeholder but "
                          "house_number_placeholder is not set")
    payment = raw.get("method_of_payment")
    feeds = raw.get("natural_person_feeds") or ()
    return FillPolicy(
        no_house_number=mode,
        house_number_placeholder=None if not placeholder else str(placeholder),
        method_of_payment=None if not payment else str(payment),
        natural_person_rule=str(raw.get("natural_person_rule", False)).lower()
        in ("1", "true", "yes"),
        natural_person_feeds=frozenset(str(f) for f in (
            [feeds] if isinstance(feeds, str) else feeds)))


def _deadlines(raw: Any) -> float | None:
    """``deadlines: {at_risk: 2h}``: the window before a filing's due time in which
    ``ensgate report`` lists it as at risk (the rules themselves are ensgate.deadlines')."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ConfigError("deadlines: expected a mapping (at_risk)")
    unknown = sorted(set(raw) - {"at_risk"})
    if unknown:
        raise ConfigError(f"deadlines: unknown key(s) {', '.join(unknown)}")
    return _duration(raw.get("at_risk"), "deadlines.at_risk")


_SINK_KEYS = {"jsonl": {"name", "kind", "path"},
              "webhook": {"name", "kind", "url", "timeout", "retries", "backoff",
                          "max_backoff", "headers", "ca", "allow_http"}}
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_ENV_VALUE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def _sinks(raw: Any, environ: Mapping[str, str]) -> tuple[SinkConfig, ...]:
    """``sinks:``: a list of JSON-lines files and webhooks (docs/configuration.md)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("sinks: expected a list of sinks (kind: jsonl | webhook)")
    out: list[SinkConfig] = []
    for n, item in enumerate(raw):
        where = f"sinks[{n}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{where}: expected a mapping")
        kind = str(item.get("kind", ""))
        if kind not in _SINK_KEYS:
            raise ConfigError(f"{where}: kind must be jsonl or webhook, not {kind!r}")
        unknown = sorted(set(item) - _SINK_KEYS[kind])
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        name = str(item.get("name") or f"{kind}-{n + 1}")
        if any(s.name == name for s in out) or len(name) > 100:
            raise ConfigError(f"{where}: name {name!r} is used twice or too long")
        target = "path" if kind == "jsonl" else "url"
        if not item.get(target):
            raise ConfigError(f"{where}: {kind} needs {target}")
        url = str(item.get("url") or "")
        if kind == "webhook" and not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: url must be http:// or https://")
        host = urlsplit(url).hostname or ""
        if url.startswith("http://") and host not in _LOOPBACK and not item.get(
                "allow_http"):
            raise ConfigError(f"{where}: {url} is plain HTTP to another host: events carry "
                              "MRNs and AWBs; use https:// (or set allow_http: true)")
        headers: dict[str, str] = {}
        for k, v in (item.get("headers") or {}).items():
            m = _ENV_VALUE.match(str(v))
            if m is not None and m.group(1) not in environ:
                raise ConfigError(f"{where}: header {k} names ${{{m.group(1)}}}, not set")
            headers[str(k)] = environ[m.group(1)] if m is not None else str(v)
        default = SinkConfig(name="", kind="")
        out.append(SinkConfig(
            name=name, kind=kind, path=None if kind != "jsonl" else str(item["path"]),
            url=url or None,
            timeout=_duration(item.get("timeout", default.timeout), f"{where}.timeout")
            or default.timeout,
            retries=int(item.get("retries", default.retries)),
            backoff=_duration(item.get("backoff", default.backoff), f"{where}.backoff")
            or 0.0,
            max_backoff=_duration(item.get("max_backoff", default.max_backoff),
                                  f"{where}.max_backoff") or default.max_backoff,
            headers=headers, ca=None if not item.get("ca") else str(item["ca"])))
    return tuple(out)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge(dict(out[k]), v)
        else:
            out[k] = v
    return out


@cache
def _embedded_defaults() -> dict[str, Any]:
    """The packaged ``default.yaml``, read and parsed once per process (every batch without an
    explicit configuration asks for it; callers get a deep copy to merge into)."""
    text = resources.files("ensgate.config").joinpath("default.yaml").read_text("utf-8")
    parsed: dict[str, Any] = yaml.safe_load(text)
    return parsed


def _read_file(path: str | Path) -> dict[str, Any]:
    try:
        extra = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {path} is not valid YAML: {exc}") from None
    if not isinstance(extra, Mapping):
        raise ConfigError(f"config {path}: expected a mapping at the top")
    return dict(extra)


def _paths(raw: Any, base: Path) -> tuple[Path, ...]:
    items = [raw] if isinstance(raw, str | Path) else list(raw or ())
    out = []
    for item in items:
        p = Path(str(item)).expanduser()
        out.append(p if p.is_absolute() else (base / p))
    return tuple(out)


def load_config(path: str | Path | None = None, *,
                environ: Mapping[str, str] | None = None) -> EnsgateConfig:
    """Embedded defaults, then the file at ``path``, then ``ENSGATE__...`` variables."""
    raw = copy.deepcopy(_embedded_defaults())
    source = "<defaults>"
    if path is not None:
        extra = _read_file(path)
        ref_raw = extra.get("reference_data")
        if isinstance(ref_raw, Mapping):  # a file's paths are relative to its folder
            base = Path(path).resolve().parent
            extra["reference_data"] = {
                k: ([str(p) for p in _paths(v, base)] if k in ("schedules", "parties")
                    else str(_paths(v, base)[0]) if k == "customs_offices" and v else v)
                for k, v in ref_raw.items()}
        raw = _merge(raw, extra)
        source = str(path)
    try:
        settings = Settings.load(raw, os.environ if environ is None else environ)
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None
    if settings.ledger:
        raise ConfigError(
            f"ledger: {settings.ledger!r}: the SQLite ledger was replaced by the shipment store; "
            "set store: to a database URL instead (e.g. store: sqlite:///ensgate.db, or "
            "ENSGATE__STORE=...). The old ledger file is not read: its LRNs are not carried "
            "over")
    ref = settings.reference_data
    here = Path.cwd()  # paths from the environment are relative to the current folder
    offices = _paths(ref.customs_offices, here)
    fp = settings.filing_policy
    try:
        return EnsgateConfig(
            declarant=PartyConfig(**settings.declarant.model_dump()),
            representative=None if settings.representative is None
            else PartyConfig(**settings.representative.model_dump()),
            addressed_member_state=settings.addressed_member_state,
            lrn_prefix=settings.lrn.prefix,
            lrn_scheme=settings.lrn.scheme,
            carriers={k: dict(v) for k, v in settings.carriers.items()},
            customs_offices=dict(settings.customs_offices),
            filings=dict(settings.filings),
            store=settings.store or None,
            filing_policy=FilingPolicy(
                house_wait=fp.house_wait, consolidation_wait=fp.consolidation_wait,
                consolidation_partial=fp.consolidation_partial,
                consolidation_markers=fp.consolidation_markers),
            postcode_optional_countries=frozenset(settings.postcode_optional_countries),
            max_input_bytes=settings.max_input_bytes,
            supplementary_declarant=settings.supplementary_declarant or None,
            arrival_notifier=None if settings.arrival_notifier is None
            else PartyConfig(**settings.arrival_notifier.model_dump()),
            access_point_eori=settings.access_point_eori or None,
            fill_policy=_fill_policy(settings.fill_policy),
            deadline_at_risk=_deadlines(settings.deadlines),
            sinks=_sinks(settings.sinks, os.environ if environ is None else environ),
            reference_data=ReferenceDataConfig(
                schedules=_paths(ref.schedules, here),
                parties=_paths(ref.parties, here),
                customs_offices=offices[0] if offices else None),
            source=source,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"configuration is not valid: {exc}") from None
