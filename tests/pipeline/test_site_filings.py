"""Filings whose mandatory data no legacy message carries: the IE3F21 supplementary declarant
and the IE3N06 actual arrival and person notifying it, filled from configuration and operator
input, each traceable, and refused with a clear diagnostic when missing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from ensgate import Filing, TranslateOptions, translate
from ensgate.cli import main
from ensgate.config import load_config

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cargo-imp"
NS = {"e": "urn:wco:datamodel:eu:ics2:2"}
S1 = sorted(SAMPLES.glob("s1-*"))  # PVG-BRU consolidation: FWB/17, three FHL/5, FFM/8


def _one(options: TranslateOptions, files: list[Path]) -> tuple[etree._Element, Filing]:
    result = translate(files, options)
    assert not result.rejects, [r.reason for r in result.rejects]
    assert len(result.filings) == 1
    return etree.fromstring(result.filings[0].xml), result.filings[0]


def test_f21_supplementary_declarant_defaults_to_master_consignee(
        options: TranslateOptions) -> None:
    root, filing = _one(dataclasses.replace(options, filing="F21"), S1)
    master_consignee = root.findtext("e:consignmentMasterLevel/e:consignee/"
                                     "e:identificationNumber", namespaces=NS)
    assert master_consignee
    sup = "e:consignmentMasterLevel/e:supplementaryDeclarant/"
    assert root.findtext(sup + "e:identificationNumber", namespaces=NS) == master_consignee
    assert root.findtext(sup + "e:supplementaryFilingType", namespaces=NS) == "2"
    assert "MAP008" in {d.code for d in filing.diagnostics}
    assert "[I]" in (filing.lineage["supplementary_declarant"].note or "")


def test_f21_supplementary_declarant_from_configuration(options: TranslateOptions) -> None:
    config = load_config(environ={"ENSGATE__SUPPLEMENTARY_DECLARANT": "BE0123456789"})
    root, _ = _one(dataclasses.replace(options, filing="F21", config=config), S1)
    assert root.findtext("e:consignmentMasterLevel/e:supplementaryDeclarant/"
                         "e:identificationNumber", namespaces=NS) == "BE0123456789"


def test_n06_without_arrival_time_is_rejected_with_the_way_out(
        options: TranslateOptions) -> None:
    result = translate(S1, dataclasses.replace(options, filing="N06"))
    assert not result.filings
    assert all("--arrived-at" in r.reason for r in result.rejects if not r.not_ens)


def test_n06_with_arrival_time_and_the_declarant_notifying(options: TranslateOptions) -> None:
    arrived = datetime(2026, 11, 20, 6, 35, tzinfo=UTC)
    root, filing = _one(dataclasses.replace(options, filing="N06", arrived_at=arrived), S1)
    abtm = "e:activeBorderTransportMeans/"
    assert root.findtext(abtm + "e:actualDateAndTimeOfArrival/e:DateTime",
                         namespaces=NS) == "2026-11-20T06:35:00Z"
    declarant = load_config().declarant
    person = root.find("e:personNotifyingTheArrival", NS)
    assert person is not None
    assert person.findtext("e:identificationNumber", namespaces=NS) == declarant.eori
    assert person.findtext("e:communication/e:identifier", namespaces=NS)
    assert filing.lineage["transport.actual_arrival"].note


def test_cli_arrived_at(tmp_path: Path) -> None:
    args = ["translate", *map(str, S1), "--filing", "N06", "--out", str(tmp_path),
            "--arrived-at", "2026-11-20T06:35Z", "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (xml,) = tmp_path.glob("*.xml")
    root = etree.parse(str(xml)).getroot()
    assert root.findtext("e:activeBorderTransportMeans/e:actualDateAndTimeOfArrival/"
                         "e:DateTime", namespaces=NS) == "2026-11-20T06:35:00Z"


def test_an_lrn_too_long_for_the_scheme_is_a_data_error_not_a_config_error(
        options: TranslateOptions) -> None:
    config = load_config(environ={"ENSGATE__LRN__SCHEME": "{prefix}{filing}{doc}{doc}"})
    result = translate(S1, dataclasses.replace(options, config=config))
    assert not result.filings
    codes = {d.code for r in result.rejects for d in r.diagnostics}
    assert "ICS006" in codes and "CFG001" not in codes
    fwb = next(r for r in result.rejects if r.message.kind == "FWB")
    first = next(d for d in fwb.diagnostics if d.code == "ICS006")
    assert first.source is not None and first.source.file.endswith(".txt")
