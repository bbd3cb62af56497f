"""Kill ``ensgate file`` with SIGKILL at random points against the simulator (a separate
``ensgate simulate`` process), re-run it each time, then check that the simulator received
every filing exactly once (its log of filings, by MessageId) and that the store agrees
(every filing sent once, acknowledged, registered after ``ensgate pull``). The suite runs a
short derandomised version (tests/store/test_crash_filing.py); run this for a longer one::

    python tools/crash_filing.py [SHIPMENTS] [KILLS] [--seed N] [--concurrency N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from crash_store import write_corpus  # noqa: E402

# the simulator's log line for each filing it processed (connectors/simulator/_core.py)
_FILED = re.compile(r"filed (IE3\w+) (\S+) from (\S+) -> (.*)$")
_DUPLICATE = re.compile(r"duplicate (\S+) answered with its first reply")


@dataclass
class FilingCrashReport:
    filings: int = 0
    kills: int = 0
    runs: int = 0
    received: int = 0  # filings the simulator processed (its log)
    duplicates_answered: int = 0  # resends answered from the simulator's duplicate detection
    in_flight_at_kills: int = 0  # filings a kill left sent without a receipt (resent later)
    problems: list[str] = field(default_factory=list)


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("ENSGATE__STORE", None)
    return env


def _ensgate(*args: str) -> list[str]:
    return [sys.executable, "-c", "from ensgate.cli import main; main()", *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ensgate simulate exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("ensgate simulate did not start listening")


def crash_and_check(work: Path, *, shipments: int, kills: int, seed: int = 5,
                    concurrency: int = 4, span: float = 1.0) -> FilingCrashReport:
    """Translate ``shipments`` generated shipments into a store, file them with ``kills``
    SIGKILLs at random instants (each up to ``span`` seconds after the run claimed its first
    filing), finish, pull, and compare simulator and store."""
    from ensgate.seal import make_demo_certs

    report = FilingCrashReport()
    certs = work / "certs"
    make_demo_certs(certs)
    corpus = work / "in"
    write_corpus(corpus, shipments, files=2)
    db = f"sqlite:///{work / 'store.db'}"
    made = subprocess.run(_ensgate("translate", str(corpus), "--store", db, "--out",
                                   str(work / "out"), "-q"), env=_env(), capture_output=True,
                          check=False)
    if made.returncode not in (0, 1):
        raise RuntimeError(f"translate failed: {made.stderr[-2000:]!r}")
    port = _free_port()
    url = f"https://127.0.0.1:{port}/"
    log_path = work / "simulator.log"
    with log_path.open("wb") as log:
        sim = subprocess.Popen(_ensgate("simulate", "--port", str(port), "--certs", str(certs)),
                               env=_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_port(port, sim)
            _file_with_kills(report, url, certs, db, kills=kills, seed=seed,
                             concurrency=concurrency, span=span)
            pulled = subprocess.run(_ensgate("pull", "--endpoint", url, "--certs", str(certs),
                                             "--store", db), env=_env(), capture_output=True,
                                    check=False)
            if pulled.returncode != 0:
                report.problems.append(f"pull exited {pulled.returncode}: "
                                       f"{pulled.stdout[-1000:]!r} {pulled.stderr[-1000:]!r}")
        finally:
            sim.send_signal(signal.SIGINT)
            try:
                sim.wait(timeout=20)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait()
    _compare(report, log_path.read_text(errors="replace"), db)
    return report


def _file_with_kills(report: FilingCrashReport, url: str, certs: Path, db: str, *,
                     kills: int, seed: int, concurrency: int, span: float) -> None:
    command = _ensgate("file", "--endpoint", url, "--certs", str(certs), "--store", db,
                       "--concurrency", str(concurrency))
    rng = random.Random(seed)
    while report.kills < kills:
        report.runs += 1
        before = _claimed(db)
        proc = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # a run first starts the interpreter and opens the store: the kill falls at a random
        # instant within ``span`` seconds after it claimed its first filing
        deadline = time.monotonic() + 60
        while proc.poll() is None and _claimed(db) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            proc.wait(timeout=rng.uniform(0.0, 1.0) * span)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            report.kills += 1
            report.in_flight_at_kills += _in_flight(db)
        else:
            if proc.returncode != 0:
                raise RuntimeError(f"ensgate file exited {proc.returncode}")
            break  # it finished before the kill: the rest of the kills has nothing to hit
    report.runs += 1
    done = subprocess.run(command, env=_env(), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"final ensgate file exited {done.returncode}: "
                           f"{done.stdout[-2000:]!r}")


def _claimed(db: str) -> int:
    """Outbound exchanges committed so far (read without the store's machinery: a plain
    read of the WAL database does not wait for the writer)."""
    import sqlite3
    from contextlib import closing

    path = db.removeprefix("sqlite:///")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            return int(conn.execute(
                "SELECT count(*) FROM exchanges WHERE direction = 'out'").fetchone()[0])
    except sqlite3.Error:
        return -1


def _in_flight(db: str) -> int:
    from ensgate.store import Store

    with Store.open(db) as store:
        return sum(1 for item in store.outbox() if item.message_id)


def _compare(report: FilingCrashReport, log: str, db: str) -> None:
    from sqlalchemy import select

    from ensgate.store import Store
    from ensgate.store._schema import exchanges, filings

    seen = [m.groups() for m in map(_FILED.search, log.splitlines()) if m]
    report.received = len(seen)
    report.duplicates_answered = sum(1 for line in log.splitlines() if _DUPLICATE.search(line))
    by_id = Counter(msg_id for _action, msg_id, _party, _answers in seen)
    with Store.open(db) as store, store.engine.connect() as conn:
        rows = conn.execute(select(filings.c.lrn, filings.c.state, filings.c.mrn,
                                   filings.c.as4_message_id)).all()
        outs = conn.execute(select(exchanges.c.lrn, exchanges.c.as4_message_id,
                                   exchanges.c.receipt).where(
            exchanges.c.direction == "out")).all()
    report.filings = len(rows)
    if not rows:
        report.problems.append("the store holds no filing")
    for msg_id, n in by_id.items():
        if n > 1:
            report.problems.append(f"the simulator processed {msg_id} {n} times")
    if len(seen) != len(rows):
        report.problems.append(f"the simulator processed {len(seen)} filings, the store "
                               f"holds {len(rows)}")
    answered = {a for _act, _id, _p, a in seen}
    if answered != {"IE3R01"}:
        report.problems.append(f"the simulator answered {sorted(answered)}: a filing came "
                               "twice under two MessageIds (R3003) or was refused")
    sent_ids = Counter(o.lrn for o in outs)
    for r in rows:
        if r.state != "registered" or not r.mrn:
            report.problems.append(f"{r.lrn} is {r.state} (MRN {r.mrn})")
        if sent_ids.get(r.lrn) != 1:
            report.problems.append(f"{r.lrn} has {sent_ids.get(r.lrn, 0)} outbound exchanges")
        if r.as4_message_id not in by_id:
            report.problems.append(f"{r.lrn} sent as {r.as4_message_id}, which the "
                                   "simulator never processed")
    if any(o.receipt != "ok" for o in outs):
        report.problems.append("an outbound exchange has no verified receipt")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shipments", nargs="?", type=int, default=300)
    ap.add_argument("kills", nargs="?", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--span", type=float, default=1.0)
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        report = crash_and_check(work, shipments=args.shipments, kills=args.kills,
                                 seed=args.seed, concurrency=args.concurrency, span=args.span)
    print(f"{report.filings} filings, {report.kills} kills in {report.runs} runs "
          f"({report.in_flight_at_kills} filings left in flight by them), "
          f"{report.received} received by the simulator, {report.duplicates_answered} resends "
          f"answered from its duplicate detection, {time.monotonic() - start:.1f} s")
    for p in report.problems:
        print("PROBLEM", p)
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
