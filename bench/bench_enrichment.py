"""The cost of enrichment from reference data, per message, beside the pipeline without it.

Usage: python bench/bench_enrichment.py [N]   (default N = 1000 FWBs)

Traffic: N generated FWB/17 (``gen_messages``) on 10 flights (one per origin/destination
pair, all on 18 Nov), each consignee named after its pair and without a contact person.
Reference data: a CSV schedule and a CSV party book of R rows, R = 10 (the 10 flights and
10 consignees) and R = 100,000 (the same 10 rows among 99,990 others), plus an office table.
Every FWB then finds its flight times in the schedule and its consignee's contact in the book.

Rows of the table (one core, this process, best of 3):

- anchor: the whole pipeline on the same FWBs each with its FFM, no reference data (the
  flight times come from the FFM, as without this feature);
- the whole pipeline on the FWBs alone with the reference data of R rows (the schedule gives
  the times, the book the contact);
- the enrichment stage alone (schedule lookup + party and office fill, on assembled
  shipments), per message, for each R: O(1) lookups give the same cost for 10 and 100,000;
- loading (parse + index) the reference files of R rows, once per content change.
"""

from __future__ import annotations

import gc
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_messages import _DESTS, _ORIGINS, ffm, fwb

from ensgate import TranslateOptions
from ensgate.config import ReferenceDataConfig, load_config
from ensgate.mapping._assemble import assemble, copy_tree
from ensgate.mapping._engine import run_spec
from ensgate.mapping._spec import builtin_specs
from ensgate.pipeline import Enrichment, translate_bytes
from ensgate.pipeline._batch import gc_paused
from ensgate.readers.cargoimp import read_cargoimp
from ensgate.reference import build_reference

ISSUED = datetime(2026, 11, 20, 8, tzinfo=UTC)
PAIRS = [(o, d) for o in _ORIGINS[:5] for d in _DESTS[:2]]  # 10 origin/destination pairs


def traffic(n: int) -> tuple[str, str]:
    """N FWBs (and the same N each with its FFM) on the 10 flights of ``PAIRS``."""
    rng = random.Random(11)
    alone, with_ffm = [], []
    for i in range(n):
        k = i % len(PAIRS)
        orig, dest = PAIRS[k]
        first7 = 2_000_000 + i
        awb = f"160-{first7}{first7 % 7}"
        msg = fwb(rng, awb, orig, dest, 18)
        flight = f"{orig[1]}{700 + k:04d}"
        msg = re.sub(r"^FLT/[^\n]*", f"FLT/{flight}/18", msg, flags=re.M)
        msg = re.sub(r"^NAM/[A-Z]+ IMPORT GMBH$", f"NAM/CONSIGNEE {k} GMBH", msg, flags=re.M)
        alone.append(msg)
        with_ffm += [msg, ffm(flight, orig[0], dest[0], dest[1], 18, [(awb, "")])]
    return "".join(alone), "".join(with_ffm)


def reference_files(folder: Path, rows: int) -> ReferenceDataConfig:
    sched = ["flight,origin,destination,departure,arrival"]
    book = ["name,country,city,contact,phone"]
    for k, (orig, dest) in enumerate(PAIRS):
        sched.append(f"{orig[1]}{700 + k:04d},{orig[0]},{dest[0]},2026-11-18T02:00+00:00,"
                     "2026-11-18T14:00+00:00")
        book.append(f"CONSIGNEE {k} GMBH,{dest[1]},{dest[3]},CONTACT {k},+49 69 1234{k}")
    for i in range(rows - len(PAIRS)):
        sched.append(f"ZZ{i % 9000 + 1},AAA,BBB,2026-{i // 9000 % 12 + 1:02d}-"
                     f"{i % 28 + 1:02d}T02:00+00:00,2026-01-01T00:00+00:00".replace(
                         "2026-01-01T00:00", f"2026-{i // 9000 % 12 + 1:02d}-"
                                             f"{i % 28 + 1:02d}T09:00"))
        book.append(f"FILLER PARTY {i} LTD,DE,BERLIN,SOMEONE,+49 30 1")
    (folder / f"sched-{rows}.csv").write_text("\n".join(sched) + "\n")
    (folder / f"book-{rows}.csv").write_text("\n".join(book) + "\n")
    offices = folder / "offices.csv"
    offices.write_text("# source: benchmark rows (invented)\nairport,office\n"
                       "FRA,DE00BNC1\nAMS,NL00BNC1\n")
    return ReferenceDataConfig(schedules=(folder / f"sched-{rows}.csv",),
                               parties=(folder / f"book-{rows}.csv",), customs_offices=offices)


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        with gc_paused():
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
    return best


