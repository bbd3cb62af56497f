"""The enrichment stage on the reference data samples (samples/reference/README.md lists
each scenario and its expected outcome, worked out by hand from the files)."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.authoring import run_files, trace_rows
from ensgate.config import load_config

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "samples" / "reference"
MSGS = REF / "messages"


def _site(options: TranslateOptions) -> TranslateOptions:
    return dataclasses.replace(options, config=load_config(REF / "site.yaml"))


def _text(xml: bytes, path: str) -> str | None:
    """The text at ``a/b/c`` below any element ``a`` (namespaces ignored)."""
    steps = "/".join(f"*[local-name()='{s}']" for s in path.split("/"))
    found = etree.fromstring(xml).xpath(f"//{steps}/text()")
    return str(found[0]) if found else None


def _times(xml: bytes) -> tuple[str | None, str | None]:
    return (_text(xml, "activeBorderTransportMeans/estimatedDateAndTimeOfDeparture/DateTime"),
            _text(xml, "activeBorderTransportMeans/estimatedDateAndTimeOfArrival/DateTime"))


def _by_awb(result: object) -> dict[str, object]:
    return {f.shipment: f for f in result.filings}  # type: ignore[attr-defined]


def test_each_scenario_gives_its_filing_or_one_diagnostic(options: TranslateOptions) -> None:
    result = translate([MSGS], _site(options))
    assert result.check() == []
    filings = _by_awb(result)
    assert set(filings) == {"180-88391203", "075-33021181", "180-88403151", "180-88412074"}
    # r1: KE0937 from the SSIM, line 7 (13:10 KST, 18:05 CET on Wed 18 Nov)
    r1 = filings["180-88391203"]
    assert _times(r1.xml) == ("2026-11-18T04:10:00Z", "2026-11-18T17:05:00Z")
    ref001 = [d for d in r1.diagnostics if d.code == "REF001"]
    assert len(ref001) == 1 and ref001[0].rule is not None
    assert (ref001[0].rule.spec, ref001[0].rule.line) == (str(REF / "schedules" /
                                                            "winter-2026.ssim"), 7)
    # the FWB's "no time of day, 00:00Z used" warning no longer describes what is filed
    assert not any(d.code == "MAP005" and "00:00Z" in d.message for d in r1.diagnostics)
    assert r1.lineage["transport.estimated_arrival"].rule.rule_id == "reference.schedules"
    # r2: IB6126 from the CSV, line 4 (17:40 -05:00, 08:05 +01:00 next day)
    r2 = filings["075-33021181"]
    assert _times(r2.xml) == ("2026-11-18T22:40:00Z", "2026-11-19T07:05:00Z")
    assert str(r2.lineage["transport.estimated_departure"].rule).endswith(
        "flights.csv:4 [reference.schedules]")
    # r3: the FFM's times (12:55 KST, 18:30 CET), never the schedule's KE933 (13:00, 18:35)
    r3 = filings["180-88403151"]
    assert _times(r3.xml) == ("2026-11-18T03:55:00Z", "2026-11-18T17:30:00Z")
    assert not any(d.code == "REF001" for d in r3.diagnostics)
    # r4: the consignee found by its account number: EORI and contact from parties.csv:5
    r4 = filings["180-88412074"]
    assert _text(r4.xml, "consignee/identificationNumber") == \
        "ATEOS1000058314"
    assert _text(r4.xml, "customsOfficeOfFirstEntry/referenceNumber") == "AT00SMP1"
    ref002 = [d for d in r4.diagnostics if d.code == "REF002"]
    assert len(ref002) == 1 and "found by account" in ref002[0].message
    assert "master.consignee" in ref002[0].message
    assert r4.lineage["master.consignee.identification"].rule.line == 5  # type: ignore[union-attr]
    assert b"AT00SMP1" in r4.xml  # the office table's VIE row, not the demo placeholder
    assert b"ATDEMO00" not in r4.xml
    # r5: LUX is not in the office table: one error, naming the airport
    (r5,) = [r for r in result.rejects if "235-66304125" in r.message.label]
    errors = [d for d in r5.diagnostics if d.is_error]
    assert [d.code for d in errors] == ["REF003"] and "airport LUX" in errors[0].message
    # r6: no schedule knows OZ0541: waits for its FFM
    assert [(p.shipment, p.waiting_for) for p in result.pending] == [
        ("180-88429106", "flight times: FFM (or schedule)")]


def test_without_reference_data_nothing_is_rejected(options: TranslateOptions) -> None:
    """The demo profile (README's first command): the FWBs without FFM wait for one, the
    consignee without EORI still files, LUX gets the placeholder office."""
    result = translate([MSGS], options)
    assert not result.rejects and set(_by_awb(result)) == {"180-88403151"}
    assert {p.shipment for p in result.pending} == {
        "180-88391203", "075-33021181", "180-88412074", "235-66304125", "180-88429106"}


def test_message_values_are_never_overridden(options: TranslateOptions, tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("name,eori,street,number,postcode,city,country,contact\n"
                    "ALPENLAND DIAGNOSTIK GMBH,ATEOS9999999999,BRUNNER STRASSE,59,1230,WIEN,AT,"
                    "SOMEONE ELSE\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"reference_data: {{parties: [{book}], schedules: "
                    f"[{REF / 'schedules' / 'winter-2026.ssim'}]}}\n")
    opts = dataclasses.replace(options, config=load_config(site))
    s3 = ROOT / "samples" / "cargo-imp"
    result = translate(sorted(s3.glob("s3-*")), opts)
    (filing,) = result.filings
    assert _text(filing.xml, "consignee/identificationNumber") == \
        "ATEOS1000058314"  # the FWB's OCI
    assert b"SOMEONE ELSE" not in filing.xml
    contact = filing.lineage["master.consignee.contact_name"]
    assert contact.rule is not None and contact.rule.spec.endswith("cargoimp-fwb.yaml")
    assert contact.sources[0][0] == "ELISABETH BRANDSTAETTER"
    assert _times(filing.xml) == ("2026-11-18T03:55:00Z", "2026-11-18T17:30:00Z")  # the FFM
    # found by name but with another EORI than the FWB's: another company, nothing taken
    assert not any(d.code.startswith("REF") for d in filing.diagnostics)


def test_a_branch_at_another_address_keeps_its_gaps(options: TranslateOptions,
                                                    tmp_path: Path) -> None:
    """The book's record completes an address only when the message's city agrees: the same
    company at another city gets no postcode from it (a mixed address would be wrong)."""
    book = tmp_path / "book.csv"
    book.write_text("name,eori,street,number,postcode,city,country\n"
                    "ALPENLAND DIAGNOSTIK GMBH,,HAUPTPLATZ,1,4020,LINZ,AT\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"reference_data: {{parties: [{book}]}}\n")
    fwb = (ROOT / "samples" / "cargo-imp" /
           "s3-fwb17-direct-180-88351270-icn-vie-security.txt").read_text()
    msg = tmp_path / "fwb.txt"
    msg.write_text(fwb.replace("/AT/1230/TE/4318690412", "/AT//TE/4318690412"))
    ffm = ROOT / "samples" / "cargo-imp" / "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt"
    result = translate([msg, ffm], dataclasses.replace(options, config=load_config(site)))
    assert not result.filings
    diags = [d for r in result.rejects for d in r.diagnostics]
    # the missing postcode is still reported (C3034), not filled from LINZ
    assert any(d.ics2_rule == "C3034" for d in diags)
    assert not any(d.code == "REF002" for d in diags)


def test_party_book_fills_a_missing_postcode(options: TranslateOptions, tmp_path: Path) -> None:
    """Without the book the consignee's missing postcode rejects the shipment (C3034); with
    the record of the same company in the same city the postcode is filled, with lineage."""
    fwb = (ROOT / "samples" / "cargo-imp" /
           "s3-fwb17-direct-180-88351270-icn-vie-security.txt").read_text()
    msg = tmp_path / "fwb.txt"
    msg.write_text(fwb.replace("/AT/1230/TE/4318690412", "/AT//TE/4318690412"))
    ffm = ROOT / "samples" / "cargo-imp" / "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt"
    without = translate([msg, ffm], options)
    assert not without.filings and any(
        d.ics2_rule == "C3034" for r in without.rejects for d in r.diagnostics)
    site = tmp_path / "site.yaml"
    site.write_text(f"reference_data: {{parties: [{REF / 'parties.csv'}]}}\n")
    result = translate([msg, ffm], dataclasses.replace(options, config=load_config(site)))
    (filing,) = result.filings
    assert _text(filing.xml, "consignee/address/postCode") == "1230"
    lin = filing.lineage["master.consignee.address.postcode"]
    assert str(lin.rule) == f"{REF / 'parties.csv'}:5 [reference.parties]"


def test_trace_shows_the_reference_rows() -> None:
    run = run_files(ROOT / "mappings" / "cargoimp-fwb.yaml",
                    [MSGS / "r1-fwb17-direct-180-88391203-icn-vie-ssim-schedule.txt"],
                    config=load_config(REF / "site.yaml"))
    rows = {r.xpath: r for r in trace_rows(run)}
    arrival = next(r for x, r in rows.items()
                   if x.endswith("estimatedDateAndTimeOfArrival/DateTime"))
    assert arrival.value == "2026-11-18T17:05:00Z" and arrival.origin == "reference data"
    assert arrival.rule is not None and arrival.rule.line == 7
    assert arrival.sources[0][0].startswith("3 KE 09370101F25OCT2627MAR271 3 5")
    office = next(r for x, r in rows.items() if "customsOfficeOfFirstEntry" in x)
    assert office.value == "AT00SMP1" and office.origin == "reference data"


def test_cli_with_site_config(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ensgate.cli", "translate", str(MSGS), "--config",
         str(REF / "site.yaml"), "--out", str(tmp_path / "out"), "--lineage",
         "--store", f"sqlite:///{tmp_path / 's.db'}"],
        capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # r5, rejected on purpose
    # the run's diagnostics are lines of one diagnostics.jsonl, each naming its item
    lines = [json.loads(x) for x in
             (tmp_path / "out" / "diagnostics.jsonl").read_text().splitlines()]
    rejects = {d["item"] for d in lines if d["item"].startswith("rejects/")}
    assert len(rejects) == 1
    assert any(d["code"] == "REF003" for d in lines if d["item"] in rejects)
    lineage = (tmp_path / "out" / "EGF2818088391203.lineage.json").read_text()
    assert re.search(r"winter-2026\.ssim:7 \[reference\.schedules\]", lineage)


def test_missing_field_errors_answered_by_the_book_are_dropped(tmp_path: Path) -> None:
    """A consignee without street (a Cargo-XML party can lack it): the mapping's MAP003 goes
    once the book gives the street; one for a field the book does not give stays."""
    from ensgate.diagnostics import RuleRef, diag
    from ensgate.pipeline import Enrichment
    from ensgate.reference import build_reference

    run = run_files(ROOT / "mappings" / "cargoimp-fwb.yaml",
                    [MSGS / "r3-fwb17-direct-180-88403151-icn-vie-with-ffm.txt"])
    ship = run.shipments[0].shipment
    consignee = ship.data["master"]["consignee"]
    consignee["address"]["street"] = consignee["address"]["number"] = None
    consignee["address"]["subdivision"] = None
    spec = str(ROOT / "mappings" / "cargoimp-fwb.yaml")
    ship.diagnostics.extend([
        diag("MAP003", "master.consignee street missing",
             rule=RuleRef(spec=spec, line=67, rule_id="master.consignee.address.street")),
        diag("MAP003", "master.consignee state missing",
             rule=RuleRef(spec=spec, line=72, rule_id="master.consignee.address.subdivision"))])
    config = load_config(environ={})
    ref = build_reference(dataclasses.replace(config.reference_data,
                                              parties=(REF / "parties.csv",)))
    out = Enrichment(ref).apply(ship, "IE3F28", config)
    assert consignee["address"]["street"] == "BRUNNER STRASSE"
    assert consignee["address"]["number"] == "59"
    assert [d.message for d in ship.diagnostics if d.code == "MAP003"] == [
        "master.consignee state missing"]
    assert [d.code for d in out] == ["REF002"]


def test_type_of_person_from_the_book_replaces_the_assumed_one(options: TranslateOptions,
                                                               tmp_path: Path) -> None:
    """Cargo-IMP never says whether a party is a natural person: the spec assumes 2 (legal),
    a constant with no source text; the book's "natural" replaces it, with its lineage."""
    book = tmp_path / "book.csv"
    book.write_text("eori,name,country,type_of_person\n"
                    "ATEOS1000058314,ALPENLAND DIAGNOSTIK GMBH,AT,natural\n")
    site = tmp_path / "site.yaml"
    site.write_text(f"reference_data: {{parties: [{book}]}}\n")
    s3 = sorted((ROOT / "samples" / "cargo-imp").glob("s3-*"))
    plain = translate(s3, options)
    assert _text(plain.filings[0].xml, "consignee/typeOfPerson") == "2"
    (filing,) = translate(s3, dataclasses.replace(options, config=load_config(site))).filings
    assert _text(filing.xml, "consignee/typeOfPerson") == "1"
    lin = filing.lineage["master.consignee.type_of_person"]
    assert str(lin.rule) == f"{book}:2 [reference.parties]" and "found by eori" in lin.note


def test_map_trace_cli_with_config() -> None:
    from click.testing import CliRunner

    from ensgate.cli import main

    res = CliRunner().invoke(main, [
        "map", "trace", "cargoimp-fwb", str(MSGS / "r1-fwb17-direct-180-88391203-icn-vie-"
                                               "ssim-schedule.txt"),
        "--format", "json", "--config", str(REF / "site.yaml")])
    assert res.exit_code == 0, res.output
    assert "winter-2026.ssim" in res.output and '"origin": "reference data"' in res.output


def test_a_departure_with_a_time_keeps_it_and_finds_its_row_across_midnight(
        tmp_path: Path) -> None:
    """A message that gives the departure as a UTC date-time (Cargo-XML can): kept as it is;
    the schedule row is the one departing closest to it (within 12 h), even when the UTC
    date is the day before the local one (08:00 KST on the 18th is 23:00Z on the 17th)."""
    from ensgate.mapping._assemble import Shipment
    from ensgate.pipeline import Enrichment
    from ensgate.reference import build_reference

    ref = build_reference(dataclasses.replace(load_config(environ={}).reference_data,
                                              schedules=(REF / "schedules" / "flights.csv",
                                                         REF / "schedules" /
                                                         "winter-2026.ssim")))
    transport = {"conveyance_reference": "TK6373", "departure_airport": "ICN",
                 "arrival_airport": "LUX", "estimated_departure": "2026-11-18T02:05:00Z",
                 "estimated_arrival": None}
    ship = Shipment(key="k", shape="direct", data={"transport": transport})
    assert Enrichment(ref).schedule(ship) == ("2026-11-18T02:05:00Z", "2026-11-18T17:45:00Z")
    assert "transport.estimated_departure" not in ship.lineage  # the message's value
    # KE937 flies Mon/Wed/Fri at 04:10Z: Thursday noon is 16 h from the nearest one
    far = dict(transport, conveyance_reference="KE937", arrival_airport="VIE",
               estimated_departure="2026-11-19T12:00:00Z")
    assert Enrichment(ref).schedule(Shipment(key="k", shape="direct",
                                             data={"transport": far})) is None
    # a Saturday KE937 (23:55 KST on the 21st = 14:55Z): found from its UTC date-time
    sat = dict(transport, conveyance_reference="KE0937", arrival_airport="VIE",
               estimated_departure="2026-11-21T15:10:00Z")
    got = Enrichment(ref).schedule(Shipment(key="k", shape="direct", data={"transport": sat}))
    assert got == ("2026-11-21T15:10:00Z", "2026-11-22T05:50:00Z")
    early = tmp_path / "early.csv"
    early.write_text("flight,origin,destination,departure,arrival\n"
                     "OZ0541,ICN,VIE,2026-11-18T08:00+09:00,2026-11-18T14:00+01:00\n")
    ref = build_reference(dataclasses.replace(load_config(environ={}).reference_data,
                                              schedules=(early,)))
    oz = dict(transport, conveyance_reference="OZ541", arrival_airport="VIE",
              estimated_departure="2026-11-17T23:10:00Z")
    got = Enrichment(ref).schedule(Shipment(key="k", shape="direct", data={"transport": oz}))
    assert got == ("2026-11-17T23:10:00Z", "2026-11-18T13:00:00Z")
