#!/usr/bin/env python3
"""The long fuzz campaign: every reader and XML entry point of ``tests/fuzz_targets.py``.

    python tools/fuzz.py                         # every target, 60 s each
    python tools/fuzz.py --seconds 300 --target as4-verify --target read-x12
    python tools/fuzz.py --iterations 5000 --seed 7 --out fuzz-findings

For each target it prints the inputs run, inputs per second (CPU time of the target only),
the median time per byte, the slowest input and the worst input's time per byte over the
median (re-measured, best of three; inputs count for at least 256 bytes). A finding (an
invariant broken, an exception out of ensgate, or an input costing more than 100 times the
median time per byte) is written to ``--out`` with its traceback; the exit code is 1 when
there is one. The short derandomised version of the same targets runs in the test suite
(``tests/fuzz/``).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE / "tests"))

from fuzz_targets import (  # noqa: E402
    MAX_RATIO,
    CostMeter,
    FuzzTarget,
    cpu_time,
    targets,
    warm_up,
)


def campaign(target: FuzzTarget, *, seconds: float, iterations: int | None, seed: int,
             out: Path) -> tuple[int, list[str]]:
    rng = random.Random(f"{seed}-{target.name}")
    seeds = target.seeds()
    warm_up(target)
    meter = CostMeter()
    findings: list[str] = []
    spent = 0.0
    started = time.monotonic()
    n = 0
    while (n < iterations) if iterations is not None else (time.monotonic() - started < seconds):
        data = target.mutate(rng, rng.choice(seeds))
        failure: list[str] = []

        def one(d: bytes = data, failed: list[str] = failure) -> None:
            try:
                target.run(d)
            except Exception:  # a campaign records every finding and goes on
                failed.append(traceback.format_exc())

        took = cpu_time(one)
        if failure:
            findings.append(_save(out, target, n, data, failure[0]))
        spent += took
        meter.add(took, data)
        n += 1
    report = meter.report(target)
    rate = n / spent if spent else float("inf")
    slow_t, slow_n, slow = report.slowest
    print(f"{target.name:20} {n:8d} inputs {rate:9.0f}/s  median "
          f"{report.median_per_byte * 1e9:8.1f} ns/byte  slowest {slow_t * 1e3:8.1f} ms "
          f"({slow_n} bytes)  worst {report.worst_ratio:6.1f}x median per byte (first run "
          f"{report.first_ratio:.1f}x)", flush=True)
    print(f"{'':20} slowest input starts {slow[:90]!r}", flush=True)
    if report.worst_ratio > MAX_RATIO:
        findings.append(_save(out, target, -1, report.worst,
                              f"{report.worst_ratio:.0f}x the median time per byte\n"))
    return n, findings


def _save(out: Path, target: FuzzTarget, n: int, data: bytes, why: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{target.name}-{n if n >= 0 else 'slow'}-{abs(hash(data)) % 10**8:08d}"
    stem.with_suffix(".bin").write_bytes(data)
    stem.with_suffix(".txt").write_text(why)
    print(f"FINDING {stem.name}: {why.strip().splitlines()[-1]}", flush=True)
    return str(stem)


def main() -> int:
    logging.getLogger("ensgate").setLevel(logging.ERROR)  # the simulator's warnings: noise here
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", action="append", choices=sorted(targets()),
                    help="run only these targets (repeatable)")
    ap.add_argument("--seconds", type=float, default=60.0, help="wall time per target")
    ap.add_argument("--iterations", type=int, help="inputs per target (instead of --seconds)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    args = ap.parse_args()
    total, findings = 0, []
    for name in args.target or sorted(targets()):
        n, found = campaign(targets()[name], seconds=args.seconds, iterations=args.iterations,
                            seed=args.seed, out=args.out)
        total += n
        findings += found
    print(f"{total} inputs, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
