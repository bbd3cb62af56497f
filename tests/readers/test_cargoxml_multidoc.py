"""Several Cargo-XML documents in one file, and text after a root element: nothing is lost.

Built from the S3 and S5 samples: the XFWBs go into one file (concatenated without a second
XML declaration, or both inside one SOAP Body), their XFFM/XFZB beside it, so both air
waybills must be filed. Text after a root that is not a document must come out as a reject
of its own (CXM014): messages in = filings + rejects + supporting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ensgate import TranslateOptions, translate
from ensgate.config import FilingPolicy, load_config
from ensgate.pipeline import BatchResult
from ensgate.readers._source import SourceMessage, SourceNode
from ensgate.readers.cargoxml import read_cargoxml

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cargo-xml"
S3_XFWB = SAMPLES / "s3-xfwb-direct-180-88351270-icn-vie-security.xml"
S5_XFWB = SAMPLES / "s5-xfwb-master-217-51290746-bkk-mxp.xml"
BESIDE = [SAMPLES / "s3-xffm-KE0933-icn-vie-utc-offsets.xml",
          SAMPLES / "s5-xffm-TG0940-bkk-mxp-first-arrival-it.xml",
          SAMPLES / "s5-xfzb-house-SOF2611180334-tableware-it.xml"]
# S5's house (XFZB) files its PLACI filing at once (house_wait 0), as it did before houses
# waited for their master: these tests are about reading several documents, not the policy
OPTIONS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20",
                           config=replace(load_config(),
                                          filing_policy=FilingPolicy(house_wait=0.0)))


def _body(path: Path) -> bytes:
    """The document without its XML declaration line (one line fewer)."""
    data = path.read_bytes()
    assert data.startswith(b"<?xml")
    return data.split(b"\n", 1)[1]


def _lines(node: SourceNode) -> Iterator[tuple[str, str, int | None]]:
    """(record/field, text, line) of every field of the tree, the node's own line first."""
    yield node.tag, "", node.pos.line
    for name, f in node.fields.items():
        yield f"{node.tag}/{name}", f.text, f.pos.line
    for kids in node.children.values():
        for kid in kids:
            yield from _lines(kid)


def _shifted(alone: SourceMessage, by: int) -> list[tuple[str, str, int | None]]:
    return [(p, t, None if line is None else line + by) for p, t, line in _lines(alone.root)]


def _run(tmp_path: Path, data: bytes) -> tuple[BatchResult, Path]:
    path = tmp_path / "batch.xml"
    path.write_bytes(data)
    result = translate([path, *BESIDE], OPTIONS)
    assert result.check() == []
    return result, path


def _filed(result: BatchResult, path: Path) -> dict[str, list[str]]:
    """Shipment -> labels of the messages of ``path`` it carries."""
    return {f.shipment: [m for m in f.messages if m.startswith(str(path))]
            for f in result.filings}


@pytest.mark.parametrize("joint", [b"", b"\n", b"\n<!-- next document -->\n", b"NNNN\n"])
def test_second_root_without_declaration_is_read_and_filed(tmp_path: Path, joint: bytes) -> None:
    first = S3_XFWB.read_bytes()
    data = first + joint + _body(S5_XFWB)
    result, path = _run(tmp_path, data)
    assert result.messages_in == 2 + len(BESIDE)
    assert not result.rejects
    filed = _filed(result, path)
    assert sorted(filed) == ["180-88351270", "217-51290746"]
    assert filed["180-88351270"][0].startswith(f"{path}#1 (XFWB")
    assert filed["217-51290746"][0].startswith(f"{path}#2 (XFWB")

    msgs = read_cargoxml(data, file="batch.xml")
    assert [(m.index, m.kind, m.key) for m in msgs] == [
        (0, "XFWB", "180-88351270"), (1, "XFWB", "217-51290746")]
    alone = read_cargoxml(S5_XFWB.read_bytes(), file="alone.xml")[0]
    before = (first + joint).count(b"\n") - 1  # the second lost its declaration line
    assert msgs[1].first_line == before + 2
    assert list(_lines(msgs[1].root)) == _shifted(alone, before)
    assert msgs[1].root.fields["awb"].pos.message == 1
    assert ("CXM011" in {d.code for d in msgs[0].diagnostics}) == (b"NNNN" in joint)
    assert not [d for d in msgs[1].diagnostics if d.code.startswith("CXM01")]


def test_second_root_on_the_line_where_the_first_ends(tmp_path: Path) -> None:
    first = S3_XFWB.read_bytes().rstrip()
    data = first + _body(S5_XFWB)
    msgs = read_cargoxml(data, file="batch.xml")
    assert [m.key for m in msgs] == ["180-88351270", "217-51290746"]
    alone = read_cargoxml(S5_XFWB.read_bytes(), file="alone.xml")[0]
    assert list(_lines(msgs[1].root)) == _shifted(alone, first.count(b"\n") - 1)
    result, path = _run(tmp_path, data)
    assert sorted(_filed(result, path)) == ["180-88351270", "217-51290746"]


