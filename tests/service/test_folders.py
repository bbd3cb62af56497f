"""Watched folders: files claimed by rename, ingested, archived; a file none of whose
messages can be kept goes to error/ with a JSON reason; ``.tmp`` and hidden files are never
read; files left in work/ by a stopped run are resumed, and a resumed file whose messages
were committed before is archived without storing anything twice."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from _helpers import SAMPLES, message_files

from ensgate.service import ServeSettings, Service
from ensgate.store import Store


async def _serve_until(service: Service, done: callable, timeout: float = 60) -> None:  # type: ignore[valid-type]
    async def watch() -> None:
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            await asyncio.sleep(0.1)
        service.stop.set()
    await asyncio.gather(service.run(), watch())


def _settle(inbox: Path) -> bool:
    names = [p for p in inbox.iterdir() if p.is_file() and not p.name.endswith(".tmp")]
    return not names and not any((inbox / "work").iterdir())


def test_files_are_claimed_ingested_archived_and_errors_explained(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    (inbox / "work").mkdir(parents=True)
    files = message_files(5)
    for name, data in files:
        (inbox / name).write_bytes(data)
    (inbox / "junk.txt").write_bytes((SAMPLES / "problems" / "binary-junk.txt").read_bytes())
    (inbox / "half.txt.tmp").write_bytes(files[0][1][:20])  # still being written
    (inbox / ".hidden").write_bytes(b"x")
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        service = Service(store, ServeSettings(watch=(inbox,), stable_seconds=0))
        asyncio.run(_serve_until(service, lambda: _settle(inbox)))
        archived = sorted(p.name for p in (inbox / "archive").iterdir())
        assert archived == [n for n, _ in files]
        assert sorted(p.name for p in (inbox / "error").iterdir()) == [
            "junk.txt", "junk.txt.reason.json"]
        reason = json.loads((inbox / "error" / "junk.txt.reason.json").read_text())
        assert reason["rejects"][0]["diagnostics"][0]["code"]
        assert (inbox / "half.txt.tmp").exists() and (inbox / ".hidden").exists()
        assert len([f for f in store.filings() if f.state == "ready"]) == 5
        assert store.report()["messages"] == {"filed": 10, "rejected": 1}
        text = service.metrics.exposition().decode()
        assert 'ensgate_messages_in_total{input="folder:in",result="filed"}' in text
        assert 'ensgate_filings{state="ready"} 5.0' in text


def test_a_file_left_in_work_is_resumed_once(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    (inbox / "work").mkdir(parents=True)
    (fwb_name, fwb), (ffm_name, ffm) = message_files(1)
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        # a killed run had claimed both and committed the FWB before the kill
        (inbox / "work" / fwb_name).write_bytes(fwb)
        (inbox / "work" / ffm_name).write_bytes(ffm)
        store.ingest(fwb, fwb_name)
        service = Service(store, ServeSettings(watch=(inbox,), stable_seconds=0))
        asyncio.run(_serve_until(service, lambda: _settle(inbox)))
        assert sorted(p.name for p in (inbox / "archive").iterdir()) == [fwb_name, ffm_name]
        assert store.report()["messages"] == {"filed": 2}
        assert len(list(store.filings())) == 1
