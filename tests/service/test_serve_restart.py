"""``ensgate serve`` killed and restarted during work: a folder of many message files, the
service killed with SIGKILL mid-run, restarted, stopped with SIGTERM mid-run (it finishes the
file in hand: work/ is empty after it), restarted to the end. Every file is archived exactly
once, every message stored once, every shipment filed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _helpers import message_files

from ensgate.store import Store

PAIRS = 60


def _start(inbox: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "ensgate.cli", "serve", "--store", url, "--watch", str(inbox)],
        stdout=subprocess.DEVNULL, stderr=log.open("ab"), env=env)


def _archived(inbox: Path) -> list[str]:
    return sorted(p.name for p in (inbox / "archive").iterdir()) \
        if (inbox / "archive").exists() else []


def _wait_archived(inbox: Path, n: int, proc: subprocess.Popen[bytes],
                   timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while len(_archived(inbox)) < n:
        assert proc.poll() is None, "serve exited early"
        assert time.monotonic() < end, f"only {len(_archived(inbox))} archived"
        time.sleep(0.05)


def test_sigkill_and_sigterm_mid_run_lose_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    files = message_files(PAIRS)
    for name, data in files:
        tmp = inbox / f"{name}.tmp"
        tmp.write_bytes(data)
        tmp.rename(inbox / name)
    url = f"sqlite:///{tmp_path / 's.db'}"
    log = tmp_path / "serve.log"

    proc = _start(inbox, url, log)
    _wait_archived(inbox, 15, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)

    proc = _start(inbox, url, log)
    _wait_archived(inbox, 45, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert not list((inbox / "work").iterdir())  # the file in hand was finished
    done_at_term = len(_archived(inbox))
    assert done_at_term < len(files)  # the stop came mid-run

    proc = _start(inbox, url, log)
    _wait_archived(inbox, len(files), proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0

    assert _archived(inbox) == [n for n, _ in files]  # each once: no name.1 copies
    assert not list((inbox / "error").iterdir())
    assert not [p for p in inbox.iterdir() if p.is_file()]
    with Store.open(url) as store:
        rep = store.report()
        assert rep["messages"] == {"filed": 2 * PAIRS}
        lrns = [f.lrn for f in store.filings()]
        assert len(lrns) == PAIRS == len(set(lrns))
        assert rep["filings"] == {"ready": PAIRS}
