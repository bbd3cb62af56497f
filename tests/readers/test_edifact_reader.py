"""EDIFACT reader: envelope checks, bad input and the source trees of CUSCAR and IFTMIN."""

from __future__ import annotations

from test_edifact_support import SAMPLES, interchange

from ensgate.diagnostics import Severity
from ensgate.pipeline._inputs import read_messages
from ensgate.readers._source import SourceMessage
from ensgate.readers.edifact import looks_like_edifact, read_edifact

CUSCAR_S1 = SAMPLES / "s1-cuscar-MU0553-pvg-bru-three-houses.edi"
IFTMIN_S3 = SAMPLES / "s3-iftmin-direct-180-88351281-icn-vie-unoa.edi"

GOOD = ["BGM+85+X1+9", "TDT+20+CX0289+4++CX", "LOC+5+HKG", "LOC+60+AMS",
        "DTM+132:202603150640:203", "CNI+1+160-52817343", "RFF+AWB:160-52817343",
        "NAD+CZ+++SHENZHEN LUMOPTIK+12 KEJI SOUTH ROAD+SHENZHEN++518057+CN",
        "GID+1+12:PK", "FTX+AAA+++LENSES", "MEA+AAE+G+KGM:486.5"]


def read(text: str | bytes, name: str = "t.edi") -> list[SourceMessage]:
    data = text.encode("latin-1") if isinstance(text, str) else text
    return read_edifact(data, file=name)


def codes(msg: SourceMessage) -> dict[str, Severity]:
    """Code -> worst severity it was reported with."""
    out: dict[str, Severity] = {}
    for d in msg.diagnostics:
        out[d.code] = max(out.get(d.code, d.severity), d.severity)
    return out


def test_clean_samples_read_without_diagnostics() -> None:
    samples = sorted(SAMPLES.glob("*.edi"))
    assert samples
    for path in samples:
        for msg in read(path.read_bytes(), path.name):
            assert msg.diagnostics == [], (path.name, [str(d) for d in msg.diagnostics])
            assert msg.format == "edifact" and msg.kind in ("CUSCAR", "IFTMIN")
            assert msg.version == "D:99B"


def test_detection_from_content() -> None:
    assert looks_like_edifact("UNA:+.? 'UNB+UNOC:3")
    assert looks_like_edifact("\ufeff\r\n  UNB+UNOA:3+X+Y+1:1+1'")
    assert looks_like_edifact("\xef\xbb\xbfUNA:+.? '")  # a BOM seen through Latin-1
    assert not looks_like_edifact("FWB/17\n160-52817343HKGAMS/T12K486.5")
    assert not looks_like_edifact("UNBELIEVABLE")
    data = b"\xef\xbb\xbf\r\n" + CUSCAR_S1.read_bytes()
    msgs = read_messages(data, file="bom.edi")
    assert [m.format for m in msgs] == ["edifact"] and not msgs[0].diagnostics
    # positions still count the bytes of the file as given (BOM and blank line included)
    awb = msgs[0].root.child("consignment").fields["awb"]  # type: ignore[union-attr]
    assert data[awb.pos.offset:awb.pos.offset + 12] == b"781-60482144"  # type: ignore[index]


