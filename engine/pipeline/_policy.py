"""When a shipment files, and with what: applicability, completeness and the filing policy.

Every decision here depends only on the shipment's accumulated data, the time its first
message came and the clock, never on how messages were grouped into windows or calls, so a hub
feeding one message at a time gets the filings of one batch. Time-based decisions (a partial
filing after a wait) are re-taken by a *sweep* at ``due_at``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from ..config import EnsgateConfig
from ..mapping._assemble import Shipment
from ..mapping._transforms import TRANSFORMS, Notes
from ..render import normalise_filing_code
from ..territory import AIRPORT_COUNTRIES, ICS2_TERRITORY

FLIGHT_TIMES = "flight times: FFM (or schedule)"
HOUSE_DATA = "house data: FHL/FZB"

# Complete datasets carry the flight's estimated departure and arrival (the active border
# transport means); the PLACI filings (F23/F24/F26, F32) and the partial F22 do not.
NEEDS_FLIGHT_TIMES = frozenset({"IE3F20", "IE3F21", "IE3F27", "IE3F28", "IE3F29"})

Schedule = Callable[[Shipment], tuple[str, str] | None]
"""A schedule source: the (estimated departure, estimated arrival) UTC date-times
(``YYYY-MM-DDThh:mm:ssZ``) of the shipment's flight into the ICS2 territory, or None when it
does not know the flight. None stands for no source (issue 12 brings one); the hook is
:class:`Policy` ``schedule``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """``filing`` set: file it now; else wait (``waiting_for`` says for what, ``due_at`` when
    a sweep should decide again, None when only a message can change it)."""

    filing: str | None = None
    waiting_for: str = ""
    due_at: datetime | None = None
    then: str | None = None  # the filing due once the flight times come


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The filing policy of a run: the configuration's ``filings:`` and ``filing_policy:``,
    a forced filing type (``--filing``) and the schedule hook."""

    config: EnsgateConfig
    forced: str | None = None
    schedule: Schedule | None = None

    def decide(self, ship: Shipment, *, first_at: datetime, now: datetime) -> Decision:
        if self.forced:
            return Decision(filing=self.forced)
        conf = self.config.filing_policy
        listed = listed_only_houses(ship)
        if listed:
            shape = "consolidation" if ship.shape == "consolidation" else "house"
            code = normalise_filing_code(self.config.filings.get(shape, ""))
            if code != "IE3F25":  # the MAWB reference filing needs only the references
                return Decision(waiting_for="house data: FHL for " + ", ".join(listed[:5])
                                + (f" and {len(listed) - 5} more" if len(listed) > 5 else ""))
        if ship.shape == "consolidation":
            return self._complete(ship, "consolidation")
        if ship.shape == "house":
            wait = conf.house_wait
            what = f"master AWB {ship.document_number}: FWB"
            if wait is None:
                return Decision(waiting_for=what)
            due = first_at + timedelta(seconds=wait)
            if now < due:
                return Decision(waiting_for=what, due_at=due)
            return self._filing_for("house", ship)
        if declares_consolidation(ship, conf.consolidation_markers):
            wait = conf.consolidation_wait
            if wait is None:
                return Decision(waiting_for=HOUSE_DATA)
            due = first_at + timedelta(seconds=wait)
            if now < due:
                return Decision(waiting_for=HOUSE_DATA, due_at=due)
            code = normalise_filing_code(conf.consolidation_partial)
            return self._with_flight_times(ship, code)
        return self._complete(ship, "direct")

    def _filing_for(self, shape: str, ship: Shipment) -> Decision:
        code = normalise_filing_code(self.config.filings.get(shape, ""))
        return Decision(filing=code or "")  # "": no filing configured (MAP010 when filed)

    def _complete(self, ship: Shipment, shape: str) -> Decision:
        code = normalise_filing_code(self.config.filings.get(shape, ""))
        return self._with_flight_times(ship, code)

    def _with_flight_times(self, ship: Shipment, code: str | None) -> Decision:
        if code in NEEDS_FLIGHT_TIMES and not has_flight_times(ship):
            if self.schedule is not None:
                found = self.schedule(ship)
                if found is not None:
                    t = ship.data["transport"]
                    t["estimated_departure"], t["estimated_arrival"] = found
                    return Decision(filing=code)
            return Decision(waiting_for=FLIGHT_TIMES, then=code)
        return Decision(filing=code or "")


def listed_only_houses(ship: Shipment) -> list[str]:
    """Houses known only from a check-list FHL (a house reference with no consignor and no
    consignee): a list of the master's houses, not houses to file; their own FHL/FZB brings
    the data. [I] A house without either party is read as such a reference."""
    return [str(h["document_number"]) for h in ship.data["houses"]
            if not h["consignor"]["name"] and not h["consignee"]["name"]]


def has_flight_times(ship: Shipment) -> bool:
    t = ship.data["transport"]
    return bool(t["estimated_departure"]) and bool(t["estimated_arrival"])


@cache
def _marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str] | None:
    if not markers:
        return None
    words = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(markers, key=len,
                                                                            reverse=True))
    return re.compile(rf"(?<![A-Z0-9])(?:{words})(?![A-Z0-9])")


def declares_consolidation(ship: Shipment, markers: tuple[str, ...]) -> bool:
    """True when a master without houses describes its goods as a consolidation
    (``CONSOLIDATION``, ``AS PER ATTACHED LIST`` ...): its houses are still to come."""
    if ship.data["houses"] and ship.shape != "direct":
        return False
    pattern = _marker_pattern(markers)
    if pattern is None:
        return False
    master = ship.data["master"]
    for item in master["goods_items"]:
        text = str(item.get("description") or "").upper()
        if text and pattern.search(text):
            return True
    return False


# -- applicability ---------------------------------------------------------------------------
def _airport_country(code: Any) -> str | None:
    if not code or not str(code).strip():
        return None
    return _country_of(str(code).strip().upper())


@lru_cache(maxsize=4096)
def _country_of(code: str) -> str | None:
    """The customs country of an airport (Northern Ireland's: XI), memoised: every shipment
    asks for the airports of its route."""
    special = AIRPORT_COUNTRIES.get(code)
    if special:
        return special
    with contextlib.suppress(ValueError, KeyError):
        found = TRANSFORMS["airport_country"].func(code, Notes())
        return str(found) if found else None
    return None


def route_of(ship: Shipment) -> dict[str, list[str]]:
    """The airports and countries the shipment's data says it passes through: origin,
    destination, flight legs, places of loading, unloading and delivery, routing countries."""
    d = ship.data
    airports: list[str] = []
    countries: list[str] = []

    def add_place(place: Any) -> None:
        if not isinstance(place, dict):
            return
        if place.get("airport"):
            airports.append(str(place["airport"]).strip().upper())
        if place.get("country"):
            countries.append(str(place["country"]).strip().upper())

    t = d["transport"]
    for k in ("departure_airport", "arrival_airport"):
        if t.get(k):
            airports.append(str(t[k]).strip().upper())
    countries.extend(str(c).strip().upper() for c in t.get("routing_countries") or () if c)
    for consignment in (d["master"], *d["houses"]):
        for k in ("place_of_loading", "place_of_unloading", "place_of_delivery",
                  "place_of_acceptance"):
            add_place(consignment.get(k))
        countries.extend(str(c).strip().upper() for c in consignment.get("routing_countries")
                         or () if c)
    countries.extend(c for c in (_airport_country(a) for a in airports) if c)
    return {"airports": _unique(airports), "countries": _unique(countries)}


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def not_subject_reason(route: dict[str, list[str]]) -> str | None:
    """Why ICS2 does not apply to a shipment with this route, or None when it applies (or when
    the data names no place at all: the shipment is then not set aside on a guess)."""
    countries = route["countries"]
    if not countries:
        return None
    if any(c in ICS2_TERRITORY for c in countries):
        return None
    where = ", ".join(route["airports"]) or "no airport"
    return (f"route does not enter the ICS2 territory (countries {', '.join(countries)}; "
            f"airports {where})")
