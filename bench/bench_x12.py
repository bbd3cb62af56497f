"""X12 reading speed: ensgate's lexer and reader beside pyx12's generic segment reader.

Usage: python bench/bench_x12.py [SETS]   (default 5000 transaction sets, about 4 MB)

The input repeats the two 858 sets of ``samples/x12/`` with fresh control numbers and AWB
serials, 500 sets per functional group, one interchange. Every reader gets the same text; the
table gives segments per second and MB/s, best of 5 runs. The floor is two C-level
``str.split`` passes (segments, then elements) with no offsets, checks or trees: no Python
lexer can beat it. pyx12 is the generic ``X12Reader`` (segments + its envelope counts); it has
no map for 858/309, so its validating parser cannot be used on these sets at all.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ensgate.readers.x12 import read_x12
from ensgate.readers.x12._envelope import split_interchanges
from ensgate.readers.x12._lexer import Delimiters, lex, read_isa

SAMPLE = next((Path(__file__).resolve().parents[1] / "samples" / "x12").glob("858-*.x12"))


def generate(n_sets: int) -> str:
    text = SAMPLE.read_text("ascii")
    segs = text.split("~\n")
    isa = segs[0]
    body = segs[2:segs.index("GE*2*905")]
    sets: list[list[str]] = []
    cur: list[str] = []
    for s in body:
        cur.append(s)
        if s.startswith("SE*"):
            sets.append(cur)
            cur = []
    out = [isa]
    groups = 0
    for start in range(0, n_sets, 500):
        groups += 1
        out.append(f"GS*SI*PRAIRIEFWD*ENSGATE*20261118*1630*{groups}*X*004010")
        count = min(500, n_sets - start)
        for i in range(count):
            n = start + i
            tpl = sets[n % 2]
            ctl = f"{n + 1:04d}"
            serial = f"{(n * 7919) % 10_000_000:07d}"
            awb = f"020-{serial}{int(serial) % 7}"
            for s in tpl:
                if s.startswith(("ST*", "SE*")):
                    s = s.rsplit("*", 1)[0] + "*" + ctl
                out.append(s.replace("020-61183253", awb).replace("006-33904172", awb))
        out.append(f"GE*{count}*{groups}")
    out.append(f"IEA*{groups}*000000905")
    return "~\n".join(out) + "~\n"


def best(fn: Callable[[], int], runs: int = 5) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - t)
    return min(times), count


def main(n_sets: int) -> None:
    text = generate(n_sets)
    data = text.encode("ascii")
    mb = len(data) / 1e6

    def floor() -> int:
        return sum(len(s.split("*")) > 0 for s in text.split("~"))

    def ours_lex() -> int:
        d = read_isa(text, 0)
        assert isinstance(d, Delimiters)
        segs, _tail, _end = lex(text, 0, d, 1)
        return len(segs)

    def ours_envelope() -> int:
        sets, orphans = split_interchanges(text, "bench")
        assert not orphans and not any(s.all_diagnostics for s in sets)
        return sum(len(s.segments) for s in sets)

    def ours_read() -> int:
        msgs = read_x12(data, file="bench")
        assert len(msgs) == n_sets and not any(m.diagnostics for m in msgs)
        return sum(1 for m in msgs for _ in m.root.walk())

    rows: list[tuple[str, float, int]] = [("floor: str.split x2 (no checks)", *best(floor))]
    try:
        import pyx12.x12file as x12file

        def pyx12_reader() -> int:
            r = x12file.X12Reader(io.StringIO(text))
            n = sum(1 for _ in r)
            r.cleanup()
            assert not r.pop_errors()
            return n

        def pyx12_values() -> int:
            r = x12file.X12Reader(io.StringIO(text))
            n = 0
            for seg in r:
                _ = [c.format() for c in seg.elements]
                n += 1
            return n

        rows.append(("pyx12 X12Reader (segments + envelope counts)", *best(pyx12_reader)))
        rows.append(("pyx12 X12Reader + element text", *best(pyx12_values)))
    except ImportError:
        print("pyx12 is not installed: pip install pyx12 (test extra) to compare")
    rows.append(("ensgate lexer (segments + offsets)", *best(ours_lex)))
    rows.append(("ensgate lexer + envelope checks", *best(ours_envelope)))
    t_read, nodes = best(ours_read)
    segments = ours_lex()
    print(f"input: {n_sets:,} transaction sets, {segments:,} segments, {mb:.2f} MB")
    print(f"{'reader':48} {'seconds':>8} {'segments/s':>12} {'MB/s':>7}")
    for name, secs, _n in rows:
        print(f"{name:48} {secs:8.3f} {segments / secs:12,.0f} {mb / secs:7.1f}")
    print(f"{'ensgate read_x12 (+ source trees, positions)':48} {t_read:8.3f} "
          f"{segments / t_read:12,.0f} {mb / t_read:7.1f}   ({nodes:,} records, "
          f"{n_sets / t_read:,.0f} sets/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
