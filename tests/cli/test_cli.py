"""The ensgate command: exit codes, outputs, help and version."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ensgate import __version__
from ensgate.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SAMPLE_ENS = ROOT / "tests" / "data" / "ics2" / "IE3F26-phase4-base-example.xml"


def test_version_and_help_on_every_command() -> None:
    runner = CliRunner()
    assert __version__ in runner.invoke(main, ["--version"]).output
    for cmd in ([], ["translate"], ["validate"]):
        result = runner.invoke(main, [*cmd, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_translate_all_good_exits_0(tmp_path: Path) -> None:
    files = [str(p) for p in sorted((SAMPLES / "cargo-imp").glob("s3-*"))]
    result = CliRunner().invoke(main, ["translate", *files, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "EGF2818088351270.xml").is_file()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["filings_written"] == 1 and summary["messages_rejected"] == 0
    assert "filings" in result.output and "rejected" in result.output


def test_translate_with_rejects_exits_1_and_keeps_the_message(tmp_path: Path) -> None:
    bad = SAMPLES / "problems" / "missing-rtg-fwb17-160-52991024-hkg-ams.txt"
    result = CliRunner().invoke(main, ["translate", str(bad), "--out", str(tmp_path),
                                       "--diagnostics", "json"])
    assert result.exit_code == 1
    kept = tmp_path / "rejects" / f"{bad.name}#1.txt"
    assert kept.read_text() .startswith("FWB/17")
    assert not list(tmp_path.rglob("*.diagnostics.jsonl"))  # no file per reject or filing
    diags = [json.loads(line) for line in
             (tmp_path / "diagnostics.jsonl").read_text().splitlines()]
    assert diags[0]["item"] == f"rejects/{bad.name}#1.txt"
    assert diags[0]["code"] == "IMP010" and diags[0]["expected"] == "RTG"
    printed = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert any(d["code"] == "IMP010" for d in printed)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["translate"]).exit_code == 2
    assert runner.invoke(main, ["translate", str(SAMPLES), "--filing", "F99",
                                "--out", str(tmp_path)]).exit_code == 2
    bad_cfg = tmp_path / "bad.yaml"
    bad_cfg.write_text("declarant: [1, 2]\n")
    assert runner.invoke(main, ["translate", str(SAMPLES / "cargo-imp"), "--config",
                                str(bad_cfg), "--out", str(tmp_path / "o")]).exit_code == 2


def test_forced_filing_type(tmp_path: Path) -> None:
    files = [str(p) for p in sorted((SAMPLES / "cargo-imp").glob("s1-fhl5-*"))]
    result = CliRunner().invoke(main, ["translate", *files, "--filing", "F26",
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert b"<IE3F26" in next(tmp_path.glob("*.xml")).read_bytes()


def test_validate_good_and_bad_documents(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["validate", str(SAMPLE_ENS)])
    assert good.exit_code == 0, good.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(SAMPLE_ENS.read_bytes().replace(b"<city>Kelsterbach</city>", b""))
    bad = runner.invoke(main, ["validate", str(broken), "--diagnostics", "json"])
    assert bad.exit_code == 1
    lines = [json.loads(x) for x in bad.output.splitlines() if x.startswith("{")]
    assert any(d["code"] == "XSD002" and d["xpath"].startswith("/IE3F26/declarant/address")
               for d in lines)
