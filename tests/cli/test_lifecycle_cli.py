"""`ensgate invalidate` and `ensgate answer-screening` with ``--out``: the IE3Q04 / IE3R03
written from the store and a pulled IE3Q03, valid against their provisional XSDs (queued
through the store by default: tests/store/test_lifecycle_e2e.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from ensgate.answers import Scenario, SimulatedCustoms
from ensgate.cli import main
from ensgate.validate import SchemaSet, check_schema, parse_ens_xml

ROOT = Path(__file__).resolve().parents[2]
NS = {"i": "urn:wco:datamodel:eu:ics2:2"}


def _valid(xml: bytes) -> etree._Element:
    tree, problems = parse_ens_xml(xml)
    assert tree is not None, problems
    assert [str(d) for d in check_schema(tree, schemas=SchemaSet())] == []
    return tree.getroot()


def test_invalidate_by_mrn_and_unknown_lrn(tmp_path: Path) -> None:
    out = tmp_path / "q04.xml"
    res = CliRunner().invoke(main, ["invalidate", "26BE4RT8W2H1X0SSF7", "--reason",
                                    "shipment cancelled", "--out", str(out)])
    assert res.exit_code == 0, res.output
    root = _valid(out.read_bytes())
    assert root.findtext("i:MRN", namespaces=NS) == "26BE4RT8W2H1X0SSF7"
    assert root.findtext("i:invalidationReason", namespaces=NS) == "shipment cancelled"
    store = f"sqlite:///{tmp_path / 'store.db'}"
    res = CliRunner().invoke(main, ["invalidate", "NOSUCHLRN", "--reason", "x",
                                    "--store", store])
    assert res.exit_code == 1 and "no filing with LRN or MRN NOSUCHLRN" in res.output


def test_invalidate_by_lrn_finds_the_mrn_in_the_store(tmp_path: Path) -> None:
    from ensgate.store import Store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.open(url) as store:
        store.translate([str(ROOT / "samples" / "cargo-imp")])
        lrn = next(f.lrn for f in store.filings())
        store.record_sent(message_id="m1@t", lrn=lrn, action="IE3F20", endpoint="https://x/")
        store.record_receipt("m1@t", ok=True)
        store.record_answer(message_id="a1@c", ref_to_message_id="m1@t", action="IE3R01",
                            lrn=lrn, mrn="26BE4RT8W2H1X0SSF7")
    res = CliRunner().invoke(main, ["invalidate", lrn, "--reason", "cancelled", "--store", url,
                                    "--out", "-"])
    assert res.exit_code == 0, res.output
    root = _valid(res.output.encode("utf-8"))
    assert root.findtext("i:MRN", namespaces=NS) == "26BE4RT8W2H1X0SSF7"


def test_answer_screening_answers_every_referral(tmp_path: Path) -> None:
    from ensgate import TranslateOptions, translate

    filings = translate([str(ROOT / "samples" / "cargo-imp")],
                        TranslateOptions(today="2026-11-20")).filings
    filing = next(f for f in filings if f.filing == "IE3F20")
    sim = SimulatedCustoms(scenario=Scenario.HIGH_RISK_SCREENING)
    _, q03 = sim.file(filing.xml, sender="DE0000DEMO0001")
    request = tmp_path / "q03.xml"
    request.write_bytes(q03.xml)
    out = tmp_path / "r03.xml"
    res = CliRunner().invoke(main, ["answer-screening", str(request), "--result", "CLR",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    root = _valid(out.read_bytes())
    assert root.findtext("i:MRN", namespaces=NS) == q03.mrn
    assert [el.text for el in root.iterfind(
        "i:hrcmScreeningResults/i:referralRequestReference", NS)] == [
        r.reference for r in q03.referrals]
    # the customs that asked accepts it: the assessment completes
    assert [a.message_type for a in sim.file(out.read_bytes(), sender="DE0000DEMO0001")] == [
        "IE3N03"]
    bad = CliRunner().invoke(main, ["answer-screening", str(out), "--result", "CLR"])
    assert bad.exit_code == 2  # an IE3R03 is not a customs answer
