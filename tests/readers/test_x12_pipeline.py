"""X12 858 through the whole pipeline: detection, mapping, joining, filings and rejects."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.validate import check_schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SAMPLE = next((SAMPLES / "x12").glob("858-*.x12"))
DATA = SAMPLE.read_bytes()
NS = {"e": "urn:wco:datamodel:eu:ics2:2"}
ISSUED = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def options() -> TranslateOptions:
    return TranslateOptions(issued=ISSUED, today="2026-11-20")


def _r6_legs(data: bytes) -> list[list[str]]:
    return [seg.split("*") for seg in data.decode().split("~\n") if seg.startswith("R6*")]


def _utc(date: str, hhmm: str, airport_tz: str) -> str:
    local = dt.datetime.strptime(date + hhmm, "%Y%m%d%H%M").replace(tzinfo=ZoneInfo(airport_tz))
    return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sample_files_two_direct_awbs(options: TranslateOptions) -> None:
    result = translate([SAMPLES / "x12"], options)
    assert sorted(f.filing for f in result.filings) == ["IE3F28", "IE3F28"]
    assert not result.rejects
    assert [r.message.kind for r in result.not_ens] == ["997"] and result.not_ens[0].not_ens
    assert result.messages_in == 3
    legs = _r6_legs(DATA)
    by_awb = {f.shipment: f for f in result.filings}
    expected = {"020-61183253": (legs[0], "America/Chicago", "Europe/Berlin"),
                "006-33904172": (legs[2], "America/Detroit", "Europe/Amsterdam")}
    for awb, (leg, dep_tz, arr_tz) in expected.items():
        f = by_awb[awb]
        assert not any(d.is_error for d in f.diagnostics)
        root = etree.fromstring(f.xml)
        assert check_schema(root) == []
        abtm = root.find("e:activeBorderTransportMeans", NS)
        assert abtm is not None
        assert abtm.findtext("e:conveyanceReferenceNumber", namespaces=NS) == leg[4]
        assert abtm.findtext("e:estimatedDateAndTimeOfDeparture/e:DateTime",
                             namespaces=NS) == _utc(leg[5], leg[6], dep_tz)
        assert abtm.findtext("e:estimatedDateAndTimeOfArrival/e:DateTime",
                             namespaces=NS) == _utc(leg[8], leg[9], arr_tz)
        assert root.findtext("e:consignmentMasterLevel/e:transportDocumentMasterLevel/"
                             "e:documentNumber", namespaces=NS) == awb


def test_lineage_points_at_segment_and_offset(options: TranslateOptions) -> None:
    result = translate([SAMPLE], options)
    f = next(f for f in result.filings if f.shipment == "006-33904172")
    lin = f.lineage["master.consignee.name"]
    assert lin.rule is not None and lin.rule.spec.endswith("x12-858.yaml")
    text, pos = lin.sources[0]
    assert text == "BRABANT ORTHOPEDIE B.V."
    assert DATA[pos.offset:pos.offset + len(text)].decode() == text
    assert DATA.split(b"~\n")[pos.segment - 1].startswith(b"N1*CN*BRABANT")


def test_ffm_in_the_batch_overlays_the_flight(options: TranslateOptions,
                                               tmp_path: Path) -> None:
    """An 858 joins an FFM by AWB number like an FWB does (the FFM flight wins)."""
    first_set = DATA[:DATA.index(b"ST*858*0002")] + b"GE*1*905~\nIEA*1*000000905~\n"
    # the same AWB and route as S3 of the Cargo-IMP samples, booked on another flight
    first_set = first_set.replace(b"020-61183253", b"180-88351270").replace(
        b"R6*O*ORD*LH*LH0431*20261119*1740*FRA*20261120*0845*DE",
        b"R6*O*ICN*KE*KE0999*20261118*1255*VIE*20261118*1830*AT")
    (tmp_path / "858.x12").write_bytes(first_set)
    ffm = next((SAMPLES / "cargo-imp").glob("s3-ffm8-*"))
    result = translate([tmp_path / "858.x12", ffm], options)
    (f,) = result.filings
    root = etree.fromstring(f.xml)
    assert root.findtext("e:activeBorderTransportMeans/e:conveyanceReferenceNumber",
                         namespaces=NS) == "KE0933"
    assert len(f.messages) == 2


def test_bad_files_are_rejected_and_the_batch_carries_on(options: TranslateOptions,
                                                         tmp_path: Path) -> None:
    bad = {
        "truncated.x12": (DATA[:len(DATA) // 2], "X12002"),
        "se-count.x12": (DATA.replace(b"SE*22*0001", b"SE*20*0001"), "X12003"),
        "ge-count.x12": (DATA.replace(b"GE*2*905", b"GE*1*905"), "X12003"),
        "iea-count.x12": (DATA.replace(b"IEA*1*", b"IEA*3*"), "X12003"),
        "isa-length.x12": (DATA.replace(b"ENSGATE        *", b"ENSGATE *", 1), "X12001"),
    }
    for name, (data, _code) in bad.items():
        (tmp_path / name).write_bytes(data)
    for src in sorted((SAMPLES / "cargo-imp").glob("s3-*")):
        shutil.copy(src, tmp_path / src.name)
    result = translate([tmp_path], options)
    assert result.check() == []
    filed = sorted(f.shipment for f in result.filings)
    # S3 from Cargo-IMP, and the second set of the file whose first set has a bad SE count
    assert filed == ["006-33904172", "180-88351270"]
    for name, (_data, code) in bad.items():
        rejects = [r for r in result.rejects if Path(r.message.file).name == name]
        assert rejects, name
        for r in rejects:
            assert code in {d.code for d in r.diagnostics}, (name, r.reason)
