"""Throughput of translate + validate on generated FWB traffic, beside its floor.

Usage: python bench/bench_translate.py [N]   (default N = 2000 shipments: FWB/17 + FFM/8)

Prints one table: messages per second on one core for the whole pipeline (read, map, join,
render, XSD, ICS2 rules), each stage alone, the floor (lxml parse + serialise of the very same
ENS outputs: the least any XML-producing engine must do), the target from the issue, and the
peak resident memory. Runs in this process, on one core; nothing is timed inside unit tests.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).parent))
from gen_messages import generate

from ensgate import TranslateOptions
from ensgate.mapping._assemble import assemble
from ensgate.mapping._engine import run_spec
from ensgate.mapping._spec import builtin_specs
from ensgate.pipeline import translate_bytes
from ensgate.pipeline._batch import gc_paused
from ensgate.readers.cargoimp import read_cargoimp
from ensgate.render import Renderer
from ensgate.validate import check_rules, check_schema

TARGET = 5000.0  # FWB -> ENS per second per core with validation (issue #2)


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs, each with the garbage collector paused as the
    pipeline pauses it (``gc_paused``), so a stage alone is timed as it runs in a batch."""
    times = []
    for _ in range(repeat):
        gc.collect()
        with gc_paused():
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return min(times)


def main(n: int) -> None:
    data = "\n".join(generate(n)).encode()
    opts = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")
    result = translate_bytes(data, options=opts)  # warm-up: compile specs, templates, schemas
    fwbs = n
    filings = len(result.filings)
    outputs = [f.xml for f in result.filings]

    whole = best_of(lambda: translate_bytes(data, options=opts))
    messages = read_cargoimp(data, file="bench")
    read_t = best_of(lambda: read_cargoimp(data, file="bench"))
    specs = {s.message: s for s in builtin_specs()}
    map_t = best_of(lambda: [run_spec(specs[m.kind], m, today="2026-11-20") for m in messages])
    frags = [f for m in messages for f in run_spec(specs[m.kind], m, today="2026-11-20")]
    ships = assemble(frags)
    renderer = Renderer()
    render_t = best_of(lambda: [renderer.render("F28", s.data) for s in ships])
    trees = [etree.fromstring(x) for x in outputs]
    xsd_t = best_of(lambda: [check_schema(t) for t in trees])
    rules_t = best_of(lambda: [check_rules(t, message="IE3F28") for t in trees])
    floor_t = best_of(lambda: [etree.tostring(etree.fromstring(x)) for x in outputs])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rate = fwbs / whole
    rows = [
        ("whole pipeline (FWB->ENS, validated)", rate, f"{TARGET:,.0f}"),
        ("  read (FWB + FFM)", fwbs / read_t, ""),
        ("  map (FWB + FFM specs)", fwbs / map_t, ""),
        ("  render (Jinja)", fwbs / render_t, ""),
        ("  XSD (lxml)", fwbs / xsd_t, ""),
        ("  ICS2 rules", fwbs / rules_t, ""),
        ("floor: lxml parse + serialise of the outputs", filings / floor_t, ""),
    ]
    print(f"\nensgate translate benchmark: {n} shipments (FWB/17 + FFM/8 each), "
          f"{len(data) / 1e6:.1f} MB, {filings} filings, {len(result.rejects)} rejects, 1 core")
    print(f"{'stage':48} {'shipments/s':>12} {'target':>9}")
    for name, value, target in rows:
        print(f"{name:48} {value:12,.0f} {target:>9}")
    print(f"{'peak RSS (MB)':48} {rss_mb:12,.0f}")
    speedup = filings / floor_t / rate
    print(f"whole pipeline = {rate / TARGET:.1%} of target; floor is {speedup:.0f}x "
          "faster than the pipeline")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
