"""Kill ``ensgate translate`` with SIGKILL at random points, re-run it each time, and compare
the final store and output folder with a clean single run (the crash test of the shipment
store). The suite runs a short derandomised version (tests/store/test_crash.py); run this
for a longer one::

    python tools/crash_store.py [SHIPMENTS] [KILLS] [--seed N] [--window N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from gen_messages import generate  # noqa: E402

_ISSUE = re.compile(rb"<documentIssueDate>\s*<DateTime>[^<]*</DateTime>\s*</documentIssueDate>")


@dataclass
class CrashReport:
    kills: int = 0
    runs: int = 0
    clean_seconds: float = 0.0
    differences: list[str] = field(default_factory=list)
    filings: int = 0
    messages: int = 0


def write_corpus(folder: Path, shipments: int, *, files: int = 6, seed: int = 11) -> int:
    """``shipments`` generated FWB + FFM pairs in ``files`` files (name order = read order);
    returns the number of messages."""
    folder.mkdir(parents=True, exist_ok=True)
    msgs = list(generate(shipments, seed=seed))
    per = (len(msgs) + files - 1) // files
    for i in range(files):
        part = msgs[i * per:(i + 1) * per]
        if part:
            (folder / f"part-{i:02d}.txt").write_text("\n".join(part))
    return len(msgs)


def _command(inputs: Path, out: Path, store: str, window: int) -> list[str]:
    return [sys.executable, "-c", "from ensgate.cli import main; main()", "translate",
            str(inputs), "--out", str(out), "--store", store, "--window", str(window), "-q"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ENSGATE__STORE", None)
    return env


def run_clean(inputs: Path, work: Path, window: int) -> tuple[Path, str, float]:
    out, store = work / "clean-out", f"sqlite:///{work / 'clean.db'}"
    start = time.monotonic()
    done = subprocess.run(_command(inputs, out, store, window), env=_env(),
                          capture_output=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"clean run failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return out, store, time.monotonic() - start


def run_with_kills(inputs: Path, work: Path, window: int, kills: int, seed: int,
                   span: float) -> tuple[Path, str, CrashReport]:
    """Start the run, SIGKILL it after a random delay, start it again... ``kills`` times;
    then let it finish. ``span`` bounds the delays (about the clean run's length)."""
    out, store = work / "crash-out", f"sqlite:///{work / 'crash.db'}"
    rng = random.Random(seed)
    report = CrashReport()
    while report.kills < kills:
        report.runs += 1
        proc = subprocess.Popen(_command(inputs, out, store, window), env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        delay = rng.uniform(0.05, 1.0) * span
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            report.kills += 1
        else:
            if proc.returncode not in (0, 1):
                err = proc.stderr.read() if proc.stderr else b""
                raise RuntimeError(f"run failed ({proc.returncode}): {err[-2000:]!r}")
        finally:
            if proc.stderr:
                proc.stderr.close()
    report.runs += 1
    done = subprocess.run(_command(inputs, out, store, window), env=_env(),
                          capture_output=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"final run failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return out, store, report


def _store_state(url: str) -> dict[str, Any]:
    from ensgate.store import Store

    with Store.open(url) as store:
        filings = {f.lrn: (f.filing, f.state, f.shipment, _ISSUE.sub(b"", f.xml))
                   for f in store.filings()}
        lrns = [f.lrn for f in store.filings()]
        report = store.report()
        with store.engine.connect() as conn:
            hashes = conn.exec_driver_sql("SELECT count(*), count(DISTINCT content_hash) "
                                          "FROM messages").one()
            outcomes = dict(conn.exec_driver_sql(
                "SELECT file || '#' || idx, outcome FROM messages").all())
            exports = conn.exec_driver_sql(
                "SELECT count(*) FROM exports WHERE state <> 'done'").scalar()
    return {"filings": filings, "lrns": lrns, "report": report, "hashes": tuple(hashes),
            "outcomes": outcomes, "queued": exports}


def _folder(out: Path) -> dict[str, bytes]:
    files = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and p.name != "summary.json":
            data = p.read_bytes()
            files[str(p.relative_to(out))] = _ISSUE.sub(b"", data) if p.suffix == ".xml" \
                else data
    return files


def compare(clean_out: Path, clean_store: str, crash_out: Path, crash_store: str) -> list[str]:
    """What differs between the two runs (empty: the crashed run left what a clean run
    leaves: same filings, LRNs, XML modulo issue time, rejects, indexes, store counts)."""
    diffs: list[str] = []
    a, b = _store_state(clean_store), _store_state(crash_store)
    if a["filings"] != b["filings"]:
        only_a = sorted(set(a["filings"]) - set(b["filings"]))[:5]
        only_b = sorted(set(b["filings"]) - set(a["filings"]))[:5]
        changed = [k for k in a["filings"] if k in b["filings"]
                   and a["filings"][k] != b["filings"][k]][:5]
        diffs.append(f"filings differ: missing {only_a}, extra {only_b}, changed {changed}")
    for side, state in (("clean", a), ("crashed", b)):
        if len(state["lrns"]) != len(set(state["lrns"])):
            diffs.append(f"{side}: an LRN is used twice")
        if state["hashes"][0] != state["hashes"][1]:
            diffs.append(f"{side}: a message is stored twice")
        if state["queued"]:
            diffs.append(f"{side}: {state['queued']} exports not settled")
    for key in ("shipments", "filings", "messages", "pending"):
        if a["report"][key] != b["report"][key]:
            diffs.append(f"report {key}: clean {a['report'][key]} crashed {b['report'][key]}")
    if a["hashes"][0] != b["hashes"][0]:
        diffs.append(f"messages stored: clean {a['hashes'][0]}, crashed {b['hashes'][0]}")
    if a["outcomes"] != b["outcomes"]:
        diffs.append("message outcomes differ")
    fa, fb = _folder(clean_out), _folder(crash_out)
    if set(fa) != set(fb):
        diffs.append(f"output files differ: missing {sorted(set(fa) - set(fb))[:5]}, "
                     f"extra {sorted(set(fb) - set(fa))[:5]}")
    changed = [k for k in fa if k in fb and fa[k] != fb[k]]
    if changed:
        diffs.append(f"output files with other content: {changed[:5]}")
    return diffs


def crash_and_compare(work: Path, *, shipments: int, kills: int, window: int,
                      seed: int) -> CrashReport:
    inputs = work / "in"
    messages = write_corpus(inputs, shipments, seed=seed)
    clean_out, clean_store, seconds = run_clean(inputs, work, window)
    crash_out, crash_store, report = run_with_kills(inputs, work, window, kills, seed,
                                                    span=seconds)
    report.clean_seconds = seconds
    report.messages = messages
    report.filings = len(list(clean_out.glob("*.xml")))
    report.differences = compare(clean_out, clean_store, crash_out, crash_store)
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shipments", type=int, nargs="?", default=5000)
    ap.add_argument("kills", type=int, nargs="?", default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--window", type=int, default=500)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ensgate-crash-"))
    report = crash_and_compare(work, shipments=args.shipments, kills=args.kills,
                               window=args.window, seed=args.seed)
    print(f"{report.messages} messages, {report.filings} filings; clean run "
          f"{report.clean_seconds:.1f} s; {report.kills} SIGKILLs over {report.runs} runs")
    for d in report.differences:
        print("DIFFERENCE:", d)
    print("equal to the clean run" if not report.differences else "NOT EQUAL")
    sys.exit(1 if report.differences else 0)


if __name__ == "__main__":
    main()
