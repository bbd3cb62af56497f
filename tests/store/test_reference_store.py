"""Reference data through the store: a shipment filed from the schedule is remade with the
FFM's times when the manifest comes; a schedule that comes later files the shipments waiting
for flight times; every version of a reference file is kept (content hash, bytes)."""

from __future__ import annotations

import dataclasses
import re
import zlib
from pathlib import Path

from _store_helpers import T0, options
from sqlalchemy import select

from ensgate.config import load_config
from ensgate.store import Store
from ensgate.store._schema import reference_files

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "samples" / "reference"
R1 = REF / "messages" / "r1-fwb17-direct-180-88391203-icn-vie-ssim-schedule.txt"
R2 = REF / "messages" / "r2-fwb16-direct-075-33021181-mia-mad-csv-schedule.txt"
# the FFM of KE0937 on the 18th, later than scheduled (13:40 KST, 18:50 CET)
FFM = b"""FFM/8
1/KE0937/18NOV1340/ICN/HL8517/AT/18NOV1850/VIE
VIE/18NOV1850
180-88391203ICNVIE/T5K212.4MC1.18/LAB ANALYSERS
/COL/SPX
LAST
"""


def _empty_schedule(tmp_path: Path) -> tuple[Path, Path]:
    """A CSV schedule with no flight yet, and a site configuration naming it."""
    schedule = tmp_path / "flights.csv"
    schedule.write_text("flight,origin,destination,departure,arrival\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"reference_data: {{schedules: [{schedule}]}}\n")
    return schedule, site


def _times(xml: bytes) -> list[str]:
    return re.findall(rb"<estimatedDateAndTimeOf(?:Departure|Arrival)>\s*<DateTime>([^<]*)",
                      xml)  # type: ignore[return-value]


def test_the_ffm_supersedes_the_schedule(store_url: str) -> None:
    opts = options(config=load_config(REF / "site.yaml"), now=T0)
    with Store.open(store_url) as store:
        first = store.ingest(R1.read_bytes(), R1.name, now=T0, options=opts)
        done = first.of("180-88391203")
        assert (done.action, done.filing) == ("filed", "IE3F28")
        (row,) = list(store.filings())
        assert _times(row.xml) == [b"2026-11-18T04:10:00Z", b"2026-11-18T17:05:00Z"]
        later = store.ingest(FFM, "ffm-ke0937.txt", now=T0, options=opts)
        again = later.of("180-88391203")
        assert (again.action, again.lrn) == ("remade", done.lrn)  # same LRN, not sent yet
        (row,) = list(store.filings())
        assert _times(row.xml) == [b"2026-11-18T04:40:00Z", b"2026-11-18T17:50:00Z"]


def test_a_schedule_that_comes_later_files_the_waiting_shipment(store_url: str,
                                                                tmp_path: Path) -> None:
    schedule, site = _empty_schedule(tmp_path)
    with Store.open(store_url) as store:
        store.translate([R2], None, options(config=load_config(site), now=T0))
        assert [p["waiting_for"] for p in store.report()["pending"]] == [
            "flight times: FFM (or schedule)"]
        schedule.write_text((REF / "schedules" / "flights.csv").read_text())
        # a run with nothing new: the new schedule version is noticed and the shipment filed
        summary = store.translate([], None, options(config=load_config(site), now=T0))
        assert summary["filings_written"] == 1 and store.report()["pending"] == []
        (row,) = list(store.filings())
        assert _times(row.xml) == [b"2026-11-18T22:40:00Z", b"2026-11-19T07:05:00Z"]
        with store.engine.connect() as conn:
            kept = conn.execute(select(reference_files.c.kind, reference_files.c.digest,
                                       reference_files.c.rows, reference_files.c.body).order_by(
                reference_files.c.id)).all()
        assert [(k, n) for k, _d, n, _b in kept] == [("schedules", 0), ("schedules", 4)]
        assert zlib.decompress(kept[1].body) == schedule.read_bytes()
        # the same version again: nothing stored, nothing decided again
        store.translate([], None, options(config=load_config(site), now=T0))
        with store.engine.connect() as conn:
            assert len(conn.execute(select(reference_files.c.id)).all()) == 2


def test_sweep_notices_a_new_schedule(store_url: str, tmp_path: Path) -> None:
    schedule, site = _empty_schedule(tmp_path)
    with Store.open(store_url) as store:
        first = store.ingest(R2.read_bytes(), R2.name, now=T0,
                             options=options(config=load_config(site)))
        assert first.of("075-33021181").action == "pending"
        schedule.write_text((REF / "schedules" / "flights.csv").read_text())
        (done,) = store.sweep(T0, options=dataclasses.replace(options(),
                                                              config=load_config(site)))
        assert (done.action, done.filing) == ("filed", "IE3F28")


def test_a_run_killed_before_deciding_again_leaves_the_version_unrecorded(
        store_url: str, tmp_path: Path, monkeypatch: object) -> None:
    """The new schedule version is recorded only after the waiting shipments were decided
    again: a run that dies in between leaves it unrecorded, and the next run does it."""
    import pytest

    schedule, site = _empty_schedule(tmp_path)
    with Store.open(store_url) as store:
        store.translate([R2], None, options(config=load_config(site), now=T0))
        schedule.write_text((REF / "schedules" / "flights.csv").read_text())

        def killed(*_a: object, **_k: object) -> list[str]:
            raise RuntimeError("killed")

        mp = pytest.MonkeyPatch()
        mp.setattr(Store, "_due_keys", killed)
        with pytest.raises(RuntimeError):
            store.translate([], None, options(config=load_config(site), now=T0))
        mp.undo()
        assert len(store.report()["pending"]) == 1
        store.translate([], None, options(config=load_config(site), now=T0))
        assert store.report()["pending"] == [] and len(list(store.filings())) == 1
