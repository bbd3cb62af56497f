"""Simulated customs and answer reading: filings answered per second on one core.

    python bench/bench_answers.py [N]

Files N copies of each pipeline ENS from samples/cargo-imp (each with its own LRN) through
``SimulatedCustoms.file`` (scenario HIGH_RISK_SCREENING: IE3R01 + IE3Q03), and reads every
answer back with ``read_answer``. The floors: validation alone (parse + XSD + ICS2 rules, what
``file`` must do anyway) and a bare lxml parse of the answers.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.answers import Scenario, SimulatedCustoms, read_answer
from ensgate.validate import SchemaSet, check_rules, check_schema, parse_ens_xml

ROOT = Path(__file__).resolve().parents[1]
NS = "{urn:wco:datamodel:eu:ics2:2}"


def filings(n: int) -> list[bytes]:
    result = translate([str(ROOT / "samples" / "cargo-imp")],
                       TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC),
                                        today="2026-11-20"))
    out = []
    for i in range(n):
        for f in result.filings:
            root = etree.fromstring(f.xml)
            lrn = root.find(NS + "LRN")
            assert lrn is not None
            lrn.text = f"B{i:06d}{(lrn.text or '')[:14]}"
            out.append(etree.tostring(root))
    return out


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    docs = filings(n)
    schemas = SchemaSet()
    t0 = time.perf_counter()
    for d in docs:
        tree, _ = parse_ens_xml(d)
        check_schema(tree, schemas=schemas)
        check_rules(tree.getroot())
    floor_validate = time.perf_counter() - t0

    sim = SimulatedCustoms(scenario=Scenario.HIGH_RISK_SCREENING, schemas=schemas)
    t0 = time.perf_counter()
    answers = [a for d in docs for a in sim.file(d, sender="DE0000DEMO0001")]
    filed = time.perf_counter() - t0
    assert all(a.message_type in ("IE3R01", "IE3Q03") for a in answers)

    t0 = time.perf_counter()
    for a in answers:
        etree.fromstring(a.xml)
    floor_parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a in answers:
        read_answer(a.xml)
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a in answers:
        read_answer(a.xml, check=False)
    read_unchecked = time.perf_counter() - t0

    print(f"{len(docs)} filings, {len(answers)} answers")
    print(f"| {'measure':<48} | {'ours /s':>9} | {'floor /s':>9} |")
    print(f"|{'-' * 50}|{'-' * 11}|{'-' * 11}|")
    print(f"| {'SimulatedCustoms.file (filings; floor: validate)':<48} | "
          f"{rate(len(docs), filed):>9} | {rate(len(docs), floor_validate):>9} |")
    print(f"| {'read_answer with XSD check (floor: lxml parse)':<48} | "
          f"{rate(len(answers), read):>9} | {rate(len(answers), floor_parse):>9} |")
    print(f"| {'read_answer, check=False (floor: lxml parse)':<48} | "
          f"{rate(len(answers), read_unchecked):>9} | {rate(len(answers), floor_parse):>9} |")


if __name__ == "__main__":
    main()
