"""Flight schedules: IATA SSIM Chapter 7 flight leg records, or a plain CSV of dated flights.

SSIM Chapter 7 ("Standard Schedules Data Set") is a file of 200-byte records; record type 2
(carrier) gives the time mode (``U`` UTC or ``L`` local) in column 2, record type 3 (flight
leg) one leg of a flight over a period of operation. The type 3 columns used here (1-based,
inclusive), from the field reference of SSIM Chapter 7 section 7.5.3 as published at
https://iata-ssim.skhr.vg/sds/field-reference (checked against the March 2011 / 2012 editions,
it says) and the layout of the open-source parser Schiphol-Hub/ssim (``ssim/regxes.yml``):

    1 record type "3"         2 operational suffix        3-5 airline designator
    6-9 flight number         10-11 itinerary variation   12-13 leg sequence number
    14 service type           15-21 period of operation from (DDMMMYY)
    22-28 period to           29-35 days of operation (1 = Monday ... 7, blank = not)
    36 frequency rate (blank weekly, 2 every second week: counted from the first week of
       the period [I])
    37-39 departure station   44-47 aircraft STD (HHMM)    48-52 UTC/local variation (+HHMM)
    55-57 arrival station     58-61 aircraft STA (HHMM)    66-70 UTC/local variation (+HHMM)
    193 departure date variation, 194 arrival date variation (0-9 days later, A = day before)

Reading of the dates [I: our reading of the layout; the IATA manual itself was not at hand]:
the period and days of operation are those of the flight's date (the departure date of its
first leg); a leg departs on that date plus its departure date variation and arrives on it
plus its arrival date variation. In time mode ``L`` times and dates are local at each station
and the variation converts them to UTC (UTC = local - variation); in mode ``U`` they are UTC.
A period end of ``00XXX00`` is read as open-ended [I]. Legs of one flight that follow each
other in the file (same airline, number, suffix, itinerary variation, rising leg sequence)
also give their through journeys: ICN-DXB-FRA answers ICN-FRA.

The CSV (header ``flight,origin,destination,departure,arrival``) lists dated flights with
ISO 8601 date-times carrying their UTC offset (``2026-11-18T13:10+09:00``).

Lookups are by flight, departure station, arrival station and the local date of departure at
the departure station (the day an FWB's FLT line gives): dated rows in a dict keyed by all
four, SSIM periods in a dict keyed by the first three (a handful of periods per flight and
route in a season): O(1) in the size of the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ._files import RowRef, csv_rows

_FLIGHT = re.compile(r"^([A-Z0-9]{2}[A-Z]?)\s*0*(\d{1,4})([A-Z]?)$")
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
                                       "SEP", "OCT", "NOV", "DEC"), start=1)}


def flight_key(text: str) -> str | None:
    """``KE0933``, ``KE 933``, ``ke933`` -> ``KE933`` (designator, number without leading
    zeros, operational suffix); None when it is not a flight designator."""
    m = _FLIGHT.match(" ".join(str(text).upper().split()))
    if m is None:
        return None
    return f"{m.group(1)}{int(m.group(2))}{m.group(3)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledFlight(RowRef):
    """The answer of a lookup: UTC departure and arrival, and the row they come from."""

    flight: str
    origin: str
    destination: str
    departure: datetime  # aware, UTC
    arrival: datetime  # aware, UTC


@dataclass(frozen=True, slots=True, kw_only=True)
class _Period:
    """One SSIM leg (or a through journey over consecutive legs) over a period."""

    first: date
    last: date | None  # None: open-ended
    days: frozenset[int]  # ISO weekdays 1..7
    dep_minutes: int  # STD of the first leg, minutes after midnight
    dep_offset: int  # minutes (local = UTC + offset)
    dep_shift: int  # departure date variation (days)
    arr_minutes: int
    arr_offset: int
    arr_shift: int
    utc_mode: bool
    line: int
    raw: str
    fortnightly: bool = False

    def times_on(self, local_day: date) -> tuple[datetime, datetime] | None:
        """UTC departure and arrival of the flight leaving on ``local_day`` (local date at
        the departure station), or None when it does not operate then."""
        for flight_day in self._flight_days(local_day):
            if flight_day < self.first or (self.last is not None and flight_day > self.last):
                continue
            if flight_day.isoweekday() not in self.days:
                continue
            if self.fortnightly and (flight_day - self.first).days // 7 % 2:
                continue  # every second week, counted from the period's first week [I]
            dep = self._utc(flight_day, self.dep_shift, self.dep_minutes, self.dep_offset)
            if (dep + timedelta(minutes=self.dep_offset)).date() != local_day:
                continue
            arr = self._utc(flight_day, self.arr_shift, self.arr_minutes, self.arr_offset)
            return dep, arr
        return None

    def _flight_days(self, local_day: date) -> Iterator[date]:
        base = local_day - timedelta(days=self.dep_shift)
        if not self.utc_mode:
            yield base
        else:  # the UTC flight date may be the day before or after the local one
            yield from (base, base - timedelta(days=1), base + timedelta(days=1))

    def _utc(self, flight_day: date, shift: int, minutes: int, offset: int) -> datetime:
        at = datetime(flight_day.year, flight_day.month, flight_day.day, tzinfo=UTC) + \
            timedelta(days=shift, minutes=minutes)
        return at if self.utc_mode else at - timedelta(minutes=offset)


@dataclass(slots=True)
class ScheduleIndex:
    """Every schedule file's rows, indexed for O(1) lookups (built at load)."""

    dated: dict[tuple[str, str, str, date], ScheduledFlight] = field(default_factory=dict)
    periods: dict[tuple[str, str, str], list[tuple[str, _Period]]] = field(
        default_factory=dict)
    rows: int = 0

    def find(self, flight: str, origin: str, destination: str,
             local_day: date) -> ScheduledFlight | None:
        key = flight_key(flight)
        if key is None:
            return None
        o, d = origin.upper(), destination.upper()
        hit = self.dated.get((key, o, d, local_day))
        if hit is not None:
            return hit
        for file, period in self.periods.get((key, o, d), ()):
            times = period.times_on(local_day)
            if times is not None:
                return ScheduledFlight(flight=key, origin=o, destination=d,
                                       departure=times[0], arrival=times[1], file=file,
                                       line=period.line, raw=period.raw)
        return None


