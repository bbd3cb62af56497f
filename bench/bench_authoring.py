"""Authoring toolkit speed: what an analyst waits for, beside the batch translate of the same
messages (the floor: trace and test cannot be faster than mapping the messages once).

    python bench/bench_authoring.py [REPEAT]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from ensgate.authoring import (
    explain,
    find_cases,
    lint_spec,
    read_inputs,
    render_doc,
    run_case,
    run_files,
    trace_rows,
)
from ensgate.mapping._spec import load_spec
from ensgate.pipeline import TranslateOptions, translate_messages

ROOT = Path(__file__).resolve().parents[1]
S1 = sorted((ROOT / "samples" / "cargo-imp").glob("s1-*"))  # FWB + 3 FHL + FFM: 5 messages
FWB = ROOT / "mappings" / "cargoimp-fwb.yaml"


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    spec = load_spec(FWB)
    msgs = read_inputs(S1)
    run = run_files(spec, S1)
    rows = trace_rows(run)
    spec_rows = [r for r in rows if r.origin == "spec"]
    (case,) = find_cases([ROOT / "tests" / "mappings" / "cargoimp-fwb" /
                          "s3-direct-security.yaml"])
    figures = [
        ("floor: translate_messages (S1, 5 messages, 1 filing)",
         best(lambda: translate_messages(msgs, TranslateOptions()), repeat)),
        ("map trace (S1: map, assemble, site data, marker render)",
         best(lambda: trace_rows(run_files(spec, S1)), repeat)),
        (f"map explain, all {len(spec_rows)} spec values of S1 (one by one)",
         best(lambda: [explain(run, r.xpath, rows=rows) for r in spec_rows], repeat)),
        ("map test, one case (S3 FWB + FFM, full pipeline)",
         best(lambda: run_case(spec, case), repeat)),
        ("map lint cargoimp-fwb (F28 + F20)", best(lambda: lint_spec(FWB), repeat)),
        ("map doc cargoimp-fwb --format html", best(lambda: render_doc(spec, "html"), repeat)),
    ]
    print(f"| operation | ms (best of {repeat}) |")
    print("|---|---|")
    for name, ms in figures:
        print(f"| {name} | {ms:,.1f} |")


if __name__ == "__main__":
    main()
