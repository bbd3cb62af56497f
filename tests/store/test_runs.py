"""Runs through the store: idempotent re-runs, exit codes, the output folder derived from the
store (remade, superseded, recovered), the CLI's status/report JSON, positions kept when a
stored message is read again, the schema's migrations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _store_helpers import DAY, SAMPLES, T0, non_eu_fwb, options, s, sample, without_issue_time
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from ensgate import translate
from ensgate.cli import main
from ensgate.store import Store


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _folder(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "summary.json"}


def test_same_input_twice_stores_and_files_nothing_new(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = _cli("translate", str(SAMPLES), "--out", str(out), "--store", store_url, "-q")
    assert code == 1  # samples/problems holds rejects
    first = json.loads((out / "summary.json").read_text())
    files = _folder(out)
    code, _ = _cli("translate", str(SAMPLES), "--out", str(out), "--store", store_url, "-q")
    assert code == 0  # nothing of the second run was rejected
    again = json.loads((out / "summary.json").read_text())
    assert again["messages_in"] == first["messages_in"] == again["messages_duplicate"]
    assert again["filings_written"] == 0 and again["messages_rejected"] == 0
    assert again["stored_outcomes"] == {} and again["accounting_errors"] == []
    assert _folder(out) == files  # the folder is what the first run left
    with Store.open(store_url) as store:
        assert sum(store.report()["messages"].values()) == first["messages_in"]


def test_exit_codes_not_subject_and_not_ens_are_fine(store_url: str, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "jfk-nrt.txt").write_text(non_eu_fwb())
    (tmp_path / "in" / "fsu.txt").write_bytes(
        sample("fsu14-status-not-ens-125-66130923-lhr-mad.txt"))
    code, output = _cli("translate", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                        "--store", store_url)
    assert code == 0, output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["messages_not_subject"], summary["messages_not_ens"],
            summary["messages_rejected"]) == (1, 1, 0)
    assert (tmp_path / "out" / "not-ens" / "fsu.txt#1.txt").is_file()
    assert not (tmp_path / "out" / "rejects").exists()


def test_cli_status_and_report_json(store_url: str, tmp_path: Path) -> None:
    code, _ = _cli("translate", *(str(p) for p in s("cargo-imp", "s")), "--out",
                   str(tmp_path / "out"), "--store", store_url, "-q")
    assert code == 0  # S6 files since issue 12 (HK has no postcodes); S4 only waits
    code, output = _cli("report", "--json", "--store", store_url)
    assert code == 0
    report = json.loads(output)
    assert report["shipments"]["filed"] == 5 and report["filings"] == {"ready": 5}
    assert [(p["key"], p["waiting_for"]) for p in report["pending"]] == [
        ("075-33018462", "flight times: FFM (or schedule)")]
    code, output = _cli("status", "HXSHA2611045", "--json", "--store", store_url)
    assert code == 0
    status = json.loads(output)
    assert status["key"] == "781-60482133" and status["state"] == "filed"
    assert [(f["lrn"], f["type"], f["state"], f["mrn"]) for f in status["filings"]] == [
        ("EGF2078160482133", "IE3F20", "ready", None)]
    assert status["events"] and all({"at", "kind", "cause"} <= set(e) for e in status["events"])
    code, output = _cli("status", "057-77403185", "--store", store_url)
    assert code == 0 and "filed" in output and "IE3F20" in output
    assert _cli("status", "000-00000000", "--store", store_url)[0] == 1


def test_remade_filing_is_exported_again_and_superseded_one_removed(
        store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Store.open(store_url) as store:
        fhls = s("cargo-imp", "s1-fhl5")
        store.translate(fhls, out, options(now=T0))
        assert not list(out.glob("*.xml"))  # houses wait for their FWB
        store.translate([], out, options(now=T0 + DAY))  # the sweep at the start files F26
        assert [p.name for p in out.glob("*.xml")] == ["EGF26HXSHA2611045.xml"]
        store.translate(s("cargo-imp", "s1-f"), out, options(now=T0 + DAY))
        assert [p.name for p in out.glob("*.xml")] == ["EGF2078160482133.xml"]
        index = [json.loads(x) for x in (out / "filings.jsonl").read_text().splitlines()]
        assert [(i["lrn"], i["filing"], len(i["messages"])) for i in index] == [
            ("EGF2078160482133", "IE3F20", 5)]


def test_queued_exports_are_written_by_the_next_run(store_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A run killed between the commit of a window and the writing of its files leaves the
    files queued in the store; the next run into the folder writes them first."""
    from ensgate.store import _exports

    out = tmp_path / "out"
    real_flush = _exports.flush
    with Store.open(store_url) as store:
        calls: list[object] = []

        def killed(*args: object, **kw: object) -> int:
            calls.append(args)
            if len(calls) == 1:  # the run's first flush: what an earlier run left (nothing)
                return real_flush(*args, **kw)  # type: ignore[arg-type]
            raise KeyboardInterrupt  # as if the process died right after the commit
        monkeypatch.setattr(_exports, "flush", killed)
        with pytest.raises(KeyboardInterrupt):
            store.translate(s("cargo-imp", "s3-"), out, options(now=T0))
        assert not list(out.glob("*.xml"))
        monkeypatch.setattr(_exports, "flush", real_flush)
        summary = store.translate(s("cargo-imp", "s3-"), out, options(now=T0))
    assert summary["messages_duplicate"] == 2 and summary["filings_written"] == 0
    assert [p.name for p in out.glob("*.xml")] == ["EGF2818088351270.xml"]
    clean = translate(s("cargo-imp", "s3-"), options()).filings[0].xml
    assert without_issue_time((out / "EGF2818088351270.xml").read_bytes()) == \
        without_issue_time(clean)


