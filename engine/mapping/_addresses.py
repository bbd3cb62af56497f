"""Street lines of a party into street, house number and P.O. box (the address transforms).

Two ways to split a line. Without a country, or for a country the order table does not
list, the number is taken from the end of the line (``HANAUER LANDSTRASSE 291``), else from its
start (``2150 W FULTON ST``): :func:`_split_street`, unchanged since issue 9. With a country
of ``codelists/street-number-order.yaml`` that country's side is read first (``VIA ROMA 12/A``
in IT has ``12/A``), with a one-letter suffix (``HAUPTSTR. 5 A``) and a ``NO``/``NR``/``#``
marker inside the line (``CALLE 7 NO 45-20``); the other side only when the rest of the line
holds no other digit (``RUE DU 8 MAI 1945`` in FR has no house number). A P.O. box line
(``P.O. BOX 1234``, ``POSTFACH 10 20 30``...) is never a street: its box number goes to
``po_box``. Premises and floors without a street (``UNIT 5 BLOCK B KWUN TONG IND CTR``) are not
house numbers on the country path. Every pattern runs in time linear in the line
(tests/mapping/test_linear_time.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

_SPACES = re.compile(r"\s+")

# Every pattern here runs in time linear in the line: possessive quantifiers where a run could
# be re-tried from each of its positions, and the trailing number read by hand (a lazy street
# group before ``$`` re-scanned the line once per letter: 5 CPU-s for 16,000 characters).
_NUMBER = re.compile(r"\d++[A-Z]?+(?:[-/]\d++[A-Z]?+)*+")
_LEADING_NO = re.compile(
    r"^(?:NO[.:]?\s*)?(?P<no>\d++[A-Z]?+(?:[-/]\d++[A-Z]?+)*+)[\s,]++(?P<street>.*[A-Z].*)$"
)
_INNER_NO = re.compile(r"\bNO[.:]?\s*(?P<no>\d++[A-Z]?)\b")
_PREMISES = re.compile(r"^(?P<no>(?:UNIT|BLDG|BUILDING|BLOCK|PLOT|HANGAR|GATE)\s++\d++[A-Z]?+)"
                       r"[\s,]++(?P<street>.*[A-Z].*)$")
_LETTER = re.compile(r"[A-Z]")
_SEPARATORS = " ,"

MAX_STREET_LINE = 512
"""Longest street line split into street and number. No source format allows more (Cargo-IMP
ADR an..35, EDIFACT NAD 3042 4 x an..35, X12 N3 an..55, Cargo-XML StreetName lines; the ENS
street is an..70): a longer value is refused with MAP004 rather than searched."""


def _trailing_number(up: str) -> tuple[int, str] | None:
    r"""(length of the street, house number) when ``up`` ends in a house number, else None.

    What ``^(?P<street>.*?[A-Z].*?)[\s,]+(?:NO[.:]?\s*)?(?P<no>NUMBER)$`` matches (the street
    holds a letter and is the shortest possible: a ``NO.`` before the number is not part of
    it), read from the end in one pass. ``up`` holds no white space but single spaces."""
    cut = max(up.rfind(" "), up.rfind(","))
    if cut < 0:
        return None
    token = up[cut + 1:]
    run = cut + 1  # start of the separator run before the token
    while run > 0 and up[run - 1] in _SEPARATORS:
        run -= 1
    if _NUMBER.fullmatch(token) is not None:
        number = token
        if "," not in up[run:cut + 1]:  # NO[.:]? \s* before the number: spaces only
            head = up[:run]
            no_at = len(head) - (3 if head.endswith(("NO.", "NO:")) else 2)
            if head.endswith(("NO", "NO.", "NO:")) and no_at > 0 and head[no_at - 1] in _SEPARATORS:
                street_end = no_at
                while street_end > 0 and up[street_end - 1] in _SEPARATORS:
                    street_end -= 1
                if _LETTER.search(up, 0, street_end) is not None:
                    return street_end, number
    elif token.startswith("NO"):
        rest = token[3:] if token[2:3] in (".", ":") else token[2:]
        if not rest or _NUMBER.fullmatch(rest) is None:
            return None
        number = rest
    else:
        return None
    if run == 0 or _LETTER.search(up, 0, run) is None:
        return None
    return run, number


@lru_cache(maxsize=4096)
def _split_street(text: str) -> tuple[str, str | None]:
    t = _SPACES.sub(" ", text).strip()
    up = t.upper()
    prem = _PREMISES.match(up)
    if prem is not None and _trailing_number(prem.group("street")) is None:
        return t[len(t) - len(prem.group("street")):].strip(" ,"), t[: len(prem.group("no"))]
    inner = _INNER_NO.search(up)
    if inner is not None and inner.start() > 0 and inner.end() < len(up):
        rest = (t[: inner.start()] + t[inner.end():]).strip(" ,")
        return _SPACES.sub(" ", rest), inner.group("no")
    trailing = _trailing_number(up)
    if trailing is not None:
        return t[: trailing[0]].strip(" ,"), trailing[1]
    m = _LEADING_NO.match(up)
    if m is not None:
        return t[len(t) - len(m.group("street")) :].strip(" ,"), m.group("no")
    return t, None


@lru_cache(maxsize=4096)
def _pick_street_index(lines: tuple[str, ...]) -> int | None:
    """Cached: address_street, address_number and address_extra each pick from the same lines."""
    clean = [_SPACES.sub(" ", x).strip() for x in lines]
    for i, line in enumerate(clean):  # a street with a house number
        if line and _split_street(line)[1] is not None and not _PREMISES.match(line.upper()):
            return i
    for i, line in enumerate(clean):  # a unit or building number
        if line and _split_street(line)[1] is not None:
            return i
    for i, line in enumerate(clean):
        if line:
            return i
    return None


# -- the country path ---------------------------------------------------------------------------
# A house number token: digits with an optional letter, parts joined by - or / (``45-20``,
# ``12/A``, ``7/3A``).
_NUMBER_EXT = re.compile(r"\d++[A-Z]?+(?:[-/](?:\d++[A-Z]?+|[A-Z](?![A-Z])))*+")
_DIGIT = re.compile(r"\d")
_PREMISES_WORD = re.compile(
    r"(?:UNIT|BLDG|BUILDING|BLOCK|BLK|FLAT|ROOM|RM|FLOOR|FL|TOWER|SUITE|\d++/?F|G/F)\b")
"""Words that name premises, and floors (``12F``, ``12/F``): not a street after ``UNIT 5``."""
_MARKERS = ("NO", "NO.", "NO:", "NR", "NR.", "N.", "N\u00ba", "N\u00b0", "#")
_INNER_MARK = re.compile(
    r"(?:^|[\s,])(?:NO|NR|N\u00ba|N\u00b0|N\.|#)[.:]?+\s*+"
    r"(?P<no>\d++[A-Z]?+(?:[-/](?:\d++[A-Z]?+|[A-Z](?![A-Z])))*+)(?=[\s,]|$)")
_LEADING_EXT = re.compile(
    r"^(?:(?:NO|NR|N\u00ba|N\u00b0|#)[.:]?+\s*+)?"
    r"(?P<no>\d++[A-Z]?+(?:[-/](?:\d++[A-Z]?+|[A-Z](?![A-Z])))*+)[\s,]++(?P<street>.*[A-Z].*)$")
_PO_BOX = re.compile(
    r"(?:^|[\s,])(?P<mark>P\.?\s?O\.?\s?BOX|POST\s?BOX|POB|P\.O\.B\.?|POSTFACH|POSTBUS|"
    r"BOITE\s+POSTALE|B\.P\.|APARTADO(?:\s+POSTAL)?|APDO\.?|CASILLA(?:\s+DE\s+CORREOS?)?|"
    r"CAIXA\s+POSTAL|CASELLA\s+POSTALE|SKRYTKA\s+POCZTOWA)"
    r"\s*+[.:#]?\s*+(?P<box>\d++(?: \d++)*+)(?=[\s,]|$)")
"""A P.O. box and its number; the national names are [I] (the ones seen in air-cargo feeds:
English, German, Dutch, French BP, Spanish, Portuguese, Italian, Polish)."""


@cache
def _order_table() -> dict[str, str]:
    text = resources.files("ensgate.mapping").joinpath(
        "codelists", "street-number-order.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    table: dict[str, str] = {}
    for side in ("after", "before"):
        for country in raw.get(side) or ():
            table[str(country).upper()] = side
    return table


def street_order(country: str | None) -> str | None:
    """``after`` (number follows the street), ``before``, or None (not in the table)."""
    if not country:
        return None
    return _order_table().get(country.strip().upper())


def _upper(t: str) -> str:
    """Upper case of the same length as ``t`` (``ß``.upper() is ``SS``: positions found in the
    upper-case line must be positions in ``t``)."""
    up = t.upper()
    if len(up) == len(t):
        return up
    return "".join(u if len(u := c.upper()) == 1 else c for c in t)


def _has_letter(text: str, end: int) -> bool:
    return _LETTER.search(text, 0, end) is not None


def _split_after(t: str, up: str) -> tuple[str, str | None]:
    marked = _inner_marked(t, up)  # CALLE 7 NO 45-20 OF 301: the marked number wins
    if marked[1] is not None:
        return marked
    cut = max(up.rfind(" "), up.rfind(","))
    if cut > 0:
        token = up[cut + 1:]
        run = cut + 1
        while run > 0 and up[run - 1] in _SEPARATORS:
            run -= 1
        head = up[:run]
        number: str | None = None
        if len(token) == 1 and "A" <= token <= "Z":  # HAUPTSTR. 5 A: a one-letter suffix
            prev = max(head.rfind(" "), head.rfind(","))
            if prev > 0 and _NUMBER_EXT.fullmatch(head[prev + 1:]) is not None:
                number = t[prev + 1:run] + " " + t[cut + 1:]
                run = prev + 1
                while run > 0 and up[run - 1] in _SEPARATORS:
                    run -= 1
                head = up[:run]
        elif _NUMBER_EXT.fullmatch(token) is not None:
            number = t[cut + 1:]
        if number is not None:
            for mark in _MARKERS:  # "... NO 45-20": the marker is not part of the street
                if head.endswith(" " + mark) or head.endswith("," + mark):
                    run -= len(mark)
                    while run > 0 and up[run - 1] in _SEPARATORS:
                        run -= 1
                    break
            if run > 0 and _has_letter(up, run):
                return t[:run].strip(" ,"), number
    return t, None


def _inner_marked(t: str, up: str) -> tuple[str, str | None]:
    """``CALLE 7 NO 45-20 OF 301``: a marked number inside the line; the rest is the street."""
    m = _INNER_MARK.search(up)
    if m is None or m.start() == 0 or not _has_letter(up, m.start()):
        return t, None
    rest = (t[:m.start()] + " " + t[m.end():]).strip(" ,")
    return _SPACES.sub(" ", rest), t[m.start("no"):m.end("no")]


def _split_before(t: str, up: str) -> tuple[str, str | None]:
    m = _LEADING_EXT.match(up)
    if m is not None:
        return t[m.start("street"):].strip(" ,"), t[m.start("no"):m.end("no")]
    return _inner_marked(t, up)


@lru_cache(maxsize=4096)
def split_line(text: str, order: str | None) -> tuple[str, str | None]:
    """(street, house number) of one street line for a country order (None: both sides)."""
    if order is None:
        return _split_street(text)
    t = _SPACES.sub(" ", text).strip()
    up = _upper(t)
    prem = _PREMISES.match(up)
    if prem is not None and _PREMISES_WORD.match(prem.group("street")) is None:
        # UNIT 4 EASTGATE ROAD: the unit is the only number the street line has; but in
        # UNIT 5 BLOCK B KWUN TONG IND CTR the line names premises, no street and number [I]
        inner = split_line(t[prem.start("street"):], order)
        if inner[1] is None:
            return inner[0], t[:prem.end("no")]
        return f"{t[:prem.end('no')]} {inner[0]}", inner[1]  # UNIT 5, 83 HOW MING STREET
    first, second = (_split_after, _split_before) if order == "after" else \
        (_split_before, _split_after)
    street, number = first(t, up)
    if number is not None:
        return street, number
    # The other side only when the rest holds no other digit: real feeds write "Rue du Te 5"
    # in FR, but in "RUE DU 8 MAI 1945" the 1945 is part of the street's name [I].
    street, number = second(t, up)
    if number is not None and _DIGIT.search(street) is None:
        return street, number
    return t, None


def po_box(text: str) -> tuple[str, str] | None:
    """(box number, the rest of the line) when the line names a P.O. box."""
    t = _SPACES.sub(" ", text).strip()
    m = _PO_BOX.search(_upper(t))
    if m is None:
        return None
    rest = (t[:m.start()] + " " + t[m.end():]).strip(" ,")
    return t[m.start("box"):m.end("box")].strip(), _SPACES.sub(" ", rest)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressParts:
    """What the street lines of one party give."""

    street: str | None
    number: str | None
    po_box: str | None
    extra: str | None


@lru_cache(maxsize=4096)
def address_parts(lines: tuple[str, ...], country: str | None) -> AddressParts:
    """Street, number, P.O. box and the other lines of a party's street lines. The street is
    the first line with a house number (by the country's order), else the first line that is
    not a P.O. box [I: senders put building or unit names before the street line, as in
    ``UNIT 1208 12F TOWER B`` / ``83 HOW MING STREET``]."""
    order = street_order(country)
    clean = [_SPACES.sub(" ", x).strip() for x in lines]
    box: str | None = None
    candidates: list[int] = []
    leftovers: dict[int, str] = {}
    for i, line in enumerate(clean):
        if not line:
            continue
        found = po_box(line) if box is None else None
        if found is not None:
            box = found[0]
            if found[1]:
                leftovers[i] = found[1]
            continue
        candidates.append(i)
    pick = _pick(tuple(clean[i] for i in candidates), order)
    chosen = None if pick is None else candidates[pick]
    street = number = None
    if chosen is not None:
        street, number = split_line(clean[chosen], order)
    elif leftovers:  # P.O. BOX 17745 JEBEL ALI FREE ZONE: the rest of the line is the street
        chosen = min(leftovers)
        street = leftovers.pop(chosen)
    kept = set(candidates)
    rest = [leftovers.get(i, x) for i, x in enumerate(clean)
            if i != chosen and (i in leftovers or (x and i in kept))]
    return AddressParts(street=street or None, number=number, po_box=box,
                        extra=" ".join(rest) if rest else None)


def _pick(lines: tuple[str, ...], order: str | None) -> int | None:
    if order is None:
        return _pick_street_index(lines)
    for i, line in enumerate(lines):
        if split_line(line, order)[1] is not None:
            return i
    return 0 if lines else None