# -- SSIM ------------------------------------------------------------------------------------
def looks_like_ssim(first: str) -> bool:
    """A Chapter 7 file opens with its header record (type 1) of about 200 characters."""
    return first[:1] in ("1", "2", "3") and len(first.rstrip("\r\n")) >= 190


def _ssim_date(text: str) -> date | None:
    text = text.strip().upper()
    if text in ("", "00XXX00"):
        return None
    day, mon, yy = int(text[:2]), _MONTHS[text[2:5]], int(text[5:7])
    return date(2000 + yy, mon, day)


def _hhmm(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"time {text!r} is not HHMM")
    hours, minutes = int(text[:2]), int(text[2:])
    if hours > 24 or minutes > 59:
        raise ValueError(f"time {text!r} is not HHMM")
    return hours * 60 + minutes


def _variation(text: str) -> int:
    m = re.fullmatch(r"([+-])(\d{2})(\d{2})", text)
    if m is None:
        raise ValueError(f"UTC/local time variation {text!r} is not +HHMM or -HHMM")
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return minutes if m.group(1) == "+" else -minutes


def _date_shift(ch: str) -> int:
    if ch in (" ", "0", ""):
        return 0
    if ch == "A":
        return -1
    if ch.isdigit():
        return int(ch)
    raise ValueError(f"date variation {ch!r} is not 0-9 or A")


@dataclass(slots=True)
class _Leg:
    flight: str
    variation: str
    seq: int
    origin: str
    destination: str
    period: _Period


