"""Due times of ENS filings from their flight's times, by the rules in ``deadlines.yaml``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(raw: Any, where: str = "duration") -> timedelta:
    """``90``, ``"90s"``, ``"30m"``, ``"-4h"``, ``"2d"`` -> timedelta (ValueError if not)."""
    m = _DURATION.match(str(raw))
    if m is None:
        raise ValueError(f"{where}: {raw!r} is not a duration (e.g. 90s, 30m, -4h, 2d)")
    return timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2)])


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineRule:
    """Filings of ``filings`` are due at the flight's ``anchor`` (departure | arrival) plus
    ``offset``; when ``flight_under`` is set, only for flights shorter than it."""

    name: str
    filings: frozenset[str]
    anchor: str
    offset: timedelta
    flight_under: timedelta | None
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadlines:
    rules: tuple[DeadlineRule, ...]
    at_risk: timedelta  # default window before the due time in which a filing is at risk


@dataclass(frozen=True, slots=True, kw_only=True)
class Due:
    """When a filing is due, by which rule."""

    at: datetime
    rule: str
    basis: str


def _rule(raw: Mapping[str, Any], n: int) -> DeadlineRule:
    where = f"deadlines rule {n + 1}"
    anchor = str(raw.get("from", ""))
    if anchor not in ("departure", "arrival"):
        raise ValueError(f"{where}: from must be departure or arrival, not {anchor!r}")
    under = raw.get("flight_under")
    return DeadlineRule(
        name=str(raw.get("name") or f"rule {n + 1}"),
        filings=frozenset(str(f).upper() for f in raw["filings"]),
        anchor=anchor, offset=parse_duration(raw.get("offset", 0), f"{where} offset"),
        flight_under=None if under is None else parse_duration(under, f"{where} flight_under"),
        basis=str(raw.get("basis", "")))


def parse_deadlines(raw: Mapping[str, Any]) -> Deadlines:
    return Deadlines(rules=tuple(_rule(r, n) for n, r in enumerate(raw["rules"])),
                     at_risk=parse_duration(raw.get("at_risk", "2h"), "at_risk"))


@cache
def default_deadlines() -> Deadlines:
    """The packaged rules (``ensgate/deadlines/deadlines.yaml``)."""
    text = resources.files("ensgate.deadlines").joinpath("deadlines.yaml").read_text("utf-8")
    return parse_deadlines(yaml.safe_load(text))


def parse_time(value: Any) -> datetime | None:
    """A dataset date-time (``YYYY-MM-DDThh:mm:ssZ``, or with an offset) as aware UTC; None
    for an empty or unreadable value."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value or "").strip()
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def due_for(filing: str, transport: Mapping[str, Any],
            deadlines: Deadlines | None = None) -> Due | None:
    """The due time of a ``filing`` (IE3F20 or F20) whose flight is ``transport`` (the
    dataset's transport: estimated_departure, estimated_arrival); None when no rule names the
    type or the times the rule needs are missing."""
    rules = deadlines or default_deadlines()
    code = filing.upper()
    code = code if code.startswith("IE3") else "IE3" + code
    departure = parse_time(transport.get("estimated_departure"))
    arrival = parse_time(transport.get("estimated_arrival"))
    for rule in rules.rules:
        if code not in rule.filings:
            continue
        if rule.flight_under is not None:
            if departure is None or arrival is None:
                return None  # the flight's length decides: unknown without both times
            if arrival - departure >= rule.flight_under:
                continue
        anchor = departure if rule.anchor == "departure" else arrival
        if anchor is None:
            return None
        return Due(at=anchor + rule.offset, rule=rule.name, basis=rule.basis)
    return None


def urgency(due_at: datetime | None, now: datetime, at_risk: timedelta) -> str | None:
    """``late`` past the due time, ``at-risk`` within ``at_risk`` of it, else None."""
    if due_at is None:
        return None
    if now >= due_at:
        return "late"
    if now >= due_at - at_risk:
        return "at-risk"
    return None