def test_every_waybill_in_a_soap_body_is_a_message(tmp_path: Path) -> None:
    head = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
            b"<soap:Header><MessageId>42</MessageId></soap:Header>\n"
            b"<soap:Body>\n")
    middle = b"\n"
    data = head + _body(S3_XFWB) + middle + _body(S5_XFWB) + b"</soap:Body>\n</soap:Envelope>\n"
    msgs = read_cargoxml(data, file="batch.xml")
    assert [(m.index, m.key) for m in msgs] == [(0, "180-88351270"), (1, "217-51290746")]
    notes = [[d for d in m.diagnostics if d.code == "CXM013"] for m in msgs]
    assert [len(n) for n in notes] == [1, 1]
    assert [n[0].source.xpath for n in notes if n[0].source is not None] == [
        "/Envelope/Body/Waybill[1]", "/Envelope/Body/Waybill[2]"]
    assert [n[0].source.message for n in notes if n[0].source is not None] == [0, 1]
    s3_alone = read_cargoxml(S3_XFWB.read_bytes())[0]
    s5_alone = read_cargoxml(S5_XFWB.read_bytes())[0]
    lines_head = head.count(b"\n")
    assert list(_lines(msgs[0].root)) == _shifted(s3_alone, lines_head - 1)
    second = lines_head + _body(S3_XFWB).count(b"\n") + middle.count(b"\n")
    assert list(_lines(msgs[1].root)) == _shifted(s5_alone, second - 1)
    assert msgs[1].first_line == second + 1
    assert "180-88351270" not in msgs[1].raw  # each keeps its own text for the rejects

    result, path = _run(tmp_path, data)
    assert result.messages_in == 2 + len(BESIDE)
    assert sorted(_filed(result, path)) == ["180-88351270", "217-51290746"]


@pytest.mark.parametrize("junk", [b"THIS IS NOT XML\n", b"\x00\x00garbage", b"]]> tail"])
def test_text_after_the_root_is_a_reject_not_dropped(tmp_path: Path, junk: bytes) -> None:
    first = S3_XFWB.read_bytes()
    data = first + b"\n" + junk
    result, path = _run(tmp_path, data)
    assert result.messages_in == 2 + len(BESIDE)
    assert list(_filed(result, path)) == ["180-88351270", "217-51290746"]
    (reject,) = result.rejects
    assert reject.message.file == str(path) and reject.message.index == 1
    errors = [d for d in reject.diagnostics if d.is_error]
    assert [d.code for d in errors] == ["CXM014"]
    assert errors[0].source is not None
    assert errors[0].source.line == first.count(b"\n") + 2
    assert reject.message.raw.strip("\n") == junk.decode("utf-8", "replace").strip("\n")


def test_junk_between_two_documents_leaves_both_documents(tmp_path: Path) -> None:
    first = S3_XFWB.read_bytes()
    data = first + b"-- end of batch 1 --\n" + _body(S5_XFWB)
    msgs = read_cargoxml(data, file="batch.xml")
    assert [(m.index, m.kind, [d.code for d in m.diagnostics if d.is_error]) for m in msgs] == [
        (0, "XFWB", []), (1, "", ["CXM014"]), (2, "XFWB", [])]
    alone = read_cargoxml(S5_XFWB.read_bytes())[0]
    assert list(_lines(msgs[2].root)) == _shifted(alone, first.count(b"\n"))
    result, path = _run(tmp_path, data)
    assert result.messages_in == 3 + len(BESIDE)
    assert len(result.rejects) == 1
    assert sorted(_filed(result, path)) == ["180-88351270", "217-51290746"]


def test_a_broken_second_root_is_a_reject_with_its_line(tmp_path: Path) -> None:
    first = S3_XFWB.read_bytes()
    second = _body(S5_XFWB)
    cut = second[: len(second) // 2]  # a transfer cut off in the middle
    msgs = read_cargoxml(first + cut, file="batch.xml")
    assert [m.kind for m in msgs] == ["XFWB", ""]
    (err,) = [d for d in msgs[1].diagnostics if d.is_error]
    assert err.code == "CXM001" and err.source is not None
    assert err.source.line is not None and err.source.line > first.count(b"\n")


def test_second_root_is_read_in_the_8bit_encoding_the_first_declared() -> None:
    first = S3_XFWB.read_bytes().replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'", 1)
    assert b"ISO-8859-1" in first.split(b"\n", 1)[0]
    second = _body(S5_XFWB).replace(b"LOMBARDA", "LOMBÄRDA".encode("latin-1"), 1)
    msgs = read_cargoxml(first + second, file="batch.xml")
    assert [m.key for m in msgs] == ["180-88351270", "217-51290746"]
    names = [t for _p, t, _l in _lines(msgs[1].root) if t.startswith("LOMB")]
    assert names and names[0].startswith("LOMBÄRDA")
    assert "CXM012" not in {d.code for d in msgs[1].diagnostics}
