"""A message with several consignments (CUSCAR, X12 858, XFHL...) of which one files and one
fails: the message counts as filed, and the failed consignment is kept with its reason, in
the result, on disk and in the exit code. Nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ensgate import TranslateOptions, translate, write_batch
from ensgate.cli import main

GOOD = Path(__file__).resolve().parents[1] / "data" / "edifact-realworld" / (
    "e02-cuscar-d03b-unoa-v2-one-line-no-una.edi")
FULL_CONSIGNEE = ("NAD+CN+DE3319842::ZZZ++WEBEREI HOFMANN GMBH+KOENIGSTRASSE 12+BIELEFELD"
                  "++33602+DE'")


def _mixed(tmp_path: Path) -> Path:
    text = GOOD.read_text("latin-1")
    assert FULL_CONSIGNEE in text
    # the second consignment's consignee keeps only its name: no address, no EORI
    path = tmp_path / "mixed.edi"
    path.write_text(text.replace(FULL_CONSIGNEE, "NAD+CN+++WEBEREI HOFMANN GMBH'"), "latin-1")
    return path


def test_failed_consignment_of_a_filed_message_is_kept(options: TranslateOptions,
                                                       tmp_path: Path) -> None:
    result = translate([_mixed(tmp_path)], options)
    assert result.messages_in == 1
    assert [f.shipment for f in result.filings] == ["074-40917725"]
    assert result.check() == []
    (rej,) = result.shipment_rejects
    assert rej.shipment == "074-40917736"
    assert rej.reason.startswith("MAP003")
    assert any(d.source is not None and d.source.file.endswith("mixed.edi")
               for d in rej.diagnostics)
    assert not result.ok

    summary = write_batch(result, tmp_path / "out")
    assert summary["shipments_rejected"] == 1 and summary["messages_rejected"] == 0
    (line,) = (tmp_path / "out" / "rejects.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert entry["shipment"] == "074-40917736"
    kept = tmp_path / "out" / entry["file"]
    assert "CNI+2+074-40917736" in kept.read_text("latin-1")  # the message as received


def test_cli_exits_1_and_names_the_consignment(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", str(_mixed(tmp_path)),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "shipment 074-40917736" in result.output
