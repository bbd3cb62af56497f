"""``ingest_payload``: one payload as a hub hands it over, stored idempotently by content hash,
with the filings it made and its rejects' diagnostics (samples of s3: a direct FWB that files
alone; problems: a truncated FWB and a non-ENS status message)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ensgate import TranslateOptions
from ensgate.service import ingest_payload
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
NOW = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")


def _bytes(name: str) -> bytes:
    return next(SAMPLES.rglob(name)).read_bytes()


def test_a_direct_fwb_and_its_flight_file_once_and_again_nothing(tmp_path: Path) -> None:
    fwb = _bytes("s3-fwb17-direct-180-88351270-icn-vie-security.txt")
    ffm = _bytes("s3-ffm8-KE0933-icn-vie-first-arrival-at.txt")
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        first = ingest_payload(store, name="fwb.txt", data=fwb, options=OPTS, now=NOW)
        assert (first.stored, first.duplicates) == (1, 0)
        assert not first.filings  # waits for its flight times
        second = ingest_payload(store, name="ffm.txt", data=ffm, options=OPTS, now=NOW)
        assert [f.key for f in second.filings] == ["18088351270"]
        lrn = second.filings[0].lrn
        assert lrn and second.filings[0].action == "filed"
        # the same bytes again, under another name: duplicates, no filing, one LRN in store
        again = ingest_payload(store, name="fwb-again.txt", data=fwb, options=OPTS, now=NOW)
        assert (again.stored, again.duplicates, again.filings) == (0, 1, ())
        assert not again.failed
        lrns = [r.lrn for r in store.filings()]
        assert lrns == [lrn]
        assert second.to_dict()["filings"][0]["lrn"] == lrn


def test_rejects_carry_their_diagnostics(tmp_path: Path) -> None:
    bad = _bytes("truncated-fwb17-001-73441056-ord-vie.txt")
    fsu = _bytes("fsu14-status-not-ens-125-66130923-lhr-mad.txt")
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        out = ingest_payload(store, name="bad.txt", data=bad, options=OPTS, now=NOW)
        assert out.failed and out.stored == 1
        (rej,) = out.rejects
        assert rej.outcome == "rejected" and rej.label.startswith("bad.txt#1")
        assert any(d.is_error for d in rej.diagnostics)
        js = out.to_dict()["rejects"][0]["diagnostics"][0]
        assert js["code"] == rej.diagnostics[0].code and js["source"]["file"] == "bad.txt"
        status = ingest_payload(store, name="fsu.txt", data=fsu, options=OPTS, now=NOW)
        assert [r.outcome for r in status.rejects] == ["not-ens"]
        assert not status.failed
