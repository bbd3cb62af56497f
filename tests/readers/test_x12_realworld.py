"""Real-world-shaped X12 interchanges (tests/data/x12-realworld: delimiters, terminators, ISA
padding, repetition separators, pounds, multi-leg itineraries...) through the reader and the
pipeline: every transaction set gives a valid filing or precise diagnostics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _realworld import check_accounting_and_filings, texts
from click.testing import CliRunner

from ensgate import TranslateOptions, translate
from ensgate.cli import main
from ensgate.readers.x12 import read_x12

DATA = Path(__file__).parents[1] / "data" / "x12-realworld"
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, 0, tzinfo=UTC), today="2026-11-20")

# file -> (messages, filings, {message index: error codes of its reject})
EXPECTED: dict[str, tuple[int, list[str], dict[int, set[str]]]] = {
    "x01-858-00501-repetition-separator-crlf.x12": (1, ["IE3F28"], {}),
    "x02-858-pipe-elements-newline-terminator.x12": (1, ["IE3F28"], {}),
    "x03-858-isa-short-fields.x12": (1, [], {0: {"X12001"}}),
    "x04-858-two-groups-first-se-count-wrong.x12": (2, ["IE3F28"], {0: {"X12003"}}),
    "x05-858-pounds-two-legs-latin1-lowercase.x12": (1, ["IE3F28"], {}),
    "x06-309-customs-manifest-not-ens.x12": (1, [], {}),  # routed as not-ens (X12007)
    "x07-858-truncated-inside-segment.x12": (1, [], {0: {"X12002"}}),
    "x08-858-cr-terminator-crlf-lines.x12": (1, ["IE3F28"], {}),
    "x09-858-bom-blank-lines-before-isa.x12": (1, ["IE3F28"], {}),
}


def test_every_file_has_an_expected_outcome() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome_per_file(name: str) -> None:
    n, filings, rejects = EXPECTED[name]
    result = translate([DATA / name], OPTS)
    check_accounting_and_filings(result, n, filings)
    got = {r.message.index: {d.code for d in r.diagnostics if d.is_error}
           for r in result.rejects}
    assert got == rejects
    data = (DATA / name).read_bytes()
    for r in result.rejects:
        for d in r.diagnostics:
            assert d.source is not None and Path(d.source.file).name == name, d.code
            assert d.source.offset is not None and 0 <= d.source.offset < len(data), d.code


def _one(name: str) -> bytes:
    (f,) = translate([DATA / name], OPTS).filings
    return f.xml


def test_repetition_separator_gives_the_first_phone_number() -> None:
    xml = _one("x01-858-00501-repetition-separator-crlf.x12")
    assert texts(xml, ".//e:consignor/e:communication/e:identifier") == ["+1 336 555 0142"]
    (msg,) = read_x12((DATA / "x01-858-00501-repetition-separator-crlf.x12").read_bytes(),
                      file="x01")
    sh = next(n for n in msg.root.all("n1") if n.value("e01") == "SH")
    per = sh.all("per")[0]
    assert (per.value("e04_r1"), per.value("e04_r2")) == ("13365550142", "13365550199")
    assert msg.version == "005010" and msg.diagnostics == []


def test_pipe_elements_and_newline_terminator() -> None:
    (msg,) = read_x12((DATA / "x02-858-pipe-elements-newline-terminator.x12").read_bytes(),
                      file="x02")
    assert msg.diagnostics == [] and msg.key == "057-66601234"
    assert texts(_one("x02-858-pipe-elements-newline-terminator.x12"),
                  ".//e:conveyanceReferenceNumber") == ["AF0069"]


def test_short_isa_fields_are_named() -> None:
    data = (DATA / "x03-858-isa-short-fields.x12").read_bytes()
    (msg,) = read_x12(data, file="x03")
    (d,) = msg.diagnostics
    assert d.code == "X12001" and not msg.is_ens_input
    assert "ISA06 'GPSEED' is 6 characters, expected 15" in d.message
    assert d.source is not None and d.source.offset == 17


def test_bad_se_count_rejects_only_its_set() -> None:
    data = (DATA / "x04-858-two-groups-first-se-count-wrong.x12").read_bytes()
    result = translate([DATA / "x04-858-two-groups-first-se-count-wrong.x12"], OPTS)
    assert [f.shipment for f in result.filings] == ["001-88801245"]
    (r,) = result.rejects
    (d,) = [d for d in r.diagnostics if d.code == "X12003"]
    assert (str(d.expected), d.found) == ("15", "5")
    assert d.source is not None and d.source.offset is not None
    assert data[d.source.offset:].startswith(b"SE*5*0001")


def test_pounds_eleven_digit_awb_and_second_leg_into_the_eu() -> None:
    data = (DATA / "x05-858-pounds-two-legs-latin1-lowercase.x12").read_bytes()
    (f,) = translate([DATA / "x05-858-pounds-two-legs-latin1-lowercase.x12"], OPTS).filings
    assert f.shipment == "006-66612345"  # sent as 00666612345
    assert texts(f.xml, ".//e:transportDocumentMasterLevel/e:documentNumber") == [
        "006-66612345"]
    assert set(texts(f.xml, ".//e:totalGrossMass")) == {"200.034"}  # 441 lb
    assert texts(f.xml, ".//e:conveyanceReferenceNumber") == ["IB6252"]  # JFK-MAD leg
    assert "Peachtree Café Roasters" in texts(f.xml, ".//e:consignor/e:name")
    (msg,) = read_x12(data, file="x05")
    (d,) = msg.diagnostics
    assert d.code == "X12005" and not d.is_error
    assert d.source is not None and d.source.offset is not None
    assert b"\xe9" in data[d.source.offset:d.source.offset + 40]


def test_309_is_routed_not_filed() -> None:
    result = translate([DATA / "x06-309-customs-manifest-not-ens.x12"], OPTS)
    (r,) = result.not_ens
    assert r.not_ens and r.message.kind == "309" and not result.rejects and result.ok
    assert "X12007" in {d.code for d in r.diagnostics}


def test_truncated_transfer_says_what_is_open() -> None:
    data = (DATA / "x07-858-truncated-inside-segment.x12").read_bytes()
    (msg,) = read_x12(data, file="x07")
    d = next(d for d in msg.diagnostics if d.code == "X12002")
    assert "L0*1" in d.message and "IEA" in (d.expected or "")
    assert d.source is not None and d.source.offset is not None
    assert data[d.source.offset:].startswith(b"L0*1")


def test_cr_terminator_and_bom_keep_byte_offsets() -> None:
    for name, awb in (("x08-858-cr-terminator-crlf-lines.x12", "125-44401234"),
                      ("x09-858-bom-blank-lines-before-isa.x12", "020-55507777")):
        data = (DATA / name).read_bytes()
        (msg,) = read_x12(data, file=name)
        assert msg.diagnostics == [] and msg.key == awb
        awb_field = msg.root.fields["awb"]
        n9 = awb_field.pos.offset
        assert n9 is not None and data[n9:].startswith(awb.encode()), name
    xml = _one("x08-858-cr-terminator-crlf-lines.x12")
    # BNA-LHR-VIE: the LHR-VIE leg is the one entering the EU
    assert texts(xml, ".//e:conveyanceReferenceNumber") == ["OS0456"]


def test_cli_over_the_folder_accounts_for_every_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", str(DATA), "--out", str(tmp_path), "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["messages_in"] == sum(v[0] for v in EXPECTED.values())
    assert summary["accounting_errors"] == []
    assert summary["messages_not_ens"] == 1  # the 309
    assert summary["filings_written"] == sum(len(v[1]) for v in EXPECTED.values())