def test_positions_are_the_first_reads_when_a_stored_message_is_read_again(
        store_url: str) -> None:
    """The FWB stored on day 1 is read again from its archived bytes on day 2 (a new
    process: an empty cache) to join its FFM: every source position in the filing's lineage
    equals that of a single in-memory run over both files."""
    fwb, ffm = s("cargo-imp", "s3-fwb17")[0], s("cargo-imp", "s3-ffm8")[0]
    with Store.open(store_url) as store:
        store.translate([fwb], None, options(now=T0))
    with Store.open(store_url) as store:
        assert len(store.cache._items) == 0
        got: list = []
        # lineage is recorded in a store run when asked for (--lineage)
        store.translate([ffm], None, options(now=T0 + DAY), lineage=True,
                        on_result=lambda r: got.extend(r.filings))
        assert store.cache.misses >= 1
    (filing,) = got
    (expected,) = translate([fwb, ffm], options()).filings
    def sources(lin: dict) -> dict[str, list]:
        return {k: [(t, p) for t, p in v.sources] for k, v in lin.items()}
    assert sources(filing.lineage) == sources(expected.lineage)
    assert any(p.file == str(fwb) and p.line for v in filing.lineage.values()
               for _t, p in v.sources)
    assert without_issue_time(filing.xml) == without_issue_time(expected.xml)


def test_store_schema_equals_the_migrations(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ensgate.store._schema import metadata

    with Store.open(store_url) as store:
        assert store.revision() == store.head()
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_store_cli_current_and_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, output = _cli("store", "current", "--store", url)
    assert code == 0 and "current (empty)" in output
    code, output = _cli("store", "upgrade", "--store", url)
    assert code == 0 and "store at revision 0005" in output
    assert "current 0005" in _cli("store", "current", "--store", url)[1]


def test_old_ledger_setting_is_a_clear_configuration_error(tmp_path: Path) -> None:
    cfg = tmp_path / "site.yaml"
    cfg.write_text("ledger: /var/lib/ensgate/ledger.sqlite\n")
    code, output = _cli("translate", str(SAMPLES / "cargo-imp"), "--config", str(cfg),
                        "--out", str(tmp_path / "o"))
    assert code == 2 and "store:" in output


def test_sqlite_store_is_wal_with_full_sync(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(url) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
                     .scalars())
    engine.dispose()
    assert {"messages", "shipments", "filings", "exchanges", "events", "exports"} <= tables
