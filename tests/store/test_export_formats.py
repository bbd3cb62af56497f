"""Filings live in the store; files are an export (issue 13): a run without ``--out`` creates
no file besides the store, ``--out`` with ``files`` gives one XML per filing, ``jsonl`` one
stream for the folder, and the diagnostics of every filing and reject go into one
``diagnostics.jsonl`` (no ``.diagnostics.jsonl`` per filing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from _store_helpers import SAMPLES
from click.testing import CliRunner

from ensgate.cli import main
from ensgate.store import Store


def _run(tmp_path: Path, *args: str) -> int:
    result = CliRunner().invoke(main, ["translate", str(SAMPLES), "--store",
                                       f"sqlite:///{tmp_path / 's.db'}", "-q", *args])
    return result.exit_code


def _stored(tmp_path: Path) -> dict[str, bytes]:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        return {f.lrn: f.xml for f in store.filings()}


def test_without_out_the_filings_stay_in_the_store_and_no_file_is_made(tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    old = Path.cwd()
    os.chdir(work)
    try:
        assert _run(tmp_path) == 1  # samples/problems holds rejects
    finally:
        os.chdir(old)
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("s.db")) == [
        "cwd"]
    stored = _stored(tmp_path)
    assert len(stored) >= 10 and all(x.startswith(b"<?xml") for x in stored.values())


def test_files_and_one_diagnostics_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(tmp_path, "--out", str(out)) == 1
    stored = _stored(tmp_path)
    assert {p.stem: p.read_bytes() for p in out.glob("*.xml")} == stored
    assert not list(out.rglob("*.diagnostics.jsonl"))
    lines = [json.loads(line) for line in (out / "diagnostics.jsonl").read_text().splitlines()]
    items = [d["item"] for d in lines]
    assert items == sorted(items)
    assert all((out / i).is_file() for i in items)
    # a filing's diagnostics are the ones the store keeps with it, in the same order
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store, \
            store.engine.connect() as conn:
        from ensgate.store._schema import filings

        kept = {r.lrn: [json.loads(x) for x in r.diagnostics.splitlines()]
                for r in conn.execute(filings.select()) if r.diagnostics}
    assert kept, "the samples give filings with warnings"
    for lrn, diags in kept.items():
        mine = [{k: v for k, v in d.items() if k != "item"} for d in lines
                if d["item"] == f"{lrn}.xml"]
        assert mine == diags
    rejected = {i for i in items if i.startswith("rejects/")}
    assert rejected and all(json.loads(line)["file"] in rejected or
                            json.loads(line)["file"].startswith("not-ens/")
                            for line in (out / "rejects.jsonl").read_text().splitlines())


def test_jsonl_format_streams_the_filings_into_one_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(tmp_path, "--out", str(out), "--out-format", "jsonl") == 1
    assert not list(out.glob("*.xml"))
    rows = [json.loads(line) for line in (out / "filings.xml.jsonl").read_text().splitlines()]
    assert {r["lrn"]: r["xml"].encode() for r in rows} == _stored(tmp_path)
    assert [r["item"] for r in rows] == sorted(f"{r['lrn']}.xml" for r in rows)
    assert (out / "diagnostics.jsonl").stat().st_size > 0
    assert len((out / "filings.jsonl").read_text().splitlines()) == len(rows)
