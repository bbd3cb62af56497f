"""The configuration's schema, checked by pydantic-settings.

``Settings.load(merged, environ)`` takes the embedded defaults with the site file merged over
them (a plain mapping, given as the initial values) and the environment (``ENSGATE__`` +
``SECTION__KEY``, nested with ``__``, deep-merged over the initial values by pydantic-settings),
checks every key (unknown keys are refused, so a typo in ``site.yaml`` is an error rather than
a silently ignored setting) and returns frozen models. Errors come back as one
``SettingsError`` naming each bad key by its dotted path.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError

__all__ = ["Settings", "SettingsError", "duration", "party_model"]


class SettingsError(ValueError):
    """The configuration does not fit its schema (the message names each bad key)."""


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(raw: Any) -> float | None:
    """``90``, ``"90s"``, ``"30m"``, ``"1h"``, ``"2d"`` -> seconds; null -> None."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("null", "none", "")):
        return None
    m = _DURATION.match(str(raw))
    if m is None:
        raise ValueError(f"{raw!r} is not a duration (e.g. 90s, 30m, 1h, 2d or null)")
    return float(m.group(1)) * _UNIT[m.group(2)]


Duration = Annotated[float | None, BeforeValidator(duration)]


def _text(raw: Any) -> Any:
    """YAML gives numbers for ``number: 555`` or ``postcode: 60549``: they are text here."""
    return str(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else raw


Text = Annotated[str, BeforeValidator(_text)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyModel(_Frozen):
    name: Text
    eori: Text
    street: Text | None = None
    number: Text | None = None
    city: Text | None = None
    postcode: Text | None = None
    country: Text | None = None
    subdivision: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    status: Text | None = None  # representative status, CL094

    @field_validator("name", "eori")
    @classmethod
    def _required(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v


class LrnModel(_Frozen):
    prefix: Text = "EG"
    scheme: Text = "{prefix}{filing}{doc}"


class FilingPolicyModel(_Frozen):
    house_wait: Duration = 3600.0
    consolidation_wait: Duration = None
    consolidation_partial: str = "F21"
    consolidation_markers: tuple[str, ...] = ("CONSOLIDATION", "CONSOLIDATED", "CONSOL",
                                             "AS PER ATTACHED")

    @field_validator("consolidation_partial", mode="before")
    @classmethod
    def _partial(cls, v: Any) -> str:
        code = str(v).upper().removeprefix("IE3")
        if code not in ("F21", "F22"):
            raise ValueError(f"{v!r} is not F21 or F22")
        return code

    @field_validator("consolidation_markers")
    @classmethod
    def _markers(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(" ".join(m.upper().split()) for m in v if m.strip())


def _paths(raw: Any) -> Any:
    """One path or a list of paths (``schedules: a.ssim`` or ``schedules: [a.ssim, b.csv]``;
    from the environment a path or a JSON list)."""
    if isinstance(raw, str):
        return json.loads(raw) if raw.lstrip().startswith("[") else [raw]
    return raw


Paths = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_paths)]


class ReferenceDataModel(_Frozen):
    schedules: Paths = ()
    parties: Paths = ()
    customs_offices: str | None = None


def _keys_upper(raw: Any) -> Any:
    """Airport codes and AWB prefixes as keys: environment names come lower-cased."""
    if isinstance(raw, Mapping):
        return {str(k).upper(): v for k, v in raw.items()}
    return raw


class Settings(BaseSettings):
    """The whole configuration (``docs/configuration.md``)."""

    model_config = SettingsConfigDict(env_prefix="ENSGATE__", env_nested_delimiter="__",
                                      case_sensitive=False, extra="forbid", frozen=True)

    declarant: PartyModel
    representative: PartyModel | None = None
    supplementary_declarant: Text | None = None
    arrival_notifier: PartyModel | None = None
    access_point_eori: Text | None = None  # the AS4 sender party (None: the seal's EORI)
    addressed_member_state: Text | None = None
    lrn: LrnModel = LrnModel()
    carriers: Annotated[dict[str, dict[str, Text]], BeforeValidator(_keys_upper)] = {}
    customs_offices: Annotated[dict[str, Text], BeforeValidator(_keys_upper)] = {}
    filings: dict[str, Text] = {}
    store: Text | None = None
    filing_policy: FilingPolicyModel = FilingPolicyModel()
    postcode_optional_countries: tuple[str, ...] = ()
    max_input_bytes: int = 1 << 30
    reference_data: ReferenceDataModel = ReferenceDataModel()
    fill_policy: Any = None  # checked by load_config (_fill_policy): facts feeds leave out
    deadlines: Any = None  # checked by load_config (_deadlines): {at_risk: duration}
    sinks: Any = None  # checked by load_config (_sinks): JSON-lines files and webhooks
    ledger: Any = None  # removed (the store replaced it): refused with a message by load_config

    @classmethod
    def load(cls, merged: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
        """Check ``merged`` (defaults + file) with ``environ``'s ``ENSGATE__`` variables over
        it. The environment is the mapping given (``os.environ`` or a test's own)."""
        with _LOCK:  # the environment source reads _ENVIRON while the model is built
            _ENVIRON.clear()
            _ENVIRON.update(environ)
            try:
                return cls(**merged)
            except ValidationError as exc:
                raise SettingsError(_explain(exc)) from None
            except SourceError as exc:  # a variable pydantic-settings cannot decode (JSON)
                raise SettingsError(f"configuration is not valid: {exc}") from None
            finally:
                _ENVIRON.clear()

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # environment first (wins), then the merged file; no .env file, no secrets folder
        return (_GivenEnvironment(settings_cls), init_settings)


_ENVIRON: dict[str, str] = {}
_LOCK = threading.Lock()


class _GivenEnvironment(EnvSettingsSource):
    """pydantic-settings' environment source over the mapping ``Settings.load`` was given
    (``load_config(environ=...)``) instead of the process environment."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        if self.case_sensitive:  # pragma: no cover - the settings are case-insensitive
            return dict(_ENVIRON)
        return {k.lower(): v for k, v in _ENVIRON.items()}


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "configuration"
        kind = err["type"]
        if kind == "extra_forbidden":
            parts.append(f"{where}: unknown key")
        elif kind == "missing":
            parts.append(f"{where}: required")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{where}: {msg} (found {err.get('input')!r})")
    return "configuration is not valid: " + "; ".join(parts)


def party_model(raw: Any, where: str) -> dict[str, Any]:
    """A party mapping checked as the configuration checks ``declarant:`` (carriers are
    completed from their ``"*"`` template at use)."""
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{where}: expected a mapping of party fields")
    try:
        return PartyModel(**raw).model_dump()
    except ValidationError as exc:
        raise SettingsError(_explain(exc).replace("configuration is not valid: ",
                                                  f"{where}: ")) from None
