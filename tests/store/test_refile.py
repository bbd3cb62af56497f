"""Refiling after a customs rejection, end to end through the store and the simulator over
two-way TLS: customs rejects a filing (IE3N99), a corrected source message comes, the store
makes a new filing under a new LRN (``{seq}`` in the LRN scheme: the rejected LRN stays
used), ``file`` sends it and ``pull`` registers it with its MRN."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from _outbox_helpers import OPTS, Serve
from click.testing import CliRunner
from sqlalchemy import update

from ensgate.cli import main
from ensgate.config import load_config
from ensgate.store import Store
from ensgate.store._schema import filings
from ensgate.store._sqlstate import pack

ROOT = Path(__file__).resolve().parents[2]
S3 = sorted((ROOT / "samples" / "cargo-imp").glob("s3-*"))
S3_FWB = ROOT / "samples" / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt"


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def _rejected_by_customs(store: Store, db: str, url: str, certs: Path) -> str:
    (filing,) = list(store.filings())
    # customs refuses what ensgate's checks let through: the XML as sent loses a city
    broken = filing.xml.replace(b"<city>SEOUL</city>", b"", 1)
    assert broken != filing.xml
    with store.engine.begin() as conn:
        conn.execute(update(filings).where(filings.c.lrn == filing.lrn).values(
            xml=pack(broken)))
    assert _cli("file", "--endpoint", url, "--certs", str(certs), "--store", db)[0] == 0
    code, out = _cli("pull", "--endpoint", url, "--certs", str(certs), "--store", db)
    assert code == 1 and "IE3N99" in out, out
    assert store.status(filing.lrn)["filings"][0]["state"] == "rejected"
    return filing.lrn


def _corrected_fwb() -> bytes:
    text = S3_FWB.read_bytes()
    fixed = text.replace(b"ADR/27 GASAN DIGITAL 1-RO", b"ADR/27 GASAN DIGITAL 1-RO 3F", 1)
    assert fixed != text
    return fixed


def test_rejected_filing_is_refiled_under_a_new_lrn_and_registered(
        serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    sim, url = serve()
    db = f"sqlite:///{tmp_path / 's.db'}"
    config = replace(load_config(), lrn_scheme="{prefix}{filing}{doc}S{seq}")
    store = Store.open(db, config=config)
    store.translate(S3, None, replace(OPTS, config=config))
    first = _rejected_by_customs(store, db, url, cert_dir)
    assert first == "EGF2818088351270S1"
    done = store.ingest(_corrected_fwb(), "fwb-corrected.txt",
                        now=OPTS.issued + timedelta(hours=1))  # type: ignore[operator]
    outcome = done.of("180-88351270")
    assert outcome.action == "filed" and outcome.lrn == "EGF2818088351270S2"
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 0 and "EGF2818088351270S2" in out and first not in out, out
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 0, out
    status = store.status("180-88351270")
    assert [(f["lrn"], f["state"]) for f in status["filings"]] == [
        (first, "rejected"), ("EGF2818088351270S2", "registered")]
    assert status["filings"][1]["mrn"] and f"MRN {status['filings'][1]['mrn']}" in out
    assert [f.action for f in sim.filed] == ["IE3F28", "IE3F28"]
    assert store.lrn_used(status["filings"][0]["declarant"], first)  # never reused
    store.close()


def test_without_seq_the_rejected_lrn_cannot_be_refiled(
        serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    _sim, url = serve()
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = Store.open(db)
    store.translate(S3, None, OPTS)
    first = _rejected_by_customs(store, db, url, cert_dir)
    done = store.ingest(_corrected_fwb(), "fwb-corrected.txt",
                        now=OPTS.issued + timedelta(hours=1))  # type: ignore[operator]
    outcome = done.of("180-88351270")
    # the scheme gives the same LRN, already used: refused with R3003, never sent twice
    assert outcome.action == "rejected" and "R3003" in " ".join(outcome.diagnostics)
    assert [(f.lrn, f.state) for f in store.filings()] == [(first, "rejected")]
    store.close()
