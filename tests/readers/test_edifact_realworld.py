"""Real-world-shaped EDIFACT interchanges (tests/data/edifact-realworld, modelled on the
variations public feeds show) through the reader and the whole pipeline: every message gives a
valid filing or precise diagnostics, never an exception. The expected outcome of each file is
stated here per message, so a change in what we file or reject shows up."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _realworld import check_accounting_and_filings, texts
from click.testing import CliRunner
from test_edifact_support import our_segments, pydifact_segments

from ensgate import TranslateOptions, translate
from ensgate.cli import main
from ensgate.pipeline import BatchResult
from ensgate.readers.edifact import read_edifact

DATA = Path(__file__).parents[1] / "data" / "edifact-realworld"
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, 0, tzinfo=UTC), today="2026-11-20")

# file -> (messages, filings by type, {message index: error codes of its reject}); a reject
# may also carry the schema/rule errors that follow from the same gap (FOLLOW_ON), no others.
FOLLOW_ON = frozenset(["XSD002", "ICS001", "ICS002"])
EXPECTED: dict[str, tuple[int, list[str], dict[int, set[str]]]] = {
    "e01-cuscar-d96b-decimal-comma-crlf.edi": (1, ["IE3F28"], {}),
    "e02-cuscar-d03b-unoa-v2-one-line-no-una.edi": (1, ["IE3F28", "IE3F28"], {}),
    "e03-cuscar-unow-v4-utf8-release-houses.edi": (1, ["IE3F20"], {}),
    "e04-cuscar-unob-mb-bh-sh-ni-qualifiers.edi": (1, ["IE3F20"], {}),
    "e05-cuscar-ung-group-two-messages.edi": (2, ["IE3F28", "IE3F28"], {}),
    "e06-iftmin-d01b-master-eancom-layout.edi": (1, ["IE3F28"], {}),
    "e07-iftmin-master-and-house-one-interchange.edi": (2, ["IE3F20"], {}),
    "e08-cuscar-unoa-lowercase-ctrl-z.edi": (1, ["IE3F28"], {}),
    "e09-cuscar-unt-count-wrong-then-good.edi": (2, ["IE3F28"], {0: {"EDI008"}}),
    "e10-cuscar-truncated-inside-segment.edi": (1, [], {0: {"EDI005", "EDI006"}}),
    "e11-cuscar-cni-without-awb.edi": (1, [], {0: {"EDI014"}}),
    "e12-iftmin-unoy-v4-d16a-bom-blank-lines-empty-components.edi": (1, ["IE3F28"], {}),
    "e13-cuscar-newline-terminator-una.edi": (1, ["IE3F28"], {}),
    "e14-contrl-and-cuscar-one-interchange.edi": (2, ["IE3F28"], {}),  # CONTRL: not-ens
    "e15-cuscar-no-payment-no-departure.edi": (1, [], {0: {"MAP003"}}),
    "e16-cuscar-consignee-name-only.edi": (1, [], {0: {"MAP003"}}),
    "e17-two-interchanges-one-file.edi": (2, ["IE3F28", "IE3F28"], {}),
}


def _run(name: str) -> BatchResult:
    return translate([DATA / name], OPTS)


def test_every_file_has_an_expected_outcome() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome_per_file(name: str) -> None:
    n, filings, rejects = EXPECTED[name]
    result = _run(name)
    check_accounting_and_filings(result, n, filings)
    # errors decide a reject; a message set aside as not an ENS input says so at info level
    got = {r.message.index: {d.code for d in r.diagnostics if d.is_error or r.not_ens}
           for r in result.rejects}
    assert sorted(got) == sorted(rejects)
    for index, codes in rejects.items():
        assert codes <= got[index] and got[index] - codes <= FOLLOW_ON, (index, got[index])
    for r in result.rejects:
        # the first (deciding) diagnostic names the file; reader diagnostics also the segment,
        # byte offset and line (the batch's "flight data missing" note has no source yet)
        assert r.diagnostics[0].source is not None and r.diagnostics[0].source.file, name
        for d in r.diagnostics:
            if d.code.startswith("EDI"):
                assert d.source is not None and Path(d.source.file).name == name, d.code
                assert d.source.offset is not None and d.source.line is not None, d.code


def test_decimal_comma_from_una_is_read_as_a_number() -> None:
    (f,) = _run("e01-cuscar-d96b-decimal-comma-crlf.edi").filings
    assert texts(f.xml, ".//e:goodsItem/e:weight/e:grossMass") == ["486.5"]
    assert set(texts(f.xml, ".//e:totalGrossMass")) == {"486.5"}
    # DTM+189 is the departure, local at HKG (UTC+8)
    assert texts(f.xml, ".//e:estimatedDateAndTimeOfDeparture/e:DateTime") == [
        "2026-11-18T05:10:00Z"]


def test_flight_number_without_carrier_and_last_place_of_loading() -> None:
    result = _run("e02-cuscar-d03b-unoa-v2-one-line-no-una.edi")
    by_awb = {f.shipment: f for f in result.filings}
    assert sorted(by_awb) == ["074-40917725", "074-40917736"]
    for f in by_awb.values():
        assert texts(f.xml, ".//e:conveyanceReferenceNumber") == ["KL0862"]
        # LOC+125 NRT stands in for LOC+5: departure 10:30 Tokyo time
        assert texts(f.xml, ".//e:estimatedDateAndTimeOfDeparture/e:DateTime") == [
            "2026-11-19T01:30:00Z"]
    # 220 LBR on the only goods item: the item and the summed total are both in kg
    f = by_awb["074-40917736"]
    assert texts(f.xml, ".//e:goodsItem/e:weight/e:grossMass") == ["99.79"]
    assert set(texts(f.xml, ".//e:totalGrossMass")) == {"99.79"}
    (msg,) = read_edifact((DATA / "e02-cuscar-d03b-unoa-v2-one-line-no-una.edi").read_bytes(),
                          file="e02")
    flight = msg.root.all("flight")[0]
    assert flight.value("number_as_sent") == "0862" and flight.value("number") == "KL0862"
    assert msg.version == "D:03B" and msg.diagnostics == []


def test_utf8_release_characters_and_303_zones() -> None:
    (f,) = _run("e03-cuscar-unow-v4-utf8-release-houses.edi").filings
    names = texts(f.xml, ".//e:consignee/e:name") + texts(f.xml, ".//e:consignor/e:name")
    assert "MÜLLER & SÖHNE SPEDITION GMBH" in names
    assert "O'BRIEN + KOWALSKI MEDICAL LLC" in names
    assert "SURGICAL INSTRUMENTS OF STEEL 50:50 SETS" in texts(f.xml, ".//e:descriptionOfGoods")
    assert texts(f.xml, ".//e:transportDocumentHouseLevel/e:documentNumber") == [
        "LKS-77120", "LKS-77121"]
    # 17:40-06 and 08:45+01 (303 carries its zone; + released as ?+)
    assert texts(f.xml, ".//e:estimatedDateAndTimeOfDeparture/e:DateTime") == [
        "2026-11-19T23:40:00Z"]
    assert texts(f.xml, ".//e:estimatedDateAndTimeOfArrival/e:DateTime") == [
        "2026-11-20T07:45:00Z"]
    # a field's position is a byte offset into the UTF-8 file
    lin = f.lineage["houses[1].consignee.name"]
    text, pos = lin.sources[0]
    data = (DATA / "e03-cuscar-unow-v4-utf8-release-houses.edi").read_bytes()
    assert pos.offset is not None and data[pos.offset:].startswith(text.encode())


def test_other_mig_qualifiers_sh_ni_mb_bh_and_mea_wt() -> None:
    (f,) = _run("e04-cuscar-unob-mb-bh-sh-ni-qualifiers.edi").filings
    assert f.shipment == "235-88812345"
    assert "Anatolia Cargo Consolidators AS" in texts(f.xml, ".//e:consignor/e:name")
    assert texts(f.xml, ".//e:transportDocumentHouseLevel/e:documentNumber") == [
        "IST-HB-5521"]
    assert texts(f.xml, ".//e:notifyParty/e:name") == ["Transit Roissy SARL"]
    assert set(texts(f.xml, ".//e:grossMass")) == {"61.5"}
    # DTM+133 with format 102 (a date only): filed with a warning that says so
    assert any(d.code == "MAP005" and "time of day" in d.message for d in f.diagnostics)


def test_eancom_package_levels_and_on_carriage() -> None:
    (f,) = _run("e06-iftmin-d01b-master-eancom-layout.edi").filings
    # GID+1+1:09::9+8:CT: the GS1 pallet level is skipped for the UN/ECE cartons
    assert texts(f.xml, ".//e:goodsItem/e:packaging/e:numberOfPackages") == ["8"]
    assert texts(f.xml, ".//e:goodsItem/e:packaging/e:typeOfPackages") == ["CT"]
    assert texts(f.xml, ".//e:conveyanceReferenceNumber") == ["SQ0378"]
    assert texts(f.xml, ".//e:descriptionOfGoods") == [
        "ECHO SOUNDERS AND MARINE NAVIGATION RADAR PARTS"]


def test_lower_case_in_unoa_and_ctrl_z_are_warnings_only() -> None:
    data = (DATA / "e08-cuscar-unoa-lowercase-ctrl-z.edi").read_bytes()
    assert data.endswith(b"\x1a")
    (msg,) = read_edifact(data, file="e08")
    assert [d.code for d in msg.diagnostics] == ["EDI016"]
    d = msg.diagnostics[0]
    assert d.source is not None and d.source.offset is not None
    assert chr(data[d.source.offset]) == d.found


def test_truncated_interchange_says_where_it_ends() -> None:
    data = (DATA / "e10-cuscar-truncated-inside-segment.edi").read_bytes()
    (msg,) = read_edifact(data, file="e10")
    d6 = next(d for d in msg.diagnostics if d.code == "EDI006")
    assert d6.source is not None and d6.source.offset is not None
    assert data[d6.source.offset:].startswith(b"NAD+CZ")
    assert d6.source.segment == 9 and d6.source.line == 10 and d6.source.column == 1


def test_bom_blank_lines_and_empty_components() -> None:
    data = (DATA / "e12-iftmin-unoy-v4-d16a-bom-blank-lines-empty-components.edi").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\r\n")
    (msg,) = read_edifact(data, file="e12")
    assert msg.diagnostics == [] and msg.kind == "IFTMIN" and msg.version == "D:16A"
    wb = msg.root.all("waybill")[0]
    consignor = wb.all("consignor")[0]
    assert consignor.value("city") == "BENGALURU" and consignor.value("postcode") == "560025"
    assert [n.value("text") for n in consignor.all("name")] == [
        "NOOR ELECTRONICS INDIA PVT LTD"]
    # positions count the BOM and the blank lines
    bgm = wb.all("bgm")[0]
    assert bgm.pos.offset is not None and data[bgm.pos.offset:].startswith(b"BGM+740")
    assert bgm.pos.line is not None and data.count(b"\n", 0, bgm.pos.offset) + 1 == bgm.pos.line


def test_newline_declared_as_terminator() -> None:
    data = (DATA / "e13-cuscar-newline-terminator-una.edi").read_bytes()
    assert b"'" not in data
    (msg,) = read_edifact(data, file="e13")
    assert msg.diagnostics == [] and msg.key == "117-22233344"


def test_unt_count_rejects_only_its_message() -> None:
    result = _run("e09-cuscar-unt-count-wrong-then-good.edi")
    (r,) = result.rejects
    (d,) = r.diagnostics
    assert d.code == "EDI008" and (d.expected, d.found) == ("16", "9")
    data = (DATA / "e09-cuscar-unt-count-wrong-then-good.edi").read_bytes()
    assert d.source is not None and d.source.offset is not None
    assert data[d.source.offset:].startswith(b"UNT+9+A1")
    assert [f.shipment for f in result.filings] == ["724-30011123"]


def test_missing_payment_is_named_and_rejects_before_the_flight_times_come() -> None:
    """No method of payment and no departure time: a flight manifest could bring the time,
    no message will bring the payment, so the shipment is rejected now (not left pending) and
    the reject names the payment, not the time that is only awaited."""
    result = _run("e15-cuscar-no-payment-no-departure.edi")
    (r,) = result.rejects
    assert not result.pending
    msgs = [d.message for d in r.diagnostics if d.code == "MAP003"]
    assert any("method of payment" in m for m in msgs)
    assert not any("estimated departure" in m for m in msgs)


def test_contrl_is_routed_as_not_ens() -> None:
    result = _run("e14-contrl-and-cuscar-one-interchange.edi")
    (routed,) = result.not_ens
    assert routed.message.index == 0 and "EDI012" in {d.code for d in routed.diagnostics}
    assert result.ok


def test_second_interchange_with_its_own_una() -> None:
    data = (DATA / "e17-two-interchanges-one-file.edi").read_bytes()
    msgs = read_edifact(data, file="e17")
    assert [(m.index, m.key) for m in msgs] == [(0, "080-20202020"), (1, "080-20202031")]
    assert [m.diagnostics for m in msgs] == [[], []]  # '|' is declared: not a UNOA error
    for m in msgs:
        bgm = m.root.all("bgm")[0]
        assert bgm.pos.offset is not None and data[bgm.pos.offset:].startswith(b"BGM")
        assert bgm.pos.line == data.count(b"\n", 0, bgm.pos.offset) + 1
    masses = [texts(f.xml, ".//e:goodsItem/e:weight/e:grossMass")
              for f in _run("e17-two-interchanges-one-file.edi").filings]
    assert sorted(masses) == [["2.25"], ["52.5"]]


def _cleaned(text: str) -> str:
    """What pydifact can read: no blanks or Ctrl-Z around segments."""
    text = re.sub(r"(?<!\?)'[\s\x1a]+", "'", text.lstrip("\ufeff\r\n \t"))
    return text.rstrip("\x1a\r\n ")


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED
                                         if "truncated" not in n and "two-interchanges" not in n))
def test_segments_agree_with_pydifact(name: str) -> None:
    raw = (DATA / name).read_bytes()
    text = raw.decode("utf-8" if b"UNOW" in raw[:200] or b"UNOY" in raw[:200] else "latin-1")
    text = text.lstrip("\ufeff")
    theirs = pydifact_segments(_cleaned(text) if "'" in text else text)
    assert our_segments(text.lstrip("\r\n")) == theirs


def test_cli_over_the_folder_accounts_for_every_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", str(DATA), "--out", str(tmp_path), "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    n_in = sum(v[0] for v in EXPECTED.values())
    assert summary["messages_in"] == n_in
    assert summary["accounting_errors"] == []
    assert summary["messages_not_ens"] == 1  # the CONTRL of e14
    assert summary["filings_written"] == sum(len(v[1]) for v in EXPECTED.values())


def test_missing_mandatory_data_points_at_the_segment_group() -> None:
    """MAP003 carries the reader's coordinates of the record it looked in (segment index and
    byte offset), not only a line: EDIFACT operators find segments, not lines."""
    result = _run("e16-cuscar-consignee-name-only.edi")
    (reject,) = result.rejects
    missing = [d for d in reject.diagnostics if d.code == "MAP003"]
    assert missing
    for d in missing:
        assert d.source is not None and d.source.file.endswith("e16-cuscar-consignee-name-only.edi")
        assert d.source.segment is not None and d.source.offset is not None, str(d)


def test_segments_outside_any_message_are_a_reject_not_lost(tmp_path: Path) -> None:
    """A second message whose UNH was lost: its segments become their own rejected message
    (EDI018) with their text, next to the intact first message, which still files."""
    text = (DATA / "e05-cuscar-ung-group-two-messages.edi").read_text("latin-1")
    unh = [i for i in range(len(text)) if text.startswith("UNH+", i)]
    assert len(unh) == 2
    cut = text[:unh[1]] + text[text.index("'", unh[1]) + 1:].lstrip("\r\n")
    path = tmp_path / "lost-unh.edi"
    path.write_text(cut, "latin-1")
    result = translate([path], OPTS)
    assert result.messages_in == 2
    assert len(result.filings) == 1
    (rej,) = result.rejects
    assert rej.reason.startswith("EDI018")
    assert "CNI+" in rej.message.raw
    d = rej.diagnostics[0]
    assert d.source is not None and d.source.segment is not None and d.source.offset is not None