def shipments(text: str) -> list[object]:
    specs = builtin_specs()
    frags = []
    for msg in read_cargoimp(text.encode(), file="bench"):
        for spec in specs:
            if spec.matches(msg.format, msg.kind, msg.version):
                frags.extend(run_spec(spec, msg, today="2026-11-20"))
    return list(assemble(frags))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    alone, with_ffm = traffic(n)
    config = load_config()
    out: list[tuple[str, str, str]] = []
    base = TranslateOptions(config=config, issued=ISSUED, today="2026-11-20")
    check = translate_bytes(with_ffm.encode(), options=base)
    assert len(check.filings) == n, check.outcome_counts()
    anchor = best_of(lambda: translate_bytes(with_ffm.encode(), options=base))
    out.append(("anchor: pipeline, FWB + FFM, no reference data",
                f"{n / anchor:,.0f} FWB/s", f"{anchor / n * 1e6:,.0f} µs per FWB"))
    ships = shipments(alone)
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (10, 100_000):
            ref_config = reference_files(Path(tmp), rows)
            t0 = time.perf_counter()
            ref = build_reference(ref_config)
            load = time.perf_counter() - t0
            assert ref.schedules.rows == rows and ref.parties.rows == rows, ref.problems[:3]
            opts = TranslateOptions(config=config, issued=ISSUED, today="2026-11-20",
                                    reference=ref)
            res = translate_bytes(alone.encode(), options=opts)
            assert len(res.filings) == n, res.outcome_counts()
            assert all(any(d.code == "REF001" for d in f.diagnostics) for f in res.filings)
            whole = best_of(lambda o=opts: translate_bytes(alone.encode(), options=o))
            out.append((f"pipeline, FWB alone, reference data of {rows:,} rows",
                        f"{n / whole:,.0f} FWB/s", f"{whole / n * 1e6:,.0f} µs per FWB"))
            enrich = Enrichment(ref)
            best = float("inf")
            for _ in range(5):  # fresh shipments each time (the fill writes into them)
                fresh = [(s, copy_tree(s.data)) for s in ships]  # type: ignore[attr-defined]
                gc.collect()
                with gc_paused():
                    t0 = time.perf_counter()
                    for ship, data in fresh:
                        ship.data = data  # type: ignore[attr-defined]
                        assert enrich.schedule(ship) is not None  # type: ignore[arg-type]
                        enrich.apply(ship, "IE3F28", config)  # type: ignore[arg-type]
                    best = min(best, time.perf_counter() - t0)
            out.append((f"enrichment stage alone, {rows:,} rows", f"{n / best:,.0f} /s",
                        f"{best / n * 1e6:,.1f} µs per FWB"))
            out.append((f"load + index {rows:,} schedule rows and {rows:,} party rows",
                        f"{load:,.3f} s", "once per content change"))
    width = max(len(r[0]) for r in out)
    print(f"bench_enrichment: {n} FWBs on 10 flights (one core)")
    for name, a, b in out:
        print(f"  {name:<{width}}  {a:>14}  {b:>24}")


if __name__ == "__main__":
    main()
