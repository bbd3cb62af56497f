"""Bad Cargo-XML input: each file ends in a clear diagnostic (never an exception, never an
expanded entity) and the rest of the batch carries on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile_xml import billion_laughs

from ensgate import TranslateOptions, translate
from ensgate.readers.cargoxml import read_cargoxml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "cargo-xml"
GOOD = SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml"
GOOD_FFM = SAMPLES / "s3-xffm-KE0933-icn-vie-utc-offsets.xml"
OPTIONS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Waybill [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ns2:Waybill xmlns="iata:datamodel:3" xmlns:ns2="iata:waybill:1">
  <ns2:BusinessHeaderDocument><ID>&xxe;</ID></ns2:BusinessHeaderDocument>
</ns2:Waybill>
"""

LAUGHS = billion_laughs(
    '<ns2:Waybill xmlns="iata:datamodel:3" xmlns:ns2="iata:waybill:1"><ID>{payload}</ID>'
    "</ns2:Waybill>\n", "lolz").replace(' encoding="UTF-8"', "").encode()


def _good_text() -> str:
    return GOOD.read_text("utf-8")


def bad_inputs() -> dict[str, tuple[bytes, str]]:
    """file name -> (content, the code its reject must carry)."""
    text = _good_text()
    return {
        "malformed.xml": (text.replace("</ram:CityName>", "</ram:City>", 1).encode(), "CXM001"),
        "truncated.xml": (text[: len(text) // 2].encode(), "CXM001"),
        "xxe.xml": (XXE, "XML001"),
        "laughs.xml": (LAUGHS, "XML001"),
        "wrong-namespace.xml": (text.replace('"iata:waybill:1"', '"urn:example:waybill"')
                                .encode(), "CXM002"),
        "missing-awb.xml": (text.replace("<ram:ID>180-88351270</ram:ID>", "", 1).encode(),
                            "CXM007"),
        "unknown-root.xml": (b'<?xml version="1.0"?><Invoice xmlns="iata:datamodel:3">'
                             b'<ID>1</ID></Invoice>', "CXM002"),
    }


@pytest.mark.parametrize("name", sorted(bad_inputs()))
def test_bad_input_gives_one_rejected_message(name: str) -> None:
    data, code = bad_inputs()[name]
    msgs = read_cargoxml(data, file=name)
    assert len(msgs) == 1
    msg = msgs[0]
    assert code in {d.code for d in msg.diagnostics}
    assert any(d.is_error for d in msg.diagnostics)
    d = next(d for d in msg.diagnostics if d.code == code)
    assert d.source is not None and d.source.file == name and d.message


def test_malformed_diagnostic_points_at_the_line() -> None:
    data, _ = bad_inputs()["malformed.xml"]
    d = read_cargoxml(data, file="m.xml")[0].diagnostics[0]
    text = data.decode()
    assert d.source is not None
    assert d.source.line == text[:text.index("</ram:City>")].count("\n") + 1


def test_entities_are_never_expanded() -> None:
    for data in (XXE, LAUGHS):
        msg = read_cargoxml(data, file="e.xml")[0]
        assert "root:" not in msg.raw.replace("file:///etc/passwd", "")
        assert not msg.root.fields and not msg.root.children
        assert not msg.is_ens_input


def test_missing_awb_has_xpath_of_consignment() -> None:
    data, _ = bad_inputs()["missing-awb.xml"]
    d = next(d for d in read_cargoxml(data)[0].diagnostics if d.code == "CXM007")
    assert d.source is not None and d.source.xpath == "/Waybill/MasterConsignment"
    assert d.expected == "BusinessHeaderDocument/ID"


def test_batch_carries_on_past_bad_files(tmp_path: Path) -> None:
    for name, (data, _) in bad_inputs().items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.xml").write_bytes(GOOD.read_bytes())
    (tmp_path / "good-ffm.xml").write_bytes(GOOD_FFM.read_bytes())
    result = translate([tmp_path], OPTIONS)
    assert [f.shipment for f in result.filings] == ["180-88351270"]
    rejected = {Path(r.message.file).name: {d.code for d in r.diagnostics}
                for r in result.rejects}
    expected = {name: code for name, (_, code) in bad_inputs().items()}
    assert set(rejected) == set(expected)
    for name, code in expected.items():
        assert code in rejected[name], (name, rejected[name])
    assert result.check() == []


def test_truncation_at_any_point_never_raises() -> None:
    data = GOOD.read_bytes()
    for cut in range(0, len(data), 97):
        msgs = read_cargoxml(data[:cut], file="cut.xml")
        assert len(msgs) == 1
        assert msgs[0].diagnostics or cut == len(data)


def test_mutated_documents_never_raise() -> None:
    """Tags renamed, elements dropped, text emptied: the reader still answers with messages."""
    text = _good_text()
    variants = [
        text.replace("ram:", "foo:").replace('xmlns:ram=', 'xmlns:foo='),
        text.replace("<ram:Name>", "<ram:Name/><ram:X>").replace("</ram:Name>", "</ram:X>"),
        text.replace(">", ">\n   "),
        text.replace("unitCode=\"KGM\"", "unitCode=\"\""),
        text.replace("<ram:ID>", "<ram:ID><!-- c --><?pi x?>"),
        text.replace("<rsm:MasterConsignment>", "<rsm:MasterConsignment><rsm:MasterConsignment/>"),
    ]
    for v in variants:
        msgs = read_cargoxml(v.encode(), file="v.xml")
        assert len(msgs) == 1
