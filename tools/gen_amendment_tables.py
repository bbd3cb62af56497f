#!/usr/bin/env python3
"""Generate the amendment tables (IE3A20..IE3A29, IE3A32) and the R3024 lock list.

ICD v3.30 (2.1.2): an amendment "by submitting a new data-set ... completely replaces the data-set
previously associated with the MRN"; the dictionary README (shared/reference/ics2/dictionary)
records that the IE3Axx tables match their filing's IE3Fxx rows except the header (no LRN;
``documentIssueDate``, ``referralRequestReference`` 0..1 an..17, ``MRN`` 1..1 an18 R3004) and
rule R3024 ("the element cannot be changed by an amendment") on some rows. This dev tool
applies exactly that to each filing table ensgate files and writes:

- ``tools/ics2_tables/IE3A<nn>.yaml``: the amendment table (dictionary format), each row with
  ``source`` and, where R3024 applies, ``rules: [R3024]`` and ``r3024: read|inferred``;
- ``engine/amendments/r3024.yaml``: per amendment message, the locked paths (relative to the
  root) with ``read`` (the IE3Axx row was read with R3024) or ``inferred`` [I].

R3024 per row: **read** when the filing's dictionary row came from the amendment twin with
R3024 (its ``source`` says "R3024 dropped"); **inferred** [I] when the same path (from the root)
carries a read R3024 in another air filing's amendment table. No other row is locked.

Usage::

    python tools/gen_amendment_tables.py            # write
    python tools/gen_amendment_tables.py --check    # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DICTIONARY = REPO / ".." / "shared" / "reference" / "ics2" / "dictionary"
TABLES = REPO / "tools" / "ics2_tables"
LOCKS = REPO / "engine" / "amendments" / "r3024.yaml"
# IE3F25 has no amendment: the ICD v3.30 Annex 1 lists IE3A10..IE3A51 without IE3A25.
FILINGS = ("IE3F20", "IE3F21", "IE3F22", "IE3F23", "IE3F24", "IE3F26", "IE3F27",
           "IE3F28", "IE3F29", "IE3F32")
_DROPPED = "R3024 dropped"


def amendment_of(filing: str) -> str:
    """IE3F20 -> IE3A20 (ICD Annex 1: E_ENS_xxx_AMD amends E_ENS_xxx_DEC)."""
    return "IE3A" + filing[4:]


def _walk(rows: list[dict[str, Any]], path: str):
    for r in rows:
        p = f"{path}/{r.get('name')}"
        yield p, r
        yield from _walk(r.get("children") or [], p)


def read_locks(dictionary: Path) -> dict[str, set[str]]:
    """Filing -> paths whose amendment row was read with R3024."""
    out: dict[str, set[str]] = {}
    for filing in FILINGS:
        data = yaml.safe_load((dictionary / f"{filing}.yaml").read_text(encoding="utf-8"))
        out[filing] = {p for p, r in _walk(data["elements"], "")
                       if _DROPPED in str(r.get("source", ""))}
    return out


def _header(issue: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        issue,
        {"name": "referralRequestReference", "label": "Referral request reference",
         "cardinality": "0..1", "status": "O", "format": "an..17",
         "source": "amendment header (dictionary README: A-message header)"},
        {"name": "MRN", "label": "MRN", "cardinality": "1..1", "status": "M", "format": "an18",
         "rules": ["R3004"], "source": "amendment header (dictionary README: A-message header)"},
    ]


def amendment_table(filing: str, data: dict[str, Any], read: set[str],
                    union: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    rows = copy.deepcopy(data["elements"])
    by_name = {r["name"]: r for r in rows}
    issue = by_name["documentIssueDate"]
    body = [r for r in rows if r["name"] not in ("LRN", "documentIssueDate")]
    locks: dict[str, str] = {}
    for p, r in _walk(body, ""):
        how = "read" if p in read else "inferred" if p in union else None
        if how is None:
            continue
        rules = [x for x in r.get("rules") or [] if x != "R3024"]
        r["rules"] = [*rules, "R3024"]
        r["r3024"] = how
        locks[p] = how
    message = amendment_of(filing)
    table = {
        "message": message,
        "root_element": message,
        "namespace": data["namespace"],
        "description": f"Amendment of {filing} ({data.get('description', '')})",
        "source_workbook": data.get("source_workbook"),
        "completeness": "derived",
        "uncertain": True,
        "uncertain_reason": (
            f"Derived by tools/gen_amendment_tables.py from dictionary/{filing}.yaml: the "
            f"{filing} rows without LRN, under the amendment header; R3024 read on "
            f"{sum(1 for v in locks.values() if v == 'read')} rows, inferred [I] on "
            f"{sum(1 for v in locks.values() if v == 'inferred')} (same path locked in another "
            f"air amendment table). Rows inherit the {filing} row's own certainty."),
        "elements": _header(issue) + body,
    }
    return table, locks


def generate(dictionary: Path) -> dict[Path, str]:
    read = read_locks(dictionary)
    union = set().union(*read.values())
    files: dict[Path, str] = {}
    all_locks: dict[str, dict[str, str]] = {}
    for filing in FILINGS:
        data = yaml.safe_load((dictionary / f"{filing}.yaml").read_text(encoding="utf-8"))
        table, locks = amendment_table(filing, data, read[filing], union)
        files[TABLES / f"{table['message']}.yaml"] = (
            "# GENERATED by tools/gen_amendment_tables.py from the shared dictionary; do not edit\n"
            + yaml.safe_dump(table, sort_keys=False, width=140, allow_unicode=True))
        all_locks[table["message"]] = dict(sorted(locks.items()))
    files[LOCKS] = (
        "# GENERATED by tools/gen_amendment_tables.py; do not edit.\n"
        "# R3024 (the element cannot be changed by an amendment): per amendment message, the\n"
        "# locked paths from the root, 'read' (IE3Axx row read with R3024) or 'inferred' [I]\n"
        "# (the same path is locked in another air amendment table). See docs/amendments.md.\n"
        + yaml.safe_dump(all_locks, sort_keys=True, width=140))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dictionary", type=Path, default=DEFAULT_DICTIONARY)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    files = generate(args.dictionary)
    if args.check:
        stale = [p for p, text in files.items()
                 if not p.is_file() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"out of date: {p}", file=sys.stderr)
        return 1 if stale else 0
    for p, text in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
