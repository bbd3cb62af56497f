"""Peak memory of `translate_to_folder` against input size: it must stay flat.

Usage: python bench/bench_memory.py [MB ...]   (default: 5 20 60)

Each size runs in a fresh process (peak RSS is per process) on a generated file of FWB/17 +
FFM/8 shipments, with the default window (2,000 messages) and piece size (1 MB). A 1 GB input
takes about an hour at the measured throughput, so the default sizes stop earlier; pass 1024 to
run it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_messages import generate

CHILD = """
import resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from ensgate import TranslateOptions, translate_to_folder
t = time.perf_counter()
s = translate_to_folder([sys.argv[1]], Path(sys.argv[2]), TranslateOptions(
    issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, s["messages_in"],
      s["filings_written"], time.perf_counter() - t)
"""


def make_input(path: Path, megabytes: float) -> None:
    target = int(megabytes * 1e6)
    written = 0
    seed = 0
    with path.open("w") as fh:
        while written < target:
            seed += 1
            for msg in generate(500, seed=seed):
                fh.write(msg + "\n")
                written += len(msg) + 1


def main(sizes: list[float]) -> None:
    print(f"{'input MB':>9} {'messages':>9} {'filings':>8} {'peak RSS MB':>12} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            src = Path(tmp) / f"in-{mb}.txt"
            make_input(src, mb)
            out = Path(tmp) / f"out-{mb}"
            t = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", CHILD, str(src), str(out)],
                                 capture_output=True, text=True, check=True)
            rss, msgs, filings, secs = res.stdout.split()
            print(f"{mb:9.0f} {int(msgs):9,} {int(filings):8,} {float(rss):12.0f} "
                  f"{float(secs):8.1f}")
            del t
            src.unlink()
    print("floor: peak RSS of the interpreter with ensgate imported and the schemas compiled "
          "is the first row's order of magnitude; flat = the column does not grow with input.")


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [5, 20, 60])
