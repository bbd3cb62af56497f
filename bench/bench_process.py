"""Whole-process ``ensgate translate`` into the store (no ``--out``), as an operator runs it.

    python bench/bench_process.py [MB ...] [--jobs 1,2] [--runs 2]

For each input size (default 10 MB) a file of generated FWB/17 + FFM/8 shipments
(``gen_messages``) is translated into a fresh SQLite store by a fresh ``ensgate translate``
process with each ``--jobs`` value; printed per run: messages/s by the wall clock and by the
CPU time of the process and its workers, and the peak RSS of the largest process (the
operating system's accounting of the finished children), beside the targets of issue 13
(1,500 messages/s with one job, 2,700/s with two, peak RSS under 250 MB). The anchor in the
same run is a one-job run: the two-job figure is read as its ratio to it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import make_input

ENSGATE = Path(sys.executable).with_name("ensgate")


def _run(inputs: Path, store: Path, jobs: int) -> tuple[float, float, float]:
    """(wall s, cpu s of the process and its children, peak RSS MB of the largest)."""
    for p in store.parent.glob(store.name + "*"):
        p.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(ENSGATE), "translate", str(inputs), "--store", f"sqlite:///{store}",
                    "-q", "--jobs", str(jobs)], check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def _messages(path: Path) -> int:
    text = path.read_bytes()
    return text.count(b"\nFWB/") + text.count(b"\nFFM/") + text.startswith(b"FWB/")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=float, default=[10.0])
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    work = Path(tempfile.mkdtemp(prefix="ensgate-bench-"))
    try:
        print(f"{'MB':>6} {'jobs':>4} {'messages':>9} {'wall s':>8} {'msg/s':>7} "
              f"{'cpu s':>7} {'msg/cpu-s':>9} {'peak MB':>8}  target")
        for mb in args.sizes:
            folder = work / f"in{mb:g}"
            folder.mkdir()
            make_input(folder / "generated.txt", mb)
            n = _messages(folder / "generated.txt")
            for _ in range(args.runs):
                for j in jobs:
                    wall, cpu, peak = _run(folder, work / "store.db", j)
                    target = {1: "1,500/s", 2: "2,700/s"}.get(j, "")
                    print(f"{mb:>6g} {j:>4} {n:>9,} {wall:>8.1f} {n / wall:>7,.0f} "
                          f"{cpu:>7.1f} {n / cpu:>9,.0f} {peak:>8.0f}  {target}, < 250 MB",
                          flush=True)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if os.environ.get("ENSGATE_BENCH_KEEP"):
        print(work)


if __name__ == "__main__":
    main()