def parse_ssim(text: str, file: str, index: ScheduleIndex, problems: list[str]) -> None:
    """Add the flight legs (type 3 records) of an SSIM Chapter 7 file to ``index``; a record
    that cannot be read is skipped and reported in ``problems`` (``file:line: why``)."""
    utc_mode = False
    previous: list[_Leg] = []
    for n, line in enumerate(text.splitlines(), start=1):
        kind = line[:1]
        if kind == "2":
            utc_mode = line[1:2].upper() == "U"
            previous = []
            continue
        if kind != "3":
            continue
        rec = line.ljust(200)
        try:
            flight = flight_key(rec[2:5].strip() + rec[5:9].strip() + rec[1].strip())
            if flight is None:
                raise ValueError(f"flight {rec[2:9]!r} is not a designator and number")
            first = _ssim_date(rec[14:21])
            if first is None:
                raise ValueError("no period of operation start (columns 15-21)")
            days = frozenset(int(c) for c in rec[28:35] if c in "1234567")
            if not days:
                raise ValueError("no days of operation (columns 29-35)")
            period = _Period(
                first=first, last=_ssim_date(rec[21:28]), days=days,
                dep_minutes=_hhmm(rec[43:47]), dep_offset=_variation(rec[47:52]),
                dep_shift=_date_shift(rec[192]), arr_minutes=_hhmm(rec[57:61]),
                arr_offset=_variation(rec[65:70]), arr_shift=_date_shift(rec[193]),
                utc_mode=utc_mode, line=n, raw=line.rstrip(),
                fortnightly=rec[35] == "2")
            leg = _Leg(flight=flight, variation=rec[9:11], seq=int(rec[11:13] or 0),
                       origin=rec[36:39].upper(), destination=rec[54:57].upper(),
                       period=period)
            if not (leg.origin.isalpha() and leg.destination.isalpha()):
                raise ValueError(f"stations {leg.origin!r} / {leg.destination!r} are not "
                                 "IATA codes (columns 37-39, 55-57)")
        except (ValueError, KeyError, IndexError) as exc:
            problems.append(f"{file}:{n}: SSIM flight leg record not read: {exc}")
            previous = []
            continue
        index.rows += 1
        _add(index, file, leg.flight, leg.origin, leg.destination, period)
        if previous and (previous[-1].flight, previous[-1].variation) == (
                leg.flight, leg.variation) and leg.seq == previous[-1].seq + 1:
            for earlier in previous:  # through journeys: earlier leg's departure, this arrival
                p = earlier.period
                through = _Period(first=p.first, last=p.last, days=p.days,
                                  dep_minutes=p.dep_minutes, dep_offset=p.dep_offset,
                                  dep_shift=p.dep_shift, arr_minutes=period.arr_minutes,
                                  arr_offset=period.arr_offset, arr_shift=period.arr_shift,
                                  utc_mode=utc_mode, line=n, raw=line.rstrip(),
                                  fortnightly=p.fortnightly)
                _add(index, file, leg.flight, earlier.origin, leg.destination, through)
            previous.append(leg)
        else:
            previous = [leg]


def _add(index: ScheduleIndex, file: str, flight: str, origin: str, destination: str,
         period: _Period) -> None:
    index.periods.setdefault((flight, origin, destination), []).append((file, period))


# -- CSV ---------------------------------------------------------------------------------------
CSV_COLUMNS = ("flight", "origin", "destination", "departure", "arrival")


def looks_like_schedule_csv(first: str) -> bool:
    head = [c.strip().lower() for c in first.split(",")]
    return all(c in head for c in CSV_COLUMNS)


def _aware(text: str, what: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an ISO 8601 date-time") from None
    if at.tzinfo is None:
        raise ValueError(f"{what} {text!r} has no UTC offset (e.g. +09:00 or Z)")
    return at


def parse_schedule_csv(text: str, file: str, index: ScheduleIndex,
                       problems: list[str]) -> None:
    """Add the dated flights of a CSV schedule to ``index`` (first row for a flight, route
    and day wins; a later one is reported)."""
    for n, raw_rec, raw in csv_rows(text):
        rec = {k: v.strip() for k, v in raw_rec.items() if k}
        try:
            flight = flight_key(rec.get("flight", ""))
            if flight is None:
                raise ValueError(f"flight {rec.get('flight')!r} is not a designator and number")
            origin, dest = rec.get("origin", "").upper(), rec.get("destination", "").upper()
            if not (len(origin) == 3 and origin.isalpha() and len(dest) == 3 and dest.isalpha()):
                raise ValueError(f"origin/destination {origin!r}/{dest!r} are not IATA codes")
            dep = _aware(rec.get("departure", ""), "departure")
            arr = _aware(rec.get("arrival", ""), "arrival")
            if arr <= dep:
                raise ValueError(f"arrival {arr.isoformat()} is not after departure "
                                 f"{dep.isoformat()}")
        except ValueError as exc:
            problems.append(f"{file}:{n}: schedule row not read: {exc}")
            continue
        index.rows += 1
        key = (flight, origin, dest, dep.date())
        if key in index.dated:
            problems.append(f"{file}:{n}: {flight} {origin}-{dest} on {dep.date()} already "
                            f"given at {index.dated[key].where}; this row is not used")
            continue
        index.dated[key] = ScheduledFlight(
            flight=flight, origin=origin, destination=dest, departure=dep.astimezone(UTC),
            arrival=arr.astimezone(UTC), file=file, line=n, raw=raw)
