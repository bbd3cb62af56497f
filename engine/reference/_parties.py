"""Party master data: the operator's address book (from its CRM), as CSV or YAML.

Columns (CSV header, or keys of each YAML mapping; all optional but a key and a name):
``account`` (account number with the carrier or agent, as on the SHP/CNE line), ``eori``,
``name``, ``street``, ``number``, ``postcode``, ``city``, ``subdivision``, ``country``,
``type_of_person`` (``1``/``natural``, ``2``/``legal``, ``3``/``association``), ``contact``
(contact person), ``phone``, ``email``. A YAML file is a list of such mappings (or
``parties:`` holding the list).

Each record is indexed at load by EORI, by account number and by normalised name (upper case,
punctuation and repeated spaces removed), so every lookup is one dict access. The first
record with a key wins; a later one with the same key is reported and not indexed by it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ._files import RowRef, csv_rows

_FIELDS = ("account", "eori", "name", "street", "number", "postcode", "city", "subdivision",
           "country", "type_of_person", "contact", "phone", "email")
_PERSON = {"1": "1", "natural": "1", "2": "2", "legal": "2", "3": "3", "association": "3"}
_NOT_WORD = re.compile(r"[^0-9A-Z]+")


def normalise_name(text: str) -> str:
    """``Hanbit Meditech Co., Ltd.`` -> ``HANBIT MEDITECH CO LTD``."""
    return " ".join(_NOT_WORD.sub(" ", str(text).upper()).split())


def normalise_id(text: str) -> str:
    """Account numbers and EORIs: upper case, no spaces or separators."""
    return _NOT_WORD.sub("", str(text).upper())


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyRecord(RowRef):
    """One address book entry and the row it comes from."""

    account: str | None = None
    eori: str | None = None
    name: str | None = None
    street: str | None = None
    number: str | None = None
    postcode: str | None = None
    city: str | None = None
    subdivision: str | None = None
    country: str | None = None
    type_of_person: str | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class PartyBook:
    by_eori: dict[str, PartyRecord] = field(default_factory=dict)
    by_account: dict[str, PartyRecord] = field(default_factory=dict)
    by_name: dict[str, PartyRecord] = field(default_factory=dict)
    rows: int = 0

    def find(self, *, eori: str | None, account: str | None,
             name: str | None, country: str | None) -> tuple[PartyRecord, str] | None:
        """The record for a party (and which key found it): by EORI, else account number,
        else normalised name. A record found by account or name whose country or EORI
        differs from the party's is not the same party: no match."""
        if eori:
            hit = self.by_eori.get(normalise_id(eori))
            if hit is not None:
                return hit, "eori"
        for key, table, how in ((account and normalise_id(account), self.by_account,
                                 "account"),
                                (name and normalise_name(name), self.by_name, "name")):
            if not key:
                continue
            hit = table.get(key)
            if hit is None:
                continue
            if country and hit.country and hit.country.upper() != country.strip().upper():
                continue
            if eori and hit.eori and normalise_id(eori) != hit.eori:
                continue  # the message names another EORI: another company (or an old book)
            return hit, how
        return None

    def add(self, rec: PartyRecord, problems: list[str]) -> None:
        self.rows += 1
        keys = ((rec.eori and normalise_id(rec.eori), self.by_eori, "EORI"),
                (rec.account and normalise_id(rec.account), self.by_account, "account"),
                (rec.name and normalise_name(rec.name), self.by_name, "name"))
        for key, table, what in keys:
            if not key:
                continue
            if key in table:
                problems.append(f"{rec.where}: {what} {key} already given at "
                                f"{table[key].where}; not indexed by it again")
                continue
            table[key] = rec


def looks_like_party_csv(first: str) -> bool:
    head = [c.strip().lower() for c in first.split(",")]
    return "name" in head and any(k in head for k in ("eori", "account", "street", "city"))


def _record(raw: Mapping[str, Any], file: str, line: int, text: str) -> PartyRecord:
    unknown = sorted(str(k) for k in raw if str(k).strip().lower() not in _FIELDS)
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)} (known: {', '.join(_FIELDS)})")
    values: dict[str, Any] = {}
    for k, v in raw.items():
        text_v = None if v is None else str(v).strip()
        values[str(k).strip().lower()] = text_v or None
    if not values.get("name") and not values.get("eori") and not values.get("account"):
        raise ValueError("a record needs a name, an EORI or an account number")
    person = values.get("type_of_person")
    if person is not None:
        code = _PERSON.get(person.lower())
        if code is None:
            raise ValueError(f"type_of_person {person!r} is not 1/natural, 2/legal or "
                             "3/association")
        values["type_of_person"] = code
    if values.get("country"):
        country = values["country"].upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(f"country {values['country']!r} is not an ISO 3166 alpha-2 code")
        values["country"] = country
    if values.get("eori"):
        values["eori"] = normalise_id(values["eori"])
    return PartyRecord(**values, file=file, line=line, raw=text)


def parse_party_csv(text: str, file: str, book: PartyBook, problems: list[str]) -> None:
    for n, rec, raw in csv_rows(text):
        try:
            book.add(_record({k: v for k, v in rec.items() if k}, file, n, raw), problems)
        except ValueError as exc:
            problems.append(f"{file}:{n}: party record not read: {exc}")


def parse_party_yaml(text: str, file: str, book: PartyBook, problems: list[str]) -> None:
    """A YAML list of mappings (or ``parties:`` holding it); each record keeps the line of
    its mapping (from the YAML node, not guessed)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(root, yaml.MappingNode):
        found = [v for k, v in root.value if k.value == "parties"]
        root = found[0] if found else None
    if not isinstance(root, yaml.SequenceNode):
        raise ValueError("a party book in YAML is a list of records (or parties: [...])")
    lines = text.splitlines()
    for node in root.value:
        n = node.start_mark.line + 1
        try:
            value = yaml.SafeLoader("").construct_document(node)
            if not isinstance(value, Mapping):
                raise ValueError("a record is a mapping of party fields")
            raw = lines[n - 1].strip() if n <= len(lines) else ""
            book.add(_record(value, file, n, raw), problems)
        except (ValueError, yaml.YAMLError) as exc:
            problems.append(f"{file}:{n}: party record not read: {exc}")
