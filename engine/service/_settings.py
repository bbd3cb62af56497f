"""``ensgate serve`` settings: the ``serve:`` section of the site configuration, each key
also a command-line option (the option wins). Read here, not by ``ensgate.config``: the
batch commands ignore the section."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import ConfigError

_KEYS = {"http", "watch", "broker", "file_every", "pull_every", "sweep_every", "sinks_every",
         "stable_seconds", "max_body", "endpoint", "certs", "party_id", "customs_seal",
         "concurrency", "tls_cert", "tls_key", "tls_client_ca"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeSettings:
    """What one ``ensgate serve`` process runs. Intervals are seconds; an AS4 ``endpoint``
    (with ``certs``) turns filing and pulling on, without it the service only ingests."""

    http: tuple[str, int] | None = None  # (host, port)
    watch: tuple[Path, ...] = ()
    broker: str | None = None
    file_every: float = 30.0
    pull_every: float = 60.0
    sweep_every: float = 60.0
    sinks_every: float = 10.0
    stable_seconds: float = 1.0  # a watched file must keep its size this long
    max_body: int = 16 << 20  # HTTP request bodies larger are refused (413)
    endpoint: str | None = None
    certs: Path | None = None
    party_id: str | None = None
    customs_seal: str | None = None
    concurrency: int = 4
    tls_cert: Path | None = None  # HTTPS for the API (with tls_key)
    tls_key: Path | None = None
    tls_client_ca: Path | None = None  # mutual TLS: clients need a certificate of this CA
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_options(self, *, http: str | None = None, watch: tuple[str, ...] = (),
                     broker: str | None = None) -> ServeSettings:
        """The command line over the file: ``--http``, ``--watch`` (replaces the list),
        ``--broker``."""
        out = self
        if http:
            out = replace(out, http=parse_hostport(http))
        if watch:
            out = replace(out, watch=tuple(Path(w) for w in watch))
        if broker:
            out = replace(out, broker=broker)
        return out


def parse_hostport(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"serve.http: expected HOST:PORT, got {text!r}")
    return (host.strip("[]") or "127.0.0.1", int(port))


def load_settings(path: str | Path | None) -> ServeSettings:
    """The ``serve:`` section of the configuration file (defaults without one)."""
    if path is None:
        return ServeSettings()
    try:
        raw = yaml.safe_load(Path(path).read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    sect = raw.get("serve") or {} if isinstance(raw, Mapping) else {}
    if not isinstance(sect, Mapping):
        raise ConfigError("serve: expected a mapping")
    unknown = sorted(set(sect) - _KEYS)
    if unknown:
        raise ConfigError(f"serve: unknown key(s) {', '.join(unknown)}")
    try:
        base = Path(path).resolve().parent
        watch = sect.get("watch") or ()
        if isinstance(watch, str):
            watch = [watch]
        return ServeSettings(
            http=None if not sect.get("http") else parse_hostport(str(sect["http"])),
            watch=tuple(base / str(w) for w in watch),
            broker=None if not sect.get("broker") else str(sect["broker"]),
            file_every=float(sect.get("file_every", 30.0)),
            pull_every=float(sect.get("pull_every", 60.0)),
            sweep_every=float(sect.get("sweep_every", 60.0)),
            sinks_every=float(sect.get("sinks_every", 10.0)),
            stable_seconds=float(sect.get("stable_seconds", 1.0)),
            max_body=int(sect.get("max_body", 16 << 20)),
            endpoint=None if not sect.get("endpoint") else str(sect["endpoint"]),
            certs=None if not sect.get("certs") else base / str(sect["certs"]),
            party_id=None if not sect.get("party_id") else str(sect["party_id"]),
            customs_seal=None if not sect.get("customs_seal") else str(sect["customs_seal"]),
            concurrency=int(sect.get("concurrency", 4)),
            tls_cert=_path(base, sect.get("tls_cert")),
            tls_key=_path(base, sect.get("tls_key")),
            tls_client_ca=_path(base, sect.get("tls_client_ca")))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"serve: not valid: {exc}") from None


def _path(base: Path, value: Any) -> Path | None:
    return None if not value else base / str(value)