def test_cuscar_tree_resolves_houses_and_qualifiers() -> None:
    (msg,) = read(CUSCAR_S1.read_bytes(), CUSCAR_S1.name)
    root = msg.root
    assert msg.key == "781-60482144"
    flight = root.child("flight")
    assert flight is not None
    assert (flight.value("number"), flight.value("departure"), flight.value("arrival"),
            flight.value("arrival_time"), flight.value("arrival_time_format"),
            flight.value("registration")) == ("MU0553", "PVG", "BRU", "202611170710", "203",
                                              "B2077")
    (master,) = root.all("consignment")
    assert (master.value("awb"), master.value("level"), master.value("consolidation")) == (
        "781-60482144", "reference", "Y")
    houses = master.all("house")
    assert [h.value("hawb") for h in houses] == ["HXSHA2611055", "HXSHA2611056",
                                                 "HXSHA2611057"]
    h1 = houses[0]
    assert h1.value("mawb") == "781-60482144" and h1.value("level") == "house"
    consignee = h1.child("consignee")
    assert consignee is not None
    assert consignee.to_dict()["name"] == [{"text": "CYCLOPARTS VLAANDEREN BV"}]
    assert (consignee.value("id"), consignee.value("contact_name"),
            consignee.value("contact_te")) == ("BE0648607722", "LIES VERMEULEN", "3238776215")
    goods = h1.all("goods")
    assert [(g.value("packages"), g.value("gross_weight"), g.child("hs").value("code"))  # type: ignore[union-attr]
            for g in goods] == [("30", "301.5", "871494"), ("18", "100.5", "871499")]
    # every field points at its element: the bytes there start with the value
    data = CUSCAR_S1.read_bytes()
    for node in root.walk():
        for f in node.fields.values():
            if f.text in ("Y", "master", "reference", "house"):
                continue  # derived markers point at their record
            assert f.pos.offset is not None and f.pos.segment is not None
            assert data[f.pos.offset:].startswith(f.text.encode("latin-1")), (f.text, f.pos)
            assert f.pos.line == data[:f.pos.offset].count(b"\n") + 1


def test_iftmin_waybill_tree() -> None:
    (msg,) = read(IFTMIN_S3.read_bytes(), IFTMIN_S3.name)
    wb = msg.root.child("waybill")
    assert wb is not None and msg.key == "180-88351281"
    assert (wb.value("awb"), wb.value("level"), wb.value("loading"), wb.value("destination"),
            wb.value("total_gross_weight"), wb.value("total_packages")) == (
        "180-88351281", "master", "ICN", "VIE", "212.4", "5")
    assert [h.value("code") for h in wb.all("han")] == ["COL", "SPX"]
    notify = wb.child("notify")
    assert notify is not None and notify.value("city") == "SCHWECHAT"
    assert [g.value("country_of_origin") for g in wb.all("goods")] == ["KR", "KR"]
    assert msg.root.child("flight").value("departure_time") == "202611181255"  # type: ignore[union-attr]


def test_iftmin_house_waybill_names_its_master() -> None:
    (msg,) = read(interchange(["UNH+1+IFTMIN:D:99B:UN", "BGM+703+H1+9", "RFF+HWB:H1",
                               "RFF+MWB:781-60482144"]))
    wb = msg.root.child("waybill")
    assert wb is not None and (wb.value("level"), wb.value("mawb")) == ("house", "781-60482144")
    assert msg.key == "781-60482144" and not msg.diagnostics


def test_wrong_unt_count_and_reference_reject_the_message() -> None:
    text = interchange(GOOD).replace("UNT+13+1", "UNT+12+7")
    (msg,) = read(text)
    c = codes(msg)
    assert c["EDI008"] == Severity.ERROR and c["EDI009"] == Severity.ERROR
    d = next(d for d in msg.diagnostics if d.code == "EDI008")
    assert (d.expected, d.found) == ("13", "12")
    # UNB is segment 1 (UNA is not a segment), UNT segment 14; line 15 (UNA is line 1)
    assert d.source is not None and d.source.segment == 14 and d.source.line == 15


def test_wrong_unz_count_warns_every_message() -> None:
    text = interchange(GOOD, GOOD).replace("UNZ+2+REF1", "UNZ+3+REF9")
    msgs = read(text)
    assert len(msgs) == 2
    for m in msgs:
        assert codes(m) == {"EDI010": Severity.WARNING, "EDI009": Severity.WARNING}


def test_truncated_interchange() -> None:
    full = interchange(GOOD, GOOD)
    cut = full[:full.index("GID", full.index("UNH+2"))]
    first, second = read(cut)
    assert [(d.code, d.severity) for d in first.diagnostics] == [
        ("EDI005", Severity.WARNING)]  # complete, but no UNZ after it
    c = codes(second)
    assert c["EDI005"] == Severity.ERROR  # its UNT never came
    assert "EDI006" not in c  # cut at a segment end: nothing unterminated


