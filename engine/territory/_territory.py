"""The ICS2 territory table (``ics2_territory.yaml``) and the questions asked of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class TerritoryEntry:
    """One country of the table: ISO code, name, ``member`` | ``special`` | ``agreement``,
    and the basis of the row (``[I]`` when it rests on no reference read)."""

    code: str
    name: str
    status: str
    basis: str


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("ensgate.territory").joinpath("ics2_territory.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


@cache
def territory_table() -> dict[str, TerritoryEntry]:
    """The packaged table, read once per process."""
    raw = _raw()
    member_basis = str(raw["member_basis"])
    out: dict[str, TerritoryEntry] = {}
    for code, row in raw["territory"].items():
        status = str(row["status"])
        if status not in ("member", "special", "agreement"):
            raise ValueError(f"ics2_territory.yaml: {code}: unknown status {status!r}")
        out[str(code)] = TerritoryEntry(code=str(code), name=str(row["name"]), status=status,
                                        basis=str(row.get("basis") or member_basis))
    return out


def _codes(*statuses: str) -> frozenset[str]:
    return frozenset(c for c, e in territory_table().items() if e.status in statuses)


EU_MEMBER_STATES: frozenset[str] = _codes("member")
"""The 27 EU Member States (ISO codes; Greece is ``GR``)."""

ICS2_TERRITORY: frozenset[str] = _codes("member", "special", "agreement")
"""Every country whose arrivals ICS2 covers: the Member States, Northern Ireland (``XI``),
Switzerland and Norway. The first airport of a routing in this set is where the goods enter
the ICS2 territory; a shipment whose route touches none of them is not subject to ICS2."""


AIRPORT_COUNTRIES: dict[str, str] = {str(k): str(v) for k, v in
                                     (_raw().get("airport_countries") or {}).items()}
"""Airports whose customs country differs from the airport table's (Northern Ireland: XI)."""


def in_ics2_territory(country: str | None) -> bool:
    """True for a country code in :data:`ICS2_TERRITORY` (case and blanks ignored)."""
    return bool(country) and str(country).strip().upper() in ICS2_TERRITORY
