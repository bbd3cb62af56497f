"""Loading and checking the site configuration."""

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

_PARTY_KEYS = ("name", "eori", "street", "number", "city", "postcode", "country", "phone",
               "email", "status", "subdivision")


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
    # EORI of the access point operator (the AS4 sender party, ICD 4.2.2.1: the system actor,
    # an ITSP or the trader); None = the EORI the seal certificate names
    access_point_eori: str | None = None
    store: str | None = None  # SQLAlchemy URL of the shipment store (sqlite:///..., postgresql+psycopg://...)
    filing_policy: FilingPolicy = field(default_factory=FilingPolicy)
    postcode_optional_countries: frozenset[str] = frozenset()
    max_input_bytes: int = 1 << 30
    supplementary_declarant: str | None = None  # EORI lodging the house data of IE3F21 filings
    arrival_notifier: PartyConfig | None = None  # person notifying the arrival (IE3N06)
    deadline_at_risk: float | None = None  # deadlines.at_risk seconds (None: the rules')
    sinks: tuple[SinkConfig, ...] = ()  # where state changes go (ensgate.sinks)
    fill_policy: FillPolicy = field(default_factory=FillPolicy)
    source: str = "<defaults>"

    def carrier_for(self, awb_prefix: str) -> PartyConfig | None:
        raw = self.carriers.get(awb_prefix) or self.carriers.get("*")
        if raw is None:
            return None
        return _party({k: str(v).replace("{prefix}", awb_prefix) for k, v in raw.items()},
                      f"carriers.{awb_prefix}")

    def customs_office_for(self, airport: str, country: str) -> str | None:
        raw = self.customs_offices.get(airport) or self.customs_offices.get("*")
        return None if raw is None else raw.replace("{country}", country)


def _party(raw: Any, where: str) -> PartyConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping of {', '.join(_PARTY_KEYS)}")
    unknown = sorted(set(raw) - set(_PARTY_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if not raw.get("name") or not raw.get("eori"):
        raise ConfigError(f"{where}: name and eori are required")
    values: dict[str, Any] = {k: (None if v is None else str(v)) for k, v in raw.items()}
    return PartyConfig(**values)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(raw: Any, where: str) -> float | None:
    """``90``, ``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` -> seconds; null -> None."""
    if raw is None:
        return None
    m = _DURATION.match(str(raw))
    if m is None:
        raise ConfigError(f"{where}: {raw!r} is not a duration (e.g. 90s, 30m, 1h, 2d or null)")
    return float(m.group(1)) * _UNIT[m.group(2)]


def _filing_policy(raw: Any) -> FilingPolicy:
    if raw is None:
        return FilingPolicy()
    if not isinstance(raw, Mapping):
        raise ConfigError("filing_policy: expected a mapping")
    known = {"house_wait", "consolidation_wait", "consolidation_partial",
             "consolidation_markers"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"filing_policy: unknown key(s) {', '.join(unknown)}")
    default = FilingPolicy()
    partial = str(raw.get("consolidation_partial", default.consolidation_partial)).upper()
    if partial.removeprefix("IE3") not in ("F21", "F22"):
        raise ConfigError(f"filing_policy.consolidation_partial: {partial!r} is not F21 or F22")
    markers = raw.get("consolidation_markers", default.consolidation_markers)
    if not isinstance(markers, list | tuple) or not all(isinstance(m, str) for m in markers):
        raise ConfigError("filing_policy.consolidation_markers: expected a list of phrases")
    return FilingPolicy(
        house_wait=_duration(raw.get("house_wait", default.house_wait), "filing_policy.house_wait"),
        consolidation_wait=_duration(raw.get("consolidation_wait", default.consolidation_wait),
                                     "filing_policy.consolidation_wait"),
        consolidation_partial=partial.removeprefix("IE3"),
        consolidation_markers=tuple(" ".join(m.upper().split()) for m in markers if m.strip()))


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


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith("ENSGATE__"):
            continue
        keys = [k.lower() for k in name[len("ENSGATE__"):].split("__") if k]
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if keys:
            node[keys[-1]] = value
    return out


@cache
def _embedded_defaults() -> dict[str, Any]:
    """The packaged ``default.yaml``, read and parsed once per process (every batch without an
    explicit configuration asks for it; callers get a deep copy to merge into)."""
    text = resources.files("ensgate.config").joinpath("default.yaml").read_text("utf-8")
    parsed: dict[str, Any] = yaml.safe_load(text)
    return parsed


def load_config(path: str | Path | None = None, *,
                environ: Mapping[str, str] | None = None) -> EnsgateConfig:
    """Embedded defaults, then the file at ``path``, then ``ENSGATE__...`` variables."""
    raw = copy.deepcopy(_embedded_defaults())
    source = "<defaults>"
    if path is not None:
        try:
            extra = yaml.safe_load(Path(path).read_text("utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"config {path} is not valid YAML: {exc}") from None
        if not isinstance(extra, Mapping):
            raise ConfigError(f"config {path}: expected a mapping at the top")
        raw = _merge(raw, extra)
        source = str(path)
    raw = _merge(raw, _env_overrides(os.environ if environ is None else environ))
    lrn = raw.get("lrn") or {}
    rep = raw.get("representative")
    notifier = raw.get("arrival_notifier")
    supplementary = raw.get("supplementary_declarant")
    if raw.get("ledger"):
        raise ConfigError(
            f"ledger: {raw['ledger']!r}: the SQLite ledger was replaced by the shipment store; "
            "set store: to a database URL instead (e.g. store: sqlite:///ensgate.db, or "
            "ENSGATE__STORE=...). The old ledger file is not read: its LRNs are not carried "
            "over")
    store = raw.get("store")
    try:
        return EnsgateConfig(
            declarant=_party(raw.get("declarant"), "declarant"),
            representative=None if not rep else _party(rep, "representative"),
            addressed_member_state=raw.get("addressed_member_state"),
            lrn_prefix=str(lrn.get("prefix", "EG")),
            lrn_scheme=str(lrn.get("scheme", "{prefix}{filing}{doc}")),
            carriers=dict(raw.get("carriers") or {}),
            customs_offices={str(k): str(v) for k, v in (raw.get("customs_offices") or {}).items()},
            filings={str(k): str(v) for k, v in (raw.get("filings") or {}).items()},
            store=None if not store else str(store),
            access_point_eori=None if not raw.get("access_point_eori")
            else str(raw["access_point_eori"]),
            filing_policy=_filing_policy(raw.get("filing_policy")),
            postcode_optional_countries=frozenset(raw.get("postcode_optional_countries") or ()),
            max_input_bytes=int(raw.get("max_input_bytes", 1 << 30)),
            supplementary_declarant=None if not supplementary else str(supplementary),
            arrival_notifier=None if not notifier else _party(notifier, "arrival_notifier"),
            deadline_at_risk=_deadlines(raw.get("deadlines")),
            sinks=_sinks(raw.get("sinks"), os.environ if environ is None else environ),
            fill_policy=_fill_policy(raw.get("fill_policy")),
            source=source,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"configuration is not valid: {exc}") from None