def test_unterminated_segment() -> None:
    text = interchange(GOOD)
    text = text[:text.rindex("UNZ")] + "UNZ+1+REF1"  # last terminator missing
    (msg,) = read(text)
    c = codes(msg)
    assert c["EDI006"] == Severity.ERROR
    d = next(d for d in msg.diagnostics if d.code == "EDI006")
    assert d.found == "UNZ+1+REF1" and d.source is not None and d.source.line == 16
    assert d.source.segment == 15 and d.source.column == 1


def test_release_character_at_end() -> None:
    text = interchange(GOOD)
    text = text[:text.index("UNT")] + "FTX+AAA+++OPEN?'\n"
    (msg,) = read(text)
    c = codes(msg)
    assert c["EDI007"] == Severity.ERROR and c["EDI005"] == Severity.ERROR


def test_undecodable_bytes_for_declared_charset() -> None:
    text = interchange(["BGM+85+X1+9", "FTX+AAA+++MUELLER"], syntax="UNOW")
    data = text.encode("utf-8").replace(b"MUELLER", b"M\xfcLLER")
    (msg,) = read(data)
    d = next(d for d in msg.diagnostics if d.code == "EDI004")
    assert d.severity == Severity.ERROR
    assert d.source is not None and data[d.source.offset] == 0xFC  # type: ignore[index]


def test_bytes_outside_unoa_and_lower_case() -> None:
    latin = interchange([*GOOD, "FTX+AAI+++M\xdcLLER"], syntax="UNOA").encode("latin-1")
    (msg,) = read(latin)
    assert codes(msg)["EDI003"] == Severity.WARNING
    assert "MÜLLER" in msg.raw  # decoded as Latin-1, as senders mean it
    (msg,) = read(interchange([*GOOD, "FTX+AAI+++Mixed case"], syntax="UNOA"))
    assert codes(msg) == {"EDI016": Severity.WARNING}
    (msg,) = read(interchange(GOOD, syntax="UNOZ"))
    assert codes(msg)["EDI002"] == Severity.ERROR


def test_unknown_and_service_message_types() -> None:
    msgs = read(interchange(["UNH+1+PAYMUL:D:96A:UN", "BGM+452+P1+9"],
                            GOOD,
                            ["UNH+3+CONTRL:4:1:UN", "UCI+1+A+B+7"]))
    assert [m.kind for m in msgs] == ["", "CUSCAR", "CONTRL"]
    assert codes(msgs[0]) == {"EDI011": Severity.ERROR} and not msgs[0].is_ens_input
    assert msgs[1].diagnostics == [] and msgs[1].is_ens_input
    assert codes(msgs[2]) == {"EDI012": Severity.INFO} and not msgs[2].is_ens_input


def test_missing_header_and_house_without_master() -> None:
    (msg,) = read("UNA:+.? 'XYZ+1'")
    assert codes(msg) == {"EDI001": Severity.ERROR}
    (msg,) = read(interchange(["BGM+85+X+9", "CNI+1+H9", "RFF+HWB:H9"]))
    assert codes(msg)["EDI017"] == Severity.ERROR
    (msg,) = read("UNB+UNOC:3+A+B+1:1+R'UNZ+0+R'")
    assert codes(msg) == {"EDI014": Severity.ERROR}


def test_two_interchanges_in_one_file() -> None:
    text = interchange(GOOD, control="A1") + interchange(GOOD, GOOD, control="B2")
    msgs = read(text)
    assert len(msgs) == 3 and all(m.diagnostics == [] for m in msgs)
    assert [m.index for m in msgs] == [0, 1, 2]
    assert [m.root.child("interchange").value("control") for m in msgs] == [  # type: ignore[union-attr]
        "A1", "B2", "B2"]
