"""``--jobs``: windows read and mapped on several worker processes, committed in input order,
leave exactly the store and the output folder of a one-process run (issue 13): every table
row by row (filings with their XML, messages with outcome and diagnostics, shipments, links,
events, sources) and every exported file, on the samples and on a generated corpus whose
large file is cut into pieces (shipments whose FWB and FFM fall in different windows and
workers are assembled once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _store_helpers import SAMPLES, generate, options
from sqlalchemy import create_engine, text

from ensgate.store import Store

TABLES = {
    "filings": "select lrn, filing, state, declarant, document, seq, xml, digest, warnings, "
               "diagnostics, issued_at from filings order by id",
    "messages": "select id, content_hash, source_id, extra_sources, file, idx, first_line, "
                "kind, key, label, outcome, reason, diagnostics from messages order by id",
    "shipments": "select id, key, mawb, shape, state, waiting_for, due_at, reason, route, "
                 "input_digest, diagnostics from shipments order by id",
    "links": "select * from message_shipments order by 1, 2, 3",
    "events": "select kind, from_state, to_state, shipment_id, filing_id, message_id, cause "
              "from events order by id",
    "sources": "select id, content_hash, file, reader, line_offset, index_offset, body "
               "from sources order by id",
    "exports": "select folder, item, kind, action, state, filing_id, message_id, shipment_id "
               "from exports order by id",
}


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    big = folder / "generated.txt"
    # 300 shipments, FWB then FFM: with 24 kB pieces and 50-message windows, many pairs
    # straddle a window (and so two workers)
    big.write_text("".join(m + "\n" for m in generate(300, seed=21)))
    return [big, SAMPLES]


def _run(tmp_path: Path, name: str, inputs: list[Path], jobs: int) -> tuple[
        dict[str, list[Any]], dict[str, bytes], dict[str, Any]]:
    db = tmp_path / f"{name}.db"
    out = tmp_path / f"{name}-out"
    with Store.open(f"sqlite:///{db}") as store:
        summary = store.translate(inputs, out, options(), window=50, piece_bytes=24_000,
                                  jobs=jobs, sync=False)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = {t: [tuple(r) for r in conn.execute(text(q))] for t, q in TABLES.items()}
    engine.dispose()
    for r in rows["exports"]:
        assert r[0] == str(out.resolve())
    rows["exports"] = [r[1:] for r in rows["exports"]]
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
             if p.is_file() and p.name != "summary.json"}
    for k in ("seconds", "run", "indexes"):
        summary.pop(k, None)
    return rows, files, summary


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_give_the_store_and_folder_of_one_process(tmp_path: Path, jobs: int) -> None:
    inputs = _corpus(tmp_path / "in")
    one = _run(tmp_path, "one", inputs, 1)
    many = _run(tmp_path, "many", inputs, jobs)
    for table in TABLES:
        assert many[0][table] == one[0][table], table
    assert many[1] == one[1]
    assert many[2] == one[2]
    # the corpus did what the test needs: pieces, filings, rejects from samples/problems
    assert len(one[0]["sources"]) > 10
    assert sum(1 for r in one[0]["sources"] if r[3] == "cargo-imp-piece") > 5
    assert len(one[0]["filings"]) >= 300
    assert one[2]["messages_rejected"] > 0 and one[2]["accounting_errors"] == []


def test_a_worker_failure_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    inputs = _corpus(tmp_path / "in")
    from ensgate.store import _jobs

    def broken(piece: Any) -> Any:
        raise OSError("disk gone")

    monkeypatch.setattr(_jobs, "read_again", broken)
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store, pytest.raises(
            RuntimeError, match="disk gone"):
        store.translate(inputs, None, options(), window=50, piece_bytes=24_000, jobs=2)
