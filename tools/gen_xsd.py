#!/usr/bin/env python3
"""Generate the PROVISIONAL ICS2 XSD set from the shared ICS2 data dictionary.

The official ICS2 XSDs (DG TAXUD "Technical Service Contracts") are not public. This dev tool
(run by hand, not shipped) turns ``shared/reference/ics2/dictionary/*.yaml`` into
``engine/validate/schemas/ics2/``: one ``<MSG>.xsd`` per message that has an element tree,
``ics2_types.xsd`` with the shared types, and ``README.md``.

The output is deterministic (sorted inputs, no time stamps, no absolute paths) so that a test can
compare the committed files with a fresh generation.

Usage::

    python tools/gen_xsd.py                 # write the files
    python tools/gen_xsd.py --check         # exit 1 if the committed files are out of date
    python tools/gen_xsd.py --dictionary DIR --out DIR
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NAMESPACE = "urn:wco:datamodel:eu:ics2:2"
TYPES_FILE = "ics2_types.xsd"
REPO = Path(__file__).resolve().parents[1]
DEFAULT_DICTIONARY = REPO / ".." / "shared" / "reference" / "ics2" / "dictionary"
DEFAULT_OUT = REPO / "engine" / "validate" / "schemas" / "ics2"
# ensgate's own tables, same format: IE tables transcribed from the index (IE3N02 ...), the
# inferred ones (IE3Q04, IE3R02, IE3R08, every row [I]) and the amendment tables derived by
# tools/gen_amendment_tables.py. A message in both folders is taken from here.
DEFAULT_TABLES = REPO / "tools" / "ics2_tables"
DICTIONARY_LABEL = "reference/ics2/dictionary"  # how the files name their source (no abs path)
TABLES_LABEL = "tools/ics2_tables"
DATETIME_FORMAT = "an20 (YYYY-MM-DDThh:mm:ssZ)"
DATETIME_TYPE = "DateTimeWrapperType"
DATETIME_VALUE_TYPE = "DateTimeValue"

# Readable names for shared group shapes used under several element names, keyed by the
# child element names. Anything not listed is named after its most frequent element name.
_SHAPE_NAMES: dict[tuple[str, ...], str] = {
    ("name", "identificationNumber", "typeOfPerson", "address", "communication"): "Party",
    ("identificationNumber",): "PartyIdentification",
    ("identificationNumber", "communication"): "PartyContact",
    ("documentNumber", "type"): "TransportDocument",
    ("sequenceNumber", "country"): "RoutingCountry",
    ("location", "UNLOCODE", "address"): "Place",
    ("country",): "CountryOnly",
    ("value", "currency"): "Amount",
    ("referenceNumber",): "CustomsOffice",
    ("method",): "ScreeningMethod",
}

_FORMAT = re.compile(r"^(an|a|n)(\.\.)?(\d+)(?:,(\d+))?$")


# ----------------------------------------------------------------------------------------------
# the dictionary, read into a small typed tree
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Row:
    """One dictionary row: a leaf (``fmt``), a group (``children``) or a row without XML name."""

    name: str | None
    label: str
    min_occurs: int
    max_occurs: int
    status: str
    fmt: str | None
    uncertain: bool
    children: tuple[Row, ...] = ()

    @property
    def is_group(self) -> bool:
        return bool(self.children)


@dataclass(frozen=True, kw_only=True)
class Message:
    name: str
    file_name: str  # relative to the folders' labels, e.g. reference/ics2/dictionary/IE3F20.yaml
    description: str
    completeness: str
    uncertain_reason: str
    rows: tuple[Row, ...]


def _row(raw: dict[str, Any]) -> Row:
    low, high = str(raw["cardinality"]).split("..")
    status = str(raw["status"])
    return Row(
        name=raw.get("name"),
        label=str(raw.get("label", "")),
        # Conditional elements are optional in the XSD: the rules stage checks the condition.
        min_occurs=0 if status == "C" else int(low),
        max_occurs=int(high),
        status=status,
        fmt=raw.get("format"),
        uncertain=bool(raw.get("uncertain", False)),
        children=tuple(_row(c) for c in raw.get("children") or ()),
    )


def read_dictionary(folder: Path, tables: Path | None = None) -> list[Message]:
    """Every dictionary file with an element tree, sorted by message name; a message in
    ``tables`` (ensgate's own folder) replaces the dictionary's."""
    found: dict[str, Message] = {}
    for path in sorted(folder.glob("*.yaml")):
        for m in _read_file(path, DICTIONARY_LABEL):
            found[m.name] = m
    if tables is not None and tables.is_dir():
        for path in sorted(tables.glob("*.yaml")):
            for m in _read_file(path, TABLES_LABEL):
                found[m.name] = m
    return [found[k] for k in sorted(found)]


def _read_file(path: Path, label: str) -> list[Message]:
    """The message of one table file ([] when it has no element tree)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data.get("elements"):
        return []
    return [Message(
        name=str(data["root_element"]),
        file_name=f"{label}/{path.name}",
        description=str(data.get("description", "")),
        completeness=str(data.get("completeness", "")),
        uncertain_reason=str(data.get("uncertain_reason", "") or ""),
        rows=tuple(_row(r) for r in data["elements"]),
    )]


def skipped_files(folder: Path, tables: Path | None = None) -> list[tuple[str, str]]:
    """Dictionary files without an element tree (file name, completeness), unless ensgate's
    own tables give the message."""
    own = {p.name for p in tables.glob("*.yaml")} if tables is not None and tables.is_dir() \
        else set()
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and not data.get("elements") and path.name not in own:
            out.append((path.name, str(data.get("completeness", ""))))
    return out


# ----------------------------------------------------------------------------------------------
# simple types from format strings
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SimpleType:
    name: str
    fmt: str
    sort_key: tuple[int, int, int]
    body: tuple[str, ...]  # the xs:restriction lines


def simple_type(fmt: str) -> SimpleType:
    """The named simple type for one dictionary format string."""
    m = _FORMAT.match(fmt)
    if m is None:
        raise ValueError(f"unknown format {fmt!r}")
    kind, upto, size_s, frac_s = m.groups()
    size = int(size_s)
    if kind == "n" and frac_s is not None:
        frac = int(frac_s)
        return SimpleType(
            name=f"Decimal_{size}_{frac}", fmt=fmt, sort_key=(3, size, frac),
            body=(
                '<xs:restriction base="xs:decimal">',
                f'  <xs:totalDigits value="{size}"/>',
                f'  <xs:fractionDigits value="{frac}"/>',
                # digits only: no sign, no exponent, no leading or trailing dot [I: the tables
                # say "n" (numeric) without more; a negative mass or amount makes no sense]
                f'  <xs:pattern value="[0-9]+(\\.[0-9]{{1,{frac}}})?"/>',
                "</xs:restriction>",
            ),
        )
    count = f"{{1,{size}}}" if upto else f"{{{size}}}"
    prefix = "Max" if upto else ""
    if kind == "an":
        # [I] "an" lists no character set in the tables: any XML character; "an..N" is read
        # as 1..N characters (an empty value is refused).
        facets = (
            ('  <xs:minLength value="1"/>', f'  <xs:maxLength value="{size}"/>')
            if upto else (f'  <xs:length value="{size}"/>',)
        )
        return SimpleType(
            name=f"Alphanumeric_{prefix}{size}", fmt=fmt, sort_key=(0, size, 0 if upto else 1),
            body=('<xs:restriction base="xs:string">', *facets, "</xs:restriction>"),
        )
    klass, label, rank = ("[A-Za-z]", "Alphabetic", 1) if kind == "a" else ("[0-9]", "Numeric", 2)
    return SimpleType(
        name=f"{label}_{prefix}{size}", fmt=fmt, sort_key=(rank, size, 0 if upto else 1),
        body=(
            '<xs:restriction base="xs:string">',
            f'  <xs:pattern value="{klass}{count}"/>',
            "</xs:restriction>",
        ),
    )


def leaf_type(fmt: str) -> str:
    return DATETIME_TYPE if fmt == DATETIME_FORMAT else simple_type(fmt).name


# ----------------------------------------------------------------------------------------------
# shared complex types: identical group contents used at least twice
# ----------------------------------------------------------------------------------------------

Signature = tuple[Any, ...]


def content_signature(rows: Iterable[Row]) -> Signature:
    """What makes two groups interchangeable in the XSD: child names, occurs and types."""
    out: list[Any] = []
    for r in rows:
        if r.name is None:
            out.append(("#omitted", r.label, r.fmt, r.min_occurs, r.max_occurs, r.status))
        elif r.is_group:
            out.append((r.name, r.min_occurs, r.max_occurs, content_signature(r.children)))
        else:
            out.append((r.name, r.min_occurs, r.max_occurs, leaf_type(r.fmt or "")))
    return tuple(out)


def _groups(rows: Iterable[Row]) -> Iterator[Row]:
    for r in rows:
        if r.is_group:
            yield r
            yield from _groups(r.children)


def _camel(name: str) -> str:
    return name[:1].upper() + name[1:]


@dataclass(kw_only=True)
class SharedTypes:
    """Signature -> type name for every group content seen at least twice."""

    names: dict[Signature, str] = field(default_factory=dict)
    rows: dict[Signature, tuple[Row, ...]] = field(default_factory=dict)
    used_by: dict[Signature, Counter[str]] = field(default_factory=dict)


def find_shared_types(messages: list[Message]) -> SharedTypes:
    count: Counter[Signature] = Counter()
    first_seen: dict[Signature, int] = {}
    used_by: dict[Signature, Counter[str]] = {}
    rows: dict[Signature, tuple[Row, ...]] = {}
    for message in messages:
        for group in _groups(message.rows):
            sig = content_signature(group.children)
            count[sig] += 1
            first_seen.setdefault(sig, len(first_seen))
            used_by.setdefault(sig, Counter())[str(group.name)] += 1
            rows.setdefault(sig, group.children)
    shared = sorted((s for s, n in count.items() if n >= 2),
                    key=lambda s: (-count[s], first_seen[s]))
    result = SharedTypes()
    taken: Counter[str] = Counter()
    for sig in shared:
        child_names = tuple(str(r.name) for r in rows[sig] if r.name is not None)
        users = used_by[sig]
        base = _SHAPE_NAMES.get(child_names) or _camel(
            sorted(users.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
        taken[base] += 1
        suffix = "" if taken[base] == 1 else str(taken[base])
        result.names[sig] = f"{base}{suffix}Type"
        result.rows[sig] = rows[sig]
        result.used_by[sig] = users
    return result


# ----------------------------------------------------------------------------------------------
# writing XSD text
# ----------------------------------------------------------------------------------------------


def _comment_text(text: str) -> str:
    """Text that is safe inside an XML comment."""
    return re.sub(r"-{2,}", "-", text).rstrip("-")


def _occurs(row: Row) -> str:
    out = ""
    if row.min_occurs != 1:
        out += f' minOccurs="{row.min_occurs}"'
    if row.max_occurs != 1:
        out += f' maxOccurs="{row.max_occurs}"'
    return out


def _sequence(rows: Iterable[Row], shared: SharedTypes, indent: str) -> list[str]:
    lines = [f"{indent}<xs:sequence>"]
    inner = indent + "  "
    for row in rows:
        if row.name is None:
            lines.append(
                f"{inner}<!-- left out: the row \"{_comment_text(row.label)}\" ({row.fmt}, "
                f"{row.min_occurs}..{row.max_occurs} {row.status}) has no XML name in the IE "
                "tables (dictionary README, discrepancy 2); the official XSD will name it -->")
        elif row.is_group:
            sig = content_signature(row.children)
            if sig in shared.names:
                lines.append(f'{inner}<xs:element name="{row.name}" '
                             f'type="{shared.names[sig]}"{_occurs(row)}/>')
            else:
                lines.append(f'{inner}<xs:element name="{row.name}"{_occurs(row)}>')
                lines.append(f"{inner}  <xs:complexType>")
                lines.extend(_sequence(row.children, shared, inner + "    "))
                lines.append(f"{inner}  </xs:complexType>")
                lines.append(f"{inner}</xs:element>")
        else:
            lines.append(
                f'{inner}<xs:element name="{row.name}" type="{leaf_type(row.fmt or "")}"'
                f"{_occurs(row)}/>")
    lines.append(f"{indent}</xs:sequence>")
    return lines


_SCHEMA_OPEN = (
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"',
    f'           xmlns="{NAMESPACE}"',
    f'           targetNamespace="{NAMESPACE}"',
    '           elementFormDefault="qualified"',
    '           version="provisional">',
)


def _walk(rows: Iterable[Row], path: str) -> Iterator[tuple[str, Row]]:
    for r in rows:
        p = f"{path}/{r.name if r.name is not None else '(no XML name: ' + r.label + ')'}"
        yield p, r
        yield from _walk(r.children, p)


def _uncertain_lines(rows: Iterable[Row], path: str) -> Iterator[str]:
    """Uncertain elements, compact: a wholly uncertain subtree is one line."""
    for r in rows:
        p = f"{path}/{r.name if r.name is not None else '(no XML name: ' + r.label + ')'}"
        below = [d for _, d in _walk(r.children, p)]
        if r.uncertain and all(d.uncertain for d in below):
            yield p + (f" (and the {len(below)} below it)" if below else "")
        else:
            if r.uncertain:
                yield p
            yield from _uncertain_lines(r.children, p)


def message_xsd(message: Message, shared: SharedTypes) -> str:
    everything = [r for _, r in _walk(message.rows, "")]
    uncertain = sum(1 for r in everything if r.uncertain)
    omitted = sum(1 for r in everything if r.name is None)
    head = [
        f"{message.name}.xsd: PROVISIONAL schema for the ICS2 message {message.name}",
        f"({_comment_text(message.description)}).",
        f"Generated by tools/gen_xsd.py from {message.file_name}",
        f"(dictionary completeness: {message.completeness}). Do not edit by hand: fix the",
        "generator or the dictionary and regenerate. This is NOT the official DG TAXUD XSD; see",
        "README.md in this folder for what is uncertain and how to drop in the official files.",
        "Conditional (C) elements are optional here; the ICS2 rules stage checks the conditions.",
        "Code lists are not enforced; only the length and character class of each format are.",
        f"Elements in the dictionary: {len(everything)}; "
        f"left out for lack of an XML name: {omitted}.",
    ]
    if message.uncertain_reason:
        head.append("")
        head.extend(textwrap.wrap("Dictionary caveat: " + _comment_text(message.uncertain_reason),
                                  width=94))
    head.append("")
    head.append(f"Uncertain per the dictionary: {uncertain} of {len(everything)} elements"
                + (":" if uncertain else "."))
    head.extend("  " + line for line in _uncertain_lines(message.rows, f"/{message.name}"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<!--"]
    lines.extend(("  " + _comment_text(h)).rstrip() for h in head)
    lines.append("-->")
    lines.extend(_SCHEMA_OPEN)
    lines.append(f'  <xs:include schemaLocation="{TYPES_FILE}"/>')
    lines.append(f'  <xs:element name="{message.name}">')
    lines.append("    <xs:complexType>")
    lines.extend(_sequence(message.rows, shared, "      "))
    lines.append("    </xs:complexType>")
    lines.append("  </xs:element>")
    lines.append("</xs:schema>")
    return "\n".join(lines) + "\n"


def _all_formats(messages: list[Message]) -> set[str]:
    return {r.fmt for m in messages for _, r in _walk(m.rows, "") if r.fmt and not r.is_group}


def types_xsd(messages: list[Message], shared: SharedTypes) -> str:
    formats = _all_formats(messages) - {DATETIME_FORMAT}
    simple = sorted({simple_type(f).name: simple_type(f) for f in formats}.values(),
                    key=lambda t: t.sort_key)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!--",
        "  ics2_types.xsd: PROVISIONAL shared types for the ICS2 messages in this folder.",
        f"  Generated by tools/gen_xsd.py from {DICTIONARY_LABEL}/*.yaml. Do not edit by hand.",
        "  Simple types come from the dictionary format strings (anN, an..N, aN, a..N, nN, n..N,",
        "  n..T,F). Named complex types are group contents that occur identically (same child",
        "  names, order, occurs and types) at least twice across all messages; every other group",
        "  is an anonymous local type in its message file. Not the official DG TAXUD XSD.",
        "-->",
        *_SCHEMA_OPEN,
        "",
        "  <!-- simple types from the dictionary formats -->",
    ]
    for t in simple:
        lines.append(f"  <!-- {t.fmt} -->")
        lines.append(f'  <xs:simpleType name="{t.name}">')
        lines.extend("    " + b for b in t.body)
        lines.append("  </xs:simpleType>")
    lines += [
        "",
        f"  <!-- {DATETIME_FORMAT}: the tables give a flat an20 value; the real IE3F26",
        "       sample wraps it in a DateTime child with milliseconds (dictionary README,",
        "       discrepancy 1).",
        "       Provisionally every date-time uses the wrapper [I: not confirmed for all of",
        "       them]. The value must carry a time zone (Z or +hh:mm); fractional seconds are",
        "       allowed. -->",
        f'  <xs:simpleType name="{DATETIME_VALUE_TYPE}">',
        '    <xs:restriction base="xs:dateTime">',
        '      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
        '(\\.[0-9]+)?(Z|[+\\-][0-9]{2}:[0-9]{2})"/>',
        "    </xs:restriction>",
        "  </xs:simpleType>",
        f'  <xs:complexType name="{DATETIME_TYPE}">',
        "    <xs:sequence>",
        f'      <xs:element name="DateTime" type="{DATETIME_VALUE_TYPE}"/>',
        "    </xs:sequence>",
        "  </xs:complexType>",
        "",
        "  <!-- shared group types -->",
    ]
    for sig in sorted(shared.names, key=lambda s: shared.names[s]):
        users = ", ".join(f"{n} ({k}x)" for n, k in sorted(shared.used_by[sig].items()))
        lines.append("  " + f"<!-- used by: {_comment_text(users)} -->")
        lines.append(f'  <xs:complexType name="{shared.names[sig]}">')
        lines.extend(_sequence(shared.rows[sig], shared, "    "))
        lines.append("  </xs:complexType>")
    lines.append("</xs:schema>")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# README
# ----------------------------------------------------------------------------------------------

_README_HEAD = """\
# Provisional ICS2 XSDs (generated)

**These are not the official ICS2 schemas.** DG TAXUD publishes the official XSDs (the
"ICS2 Technical Service Contracts", reference [R06] of the HTI ICD) on CIRCABC to registered
parties only; no public copy was found. Until they are dropped in, ensgate validates ENS XML
against this provisional set, written from the element-by-element data dictionary in
`shared/reference/ics2/dictionary/` and ensgate's own tables in `tools/ics2_tables/` (IE tables
transcribed from the index, the inferred IE3Q04/IE3R02/IE3R08, and the amendment tables
derived from the filings'), and checked against the one real sample
(`shared/reference/ics2/samples/IE3F26-phase4-base-example.xml`, which validates).

## Files

- `<MSG>.xsd`: one file per message, named after its root element (`IE3F26.xsd` declares the
  global element `IE3F26`). Target namespace `urn:wco:datamodel:eu:ics2:2`,
  `elementFormDefault="qualified"`, each file includes `ics2_types.xsd`. A comment at the top
  names the dictionary file and lists the elements the dictionary marks `uncertain`.
- `ics2_types.xsd`: simple types for the dictionary formats, the date-time wrapper, and named
  complex types for group contents that occur identically at least twice (address,
  communication, party, transport document, place, ...). Other groups are local anonymous types,
  so the same element name can have different content at different levels.
- `README.md`: this file.

## How they were generated

`python tools/gen_xsd.py` (a dev tool, not shipped) reads every dictionary YAML that has an
`elements` tree and writes this folder. It is deterministic: a test regenerates the set and
compares it with these files when `../shared` is present (`python tools/gen_xsd.py --check` does
the same by hand). Do not edit the files here; change the generator and regenerate.

Mapping from the dictionary:

- element order -> `xs:sequence` in dictionary order;
- `cardinality` `min..max` -> `minOccurs` / `maxOccurs`;
- status `C` (conditional) -> `minOccurs="0"` (the ICS2 rules stage checks the condition);
- `anN` / `an..N` -> `xs:string` of exactly N / 1 to N characters, any XML character
  [I: the tables do not list the allowed characters; the empty string is refused];
- `aN` / `a..N` -> `[A-Za-z]{N}` / `[A-Za-z]{1,N}` (upper or lower case);
- `nN` / `n..N` -> `[0-9]{N}` / `[0-9]{1,N}` (a string of digits, so leading zeros are kept);
- `n..16,6` -> `xs:decimal` with at most 16 digits, of which at most 6 decimals, digits and one
  dot only [I: a sign, an exponent and negative values are refused];
- `an20 (YYYY-MM-DDThh:mm:ssZ)` -> an element with a `DateTime` child (as in the sample): an
  `xs:dateTime` with a time zone (`Z` or an offset) and optional fractional seconds;
- `name: null` rows -> left out, with an XML comment saying why;
- `code_list` -> not enforced (the code list values are not public); only the format is.

## What is uncertain

- **Everything is provisional.** Element names, order and cardinalities come from the IE
  tables (v2.02, 2022-05-04) where they could be read; many air ENS trees are reconstructed
  from sibling and amendment tables (see the table below and each file's header comment).
- **Date-time wrapper**: the tables describe flat `an20` values; the sample wraps
  `documentIssueDate` in `<DateTime>` with milliseconds. Every date-time element here uses the
  wrapper; that is not confirmed for the others.
- **Rows without an XML name** (`binaryFile` identification, an..256, M) are left out, so an
  instance carrying that element does not validate here.
- **Character set** of `an` fields is not restricted beyond XML itself (the ICS2 rules stage
  checks characters customs refuses, DQ005). The empty string is refused in every field.
- **Code lists** (CLxxx) are not enforced.
- Not generated (no element tree in the dictionary): {skipped}.

| message | dictionary file | completeness | elements | uncertain | left out (no XML name) |
|---|---|---|---|---|---|
"""

_README_TAIL = """
## Replacing them with the official DG TAXUD XSDs

The engine depends on the file names only: `SchemaSet` loads `<root element name>.xsd` from its
folder when it first sees that root, and lets the files include whatever they include (relative
paths inside the folder; no network). The type names of this set are used only to word the
"expected" text of diagnostics (`an..70 (Alphanumeric_Max70)`); other names are shown as they are.

1. Either copy the official files into this folder, keeping one file per message named after
   its root element (`IE3F26.xsd`, ...) and keeping the files they include next to them
   (remove or keep `ics2_types.xsd`; the official files will not refer to it),
2. or leave this folder alone and point ensgate at another folder: build
   `SchemaSet(folder=Path("/path/to/official"))` and pass it as `schemas=` to
   `check_schema` (the batch pipeline takes the same object in its options, `schemas`);
   a configuration-file setting for the folder only needs to build that object.

If the official set names its files differently, add one small wrapper file per root element
(`IE3F26.xsd` that `xs:include`s the official file). Then run `tests/validate/test_schema.py`:
the shared sample must still validate. The tests that are about this provisional set (the
regenerate-and-compare test, the file count, expected texts that name provisional types) then
need the official names or can be dropped; nothing else changes.
"""


def readme(messages: list[Message], skipped: list[tuple[str, str]]) -> str:
    skipped_text = ", ".join(f"{n} ({c})" for n, c in skipped) or "none"
    lines = [_README_HEAD.replace("{skipped}", skipped_text).rstrip("\n")]
    for m in messages:
        rows = [r for _, r in _walk(m.rows, "")]
        lines.append(
            f"| {m.name} | `{m.file_name.rsplit('/', 1)[-1]}` | {m.completeness} | {len(rows)} | "
            f"{sum(1 for r in rows if r.uncertain)} | {sum(1 for r in rows if r.name is None)} |")
    return "\n".join(lines) + "\n" + _README_TAIL


# ----------------------------------------------------------------------------------------------
# entry points
# ----------------------------------------------------------------------------------------------


def generate(dictionary: Path, tables: Path | None = DEFAULT_TABLES) -> dict[str, str]:
    """File name -> text of every file this tool writes (deterministic)."""
    messages = read_dictionary(dictionary, tables)
    shared = find_shared_types(messages)
    out = {TYPES_FILE: types_xsd(messages, shared)}
    for m in messages:
        out[f"{m.name}.xsd"] = message_xsd(m, shared)
    out["README.md"] = readme(messages, skipped_files(dictionary, tables))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dictionary", type=Path, default=DEFAULT_DICTIONARY)
    parser.add_argument("--tables", type=Path, default=DEFAULT_TABLES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true",
                        help="compare with the files in --out instead of writing; exit 1 if stale")
    args = parser.parse_args(argv)
    files = generate(args.dictionary, args.tables)
    if args.check:
        stale = [n for n, text in files.items()
                 if not (args.out / n).is_file()
                 or (args.out / n).read_text(encoding="utf-8") != text]
        for n in stale:
            print(f"out of date: {args.out / n}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, text in files.items():
        (args.out / n).write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
