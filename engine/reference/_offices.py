"""Customs offices of first entry by airport, with the source the operator took them from.

CSV: a ``# source: ...`` comment line, then the header ``airport,office`` (and optionally
``name``): ``FRA,DE004552,Frankfurt am Main Flughafen``. YAML: ``source: ...`` and
``offices:`` either a mapping ``{FRA: DE004552}`` or a list of ``{airport, office, name}``.
The source (e.g. "EU Customs Office List (COL), extracted 2026-11-30") is required: an office
table whose origin is not stated is refused, as the office decides where customs answers.
The office is a customs office reference number (CL141: country code and six letters or
digits, ``DE004552``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ._files import RowRef, csv_rows

_OFFICE = re.compile(r"^[A-Z]{2}[A-Z0-9]{6}$")
_SOURCE = re.compile(r"^\s*#\s*source\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeRow(RowRef):
    airport: str
    office: str
    name: str


@dataclass(slots=True)
class OfficeTable:
    file: str = ""
    source: str = ""
    by_airport: dict[str, OfficeRow] = field(default_factory=dict)
    rows: int = 0

    def find(self, airport: str) -> OfficeRow | None:
        return self.by_airport.get(airport.strip().upper())

    def add(self, airport: Any, office: Any, name: Any, line: int, raw: str,
            problems: list[str]) -> None:
        code = str(airport or "").strip().upper()
        ref = str(office or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            problems.append(f"{self.file}:{line}: airport {airport!r} is not an IATA code")
            return
        if not _OFFICE.match(ref):
            problems.append(f"{self.file}:{line}: office {office!r} for {code} is not a "
                            "customs office reference number (CL141, e.g. DE004552)")
            return
        self.rows += 1
        if code in self.by_airport:
            problems.append(f"{self.file}:{line}: {code} already given at "
                            f"{self.by_airport[code].where}; this row is not used")
            return
        self.by_airport[code] = OfficeRow(airport=code, office=ref, name=str(name or ""),
                                          file=self.file, line=line, raw=raw)


def looks_like_office_csv(first: str) -> bool:
    head = [c.strip().lower() for c in first.split(",")]
    return "airport" in head and "office" in head


def parse_office_csv(text: str, file: str, problems: list[str]) -> OfficeTable:
    table = OfficeTable(file=file)
    lines = text.splitlines()
    for line in lines:
        m = _SOURCE.match(line)
        if m:
            table.source = m.group(1)
            break
    for n, rec, raw in csv_rows(text):
        table.add(rec.get("airport"), rec.get("office"), rec.get("name"), n, raw, problems)
    return table


def parse_office_yaml(text: str, file: str, problems: list[str]) -> OfficeTable:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("an office table in YAML is a mapping with source: and offices:")
    table = OfficeTable(file=file)
    lines = text.splitlines()
    loader = yaml.SafeLoader("")
    for key, node in root.value:
        if key.value == "source":
            table.source = str(loader.construct_object(node) or "").strip()
        elif key.value == "offices":
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    n = k.start_mark.line + 1
                    table.add(k.value, loader.construct_object(v), "", n,
                              lines[n - 1].strip(), problems)
            elif isinstance(node, yaml.SequenceNode):
                for item in node.value:
                    n = item.start_mark.line + 1
                    value = loader.construct_document(item)
                    if not isinstance(value, Mapping):
                        problems.append(f"{file}:{n}: an office row is a mapping of airport, "
                                        "office and name")
                        continue
                    table.add(value.get("airport"), value.get("office"), value.get("name"),
                              n, lines[n - 1].strip(), problems)
        else:
            problems.append(f"{file}:{key.start_mark.line + 1}: unknown key {key.value!r} "
                            "(source, offices)")
    return table
