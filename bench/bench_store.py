"""What the shipment store costs: messages/s of ``translate`` through the store on SQLite and
on PostgreSQL beside the same run without it, on the same generated input in the same run;
then the peak RSS of a store run on a large input (fresh process).

Usage: python bench/bench_store.py [SHIPMENTS] [--rss-mb MB] [--pg URL] [--rounds N]

SHIPMENTS (default 2000) generated FWB/17 + FFM/8 pairs in 5 files. Each configuration runs
``--rounds`` times (default 3) interleaved with the others, best kept, each run in a fresh
process (specs compiled by a warm-up run first, then the timed run) on a fresh store:

- without the store: ``ensgate.translate`` (one in-memory unit, nothing kept), and the same
  plus ``write_batch`` of its result to a folder (what the CLI did before the store);
- SQLite store (a file, WAL, synchronous=FULL), without and with the output folder (exports
  through the outbox: temp file, one syncfs per window, rename, folder fsync);
- PostgreSQL store (``--pg``, default the server on 127.0.0.1:5432, database
  ``ensgate_bench``, made and dropped), without and with the output folder.

Target: the store costs at most 25 % (its messages/s at least 80 % of the run without it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_messages import generate

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ensgate_bench"

RUN_CHILD = """
import json, resource, sys, time
from pathlib import Path
from ensgate import translate, write_batch
from ensgate.store import Store
kind, inputs, out, url = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
translate([inputs])  # warm-up: specs compiled, templates loaded
r0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
if kind == "memory":
    result = translate([inputs])
    if out != "-":
        write_batch(result, Path(out))
else:
    with Store.open(url) as st:
        st.translate([inputs], None if out == "-" else Path(out))
wall = time.perf_counter() - t
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)}))
"""

RSS_CHILD = """
import resource, sys, time
from pathlib import Path
from ensgate.store import Store
t = time.perf_counter()
with Store.open(sys.argv[3]) as store:
    s = store.translate([sys.argv[1]], Path(sys.argv[2]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, s["messages_in"],
      s["filings_written"], time.perf_counter() - t)
"""


def write_input(folder: Path, shipments: int, files: int = 5) -> int:
    msgs = list(generate(shipments, seed=21))
    per = (len(msgs) + files - 1) // files
    for i in range(files):
        (folder / f"part-{i}.txt").write_text("\n".join(msgs[i * per:(i + 1) * per]))
    return len(msgs)


def make_large(path: Path, megabytes: float) -> None:
    target, written, seed = int(megabytes * 1e6), 0, 0
    with path.open("w") as fh:
        while written < target:
            seed += 1
            for msg in generate(500, seed=seed):
                fh.write(msg + "\n")
                written += len(msg) + 1


def postgres(url: str) -> tuple[str, Callable[[], None]] | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as exc:
        print(f"PostgreSQL not usable ({exc}); its rows are left out")
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def fresh_pg_schema(base: str, n: int) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS b{n} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA b{n}"))
    engine.dispose()
    return make_url(base).update_query_dict({"options": f"-csearch_path=b{n}"}).render_as_string(
        hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shipments", type=int, nargs="?", default=2000)
    ap.add_argument("--rss-mb", type=float, default=20.0)
    ap.add_argument("--pg", default=DEFAULT_PG)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import json

    work = Path(tempfile.mkdtemp(prefix="ensgate-bench-store-"))
    inputs = work / "in"
    inputs.mkdir()
    n_msgs = write_input(inputs, args.shipments)
    pg = postgres(args.pg)
    counter = iter(range(10_000))

    def child(kind: str, out: bool, url: str = "-") -> tuple[float, float]:
        n = next(counter)
        folder = str(work / f"o{n}") if out else "-"
        if kind == "sqlite":
            url = f"sqlite:///{work / f's{n}.db'}"
        elif kind == "pg" and pg:
            url = fresh_pg_schema(pg[0], n)
        done = subprocess.run([sys.executable, "-c", RUN_CHILD,
                               "memory" if kind == "memory" else "store", str(inputs), folder,
                               url], capture_output=True, text=True, check=True)
        got = json.loads(done.stdout.strip().splitlines()[-1])
        shutil.rmtree(work / f"o{n}", ignore_errors=True)
        return got["wall"], got["cpu"]

    configs: list[tuple[str, str, bool]] = [
        ("without store (translate)", "memory", False),
        ("without store + write_batch to a folder", "memory", True),
        ("SQLite store", "sqlite", False),
        ("SQLite store + output folder", "sqlite", True),
    ]
    if pg:
        configs += [("PostgreSQL store", "pg", False),
                    ("PostgreSQL store + output folder", "pg", True)]
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(args.rounds):  # --rounds 0: only the peak RSS below
        for name, kind, out in configs:
            wall, used = child(kind, out)
            best[name] = min(best.get(name, 1e9), wall)
            cpu[name] = min(cpu.get(name, 1e9), used)
    if not args.rounds:
        configs = []
    print(f"{n_msgs:,} messages ({args.shipments:,} FWB + FFM shipments, 5 files), best of "
          f"{args.rounds}, each run in a fresh process; wall clock, and CPU time of the "
          "process (PostgreSQL's own work is in its server: only the wall clock counts it)")
    print(f"{'run':<42} {'msg/s':>8} {'vs without':>11} {'CPU msg/s':>10} {'vs without':>11}")
    ref = {False: "without store (translate)", True: "without store + write_batch to a folder"}
    for name, _kind, _out in configs:
        base = ref["folder" in name]
        print(f"{name:<42} {n_msgs / best[name]:8.0f} {best[base] / best[name]:10.0%} "
              f"{n_msgs / cpu[name]:10.0f} {cpu[base] / cpu[name]:10.0%}")
    if args.rss_mb:
        big = work / "large.txt"
        make_large(big, args.rss_mb)
        size = big.stat().st_size / 1e6
        for label, url in (("SQLite", f"sqlite:///{work / 'rss.db'}"),) + (
                (("PostgreSQL", fresh_pg_schema(pg[0], 9999)),) if pg else ()):
            res = subprocess.run([sys.executable, "-c", RSS_CHILD, str(big),
                                  str(work / f"rss-out-{label}"), url],
                                 capture_output=True, text=True, check=False)
            if res.returncode != 0:
                print(f"peak RSS, {label}: the run failed ({res.returncode}):\n"
                      f"{res.stderr[-3000:]}")
                continue
            rss, msgs, filings, secs = res.stdout.split()
            print(f"peak RSS, {label} store + folder, {size:.0f} MB input: {float(rss):.0f} MB "
                  f"({int(msgs):,} messages, {int(filings):,} filings, {float(secs):.0f} s)")
    if pg:
        pg[1]()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
