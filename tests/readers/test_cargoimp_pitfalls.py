"""README section 10 pitfalls, one test (or more) each, on invented messages shaped like the
synthetic examples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ensgate.readers._source import SourceMessage
from ensgate.readers.cargoimp import read_cargoimp

Read = Callable[..., list[SourceMessage]]
DATA = Path(__file__).parents[1] / "data" / "cargoimp"

# README 2.5, the annotated FWB/16 (invented): NG chunks interleaved with NH, a chunk with a
# leading space, postcode typed into the place line, OSI split mid-word, OCI security block.
FWB16_README = """FWB/16
235-61903741BOMMUC/T1K38MC0.22
FLT/TK0721/03/TK1635/04
RTG/ISTTK/MUCTK
SHP
/SAHYADRI BIOLOGICS  PVT LTD
/PLOT D-44 MIDC TALOJA INDUSTRIAL AR
/410208/NAVI MUMBAI
/IN/410208/TE/912227412200
CNE
/ALPENMED KLINIKBEDARF GMBH
/LANDSBERGER STRASSE 318
/MUENCHEN/BY
/DE/80687/TE/498954031177
AGT//1441872/0017
/KONKAN AIR LOGISTICS
/MUMBAI
CVD/INR//PP/NVD/NCV/XXX
RTD/1/P1/K38/CQ/W38/R182.00/T6916.00
/NG/IMMUNOASSAY DIAGNOST
/2/NG/IC TEST KITS KEEP AT
/3/NH/382219
/4/NG/ 2-8 DEG C
/5/ND//CMT70-50-62/1
/6/NV/MC0.22
OTH/P/AWC250.00MYC1520.00
PPD/WT6916.00
/OA0/OC1770.00/CT8686.00
CER/KONKAN AIR LOGISTICS
ISU/02APR26/MUMBAI/KONKAN AIR LOGISTICS
OSI/COL  ACTIVE TEMP CONTROL 2-8 C  DO NOT FREEZE  DO NOT X-RAY ABOV
/E 0.5 GY   EMERGENCY CONTACT 912227412299
REF/BOMFMTK
COR/X
SPH/COL/PIL/ECC/SPX/EAP
OCI/IN/ISS/RA/IN-RA-00871
///ED/0927
///SM/XRY
///SN/R DESHPANDE
///SD/02APR261415
/DE/CNE/T/DE905512370
/DE/CNE/CT/498954031177
"""


def codes(msg: SourceMessage) -> list[str]:
    return [d.code for d in msg.diagnostics]


def fwb17() -> str:
    return (DATA / "fwb17-eu-ics2-hkg-fra.txt").read_text()


# 1, 2: versions coexist; continuation semantics per line type -------------------------------
def test_readme_fwb16_continuations_per_line_type(read_text: Read) -> None:
    (m,) = read_text(FWB16_README)
    assert codes(m) == []
    shp = m.root.child("shipper")
    assert shp is not None
    assert [n.value("text") for n in shp.all("name")] == ["SAHYADRI BIOLOGICS  PVT LTD"]
    assert [n.value("text") for n in shp.all("street")] == ["PLOT D-44 MIDC TALOJA INDUSTRIAL AR"]
    # postcode typed into the place line: kept as read, the mapping decides
    assert (shp.value("place"), shp.value("state"), shp.value("postcode")) == (
        "410208", "NAVI MUMBAI", "410208")
    agent = m.root.child("agent")
    assert agent is not None
    assert (agent.value("name"), agent.value("place")) == ("KONKAN AIR LOGISTICS", "MUMBAI")
    assert [(c.value("code"), c.value("amount")) for c in m.root.all("ppd")] == [
        ("WT", "6916.00"), ("OA", "0"), ("OC", "1770.00"), ("CT", "8686.00")]
    assert [o.value("control") for o in m.root.all("oci")] == [
        "RA", "ED", "SM", "SN", "SD", "T", "CT"]


# 3: mid-word splitting, chunks kept as their own records with positions, no trimming ---------
def test_ng_chunks_interleaved_with_nh_keep_leading_space(read_text: Read) -> None:
    (m,) = read_text(FWB16_README)
    goods = m.root.child("goods")
    assert goods is not None
    desc = goods.all("description")
    assert [d.value("text") for d in desc] == [
        "IMMUNOASSAY DIAGNOST", "IC TEST KITS KEEP AT", " 2-8 DEG C"]
    assert "".join(d.value("text") or "" for d in desc) == (
        "IMMUNOASSAY DIAGNOSTIC TEST KITS KEEP AT 2-8 DEG C")
    assert [d.value("line_no") for d in desc] == ["1", "2", "4"]
    f = desc[2].fields["text"]
    assert (f.pos.line, f.pos.column) == (23, 7)
    assert [h.value("code") for h in goods.all("hs")] == ["382219"]


def test_osi_ssr_txt_chunks_concatenate_without_separator(read_text: Read) -> None:
    (m,) = read_text(FWB16_README)
    osi = m.root.all("osi")
    assert len(osi) == 2
    assert (osi[0].value("text") or "").endswith("X-RAY ABOV")
    assert osi[1].value("text") == "E 0.5 GY   EMERGENCY CONTACT 912227412299"
    assert (osi[1].fields["text"].pos.line, osi[1].fields["text"].pos.column) == (32, 2)
    text = "".join(o.value("text") or "" for o in osi)
    assert "X-RAY ABOVE 0.5 GY" in text


def test_chunk_with_trailing_space_is_not_trimmed(read_text: Read) -> None:
    msg = fwb17().replace("/NG/UNMOUNTED GLASS OPTI\n/2/NG/CAL LENSES AND MICRO",
                          "/NG/UNMOUNTED GLASS \n/2/NG/OPTICAL LENSES")
    (m,) = read_text(msg)
    goods = m.root.child("goods")
    assert goods is not None
    texts = [d.value("text") for d in goods.all("description")]
    assert texts[:2] == ["UNMOUNTED GLASS ", "OPTICAL LENSES"]


# 5: `//` empty elements keep positions, give no field ----------------------------------------
def test_empty_elements_are_positional_and_give_no_field(read_text: Read) -> None:
    (m,) = read_text(FWB16_README.replace("/DE/80687/TE/498954031177", "/DE//TE/498954031177"))
    cne = m.root.child("consignee")
    assert cne is not None
    assert "postcode" not in cne.fields
    assert cne.all("contact")[0].to_dict() == {"type": "TE", "number": "498954031177"}
    assert cne.all("contact")[0].fields["type"].pos.column == 6
    cvd = m.root.child("cvd")
    assert cvd is not None
    assert cvd.to_dict() == {"currency": "INR", "payment": "PP", "carriage_value": "NVD",
                             "customs_value": "NCV", "insurance": "XXX"}


# 12: OCI four-field split, leading slashes tolerated, seq numbering ---------------------------
def test_oci_leading_slashes_realigned(read_text: Read) -> None:
    msg = fwb17().replace("///ED/0627\n///SM/XRY\n", "/ED/0627\n////SM/XRY\n")
    msg = msg.replace("/DE/NFY/T/DE813307450", "DE/NFY/T/DE813307450")
    (m,) = read_text(msg)
    oci = m.root.all("oci")
    assert [o.value("seq") for o in oci] == [str(i) for i in range(1, 13)]
    assert oci[6].to_dict() == {"seq": "7", "country": "DE", "info": "NFY", "control": "T",
                                "text": "DE813307450"}
    assert oci[8].to_dict() == {"seq": "9", "control": "ED", "text": "0627"}
    assert oci[9].to_dict() == {"seq": "10", "control": "SM", "text": "XRY"}
    assert oci[9].fields["control"].pos.column == 5
    assert codes(m) == ["IMP015", "IMP026", "IMP026"]


def test_oci_text_may_keep_extra_slashes(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("/CN/SHP/CP/ZHANG MEILING", "/CN/SHP/CP/ZHANG/MEILING"))
    oci = m.root.all("oci")
    assert oci[1].value("text") == "ZHANG/MEILING"


# 9: multi-part --------------------------------------------------------------------------------
FWB_PART1 = """FWB/17
160-52817343HKGFRA/T12K486.5MC2.96
FLT/CX0289/14
RTG/FRACX
SHP/CN1183204
NAM/SHENZHEN LUMOPTIK PRECISION
ADR/BLDG 7 NANSHAN SCIENCE PARK
LOC/SHENZHEN/GD
/CN/518057
CNE
NAM/NORDLICHT MEDIZINTECHNIK GMBH
ADR/HANAUER LANDSTRASSE 291
LOC/FRANKFURT AM MAIN/HE
/DE/60314/TE/4969427710
CVD/USD//PP/NVD/18450.00/XXX
RTD/1/P12/K486.5/CQ/W512/R4.85/T2483.20
/NG/UNMOUNTED GLASS OPTI
PART/1/CONT
"""
FWB_PART2 = """FWB/17
160-52817343HKGFRA/T12K486.5MC2.96
/2/NG/CAL LENSES AND MICRO
/3/NH/900190
ISU/14MAR26/HONG KONG/PEARL DELTA LOGISTICS
OCI/DE/CNE/T/DE274916300
PART/2/LAST
"""


def test_fwb_parts_reassembled_with_positions_in_each_part(read_text: Read) -> None:
    (m,) = read_text(FWB_PART1 + "\n" + FWB_PART2)
    assert (m.kind, m.key, m.parts) == ("FWB", "160-52817343", 2)
    assert codes(m) == []
    goods = m.root.child("goods")
    assert goods is not None
    desc = goods.all("description")
    assert "".join(d.value("text") or "" for d in desc) == (
        "UNMOUNTED GLASS OPTICAL LENSES AND MICRO")
    p1, p2 = desc[0].fields["text"].pos, desc[1].fields["text"].pos
    assert (p1.message, p1.line) == (0, 17)
    assert (p2.message, p2.line, p2.column) == (1, 22, 7)
    assert len(m.root.all("awb")) == 1  # the repeated consignment line is not read twice
    assert [p.to_dict() for p in m.root.all("part")] == [{"number": "2", "marker": "LAST"}]
    oci = m.root.all("oci")[0]
    assert (oci.fields["text"].pos.message, oci.fields["text"].pos.line) == (1, 25)


def test_parts_out_of_order_and_across_files(read_text: Read) -> None:
    from ensgate.readers.cargoimp import reassemble

    (second,) = read_text(FWB_PART2, file="b.txt")
    (first,) = read_text(FWB_PART1, file="a.txt")
    assert "IMP016" in codes(second) and "IMP016" in codes(first)
    (m,) = reassemble([second, first])
    assert codes(m) == []
    assert (m.file, m.parts) == ("a.txt", 2)
    isu = m.root.child("isu")
    assert isu is not None
    assert (isu.fields["date"].pos.file, isu.fields["date"].pos.line) == ("b.txt", 5)
    assert reassemble([m])[0].root.to_dict() == m.root.to_dict()  # idempotent


def test_incomplete_group_is_one_message_with_imp016(read_text: Read) -> None:
    part3 = FWB_PART2.replace("PART/2/LAST", "PART/3/LAST")
    msgs = read_text(FWB_PART1 + part3)
    assert len(msgs) == 1
    (m,) = msgs
    assert "IMP016" in codes(m)
    d = next(d for d in m.diagnostics if d.code == "IMP016")
    assert d.found == "parts 1, 3/LAST"
    isu = m.root.child("isu")
    assert isu is not None and isu.value("date") == "14MAR26"  # what was received is kept


def test_duplicate_part_is_ignored_with_imp022(read_text: Read) -> None:
    (m,) = read_text(FWB_PART1 + FWB_PART1 + FWB_PART2)
    assert codes(m) == ["IMP022"]
    assert m.parts == 2
    d = m.diagnostics[0]
    assert d.source is not None and (d.source.message, d.source.line) == (1, 19)


FHL_PART1 = """FHL/5
MBI/160-52817450HKGAMS/T9K640
HBS/PDL26031408/HKGAMS/4/K212.5/16/LED GROW LIGHTS
TXT/LED HORTICULTURAL GROW LIGHTS 600W FULL SPECTRUM WITH REMOVABLE P
PART/1/CONT
"""
FHL_PART2 = """FHL/5
MBI/160-52817450HKGAMS/T9K640
HBS/PDL26031408/HKGAMS/4/K212.5/16/LED GROW LIGHTS
/OWER DRIVERS AND STAINLESS MOUNTING BRACKETS ON 4 PALLETS
HTS/940542
SHP
NAM/DONGGUAN VERDANT LIGHTING
LOC/DONGGUAN/GD
/CN/523850
PART/2/LAST
"""


def test_fhl_parts_repeat_the_house_which_is_counted_once(read_text: Read) -> None:
    (m,) = read_text(FHL_PART1 + FHL_PART2)
    assert codes(m) == []
    (house,) = m.root.all("house")
    txt = house.all("txt")
    assert [t.value("text") for t in txt][1].startswith("OWER DRIVERS")
    assert (txt[1].fields["text"].pos.message, txt[1].fields["text"].pos.line) == (1, 9)
    assert house.child("shipper") is not None
    assert [h.value("code") for h in house.all("hs")] == ["940542"]


FFM_PART1 = """FFM/8
1/CX0289/14MAR2355/HKG/BLXA/NL/15MAR0640/AMS
AMS/15MAR0640
160-52817564HKGAMS/T1K45.5MC0.22/ELECTRONICS
CONT
"""
FFM_PART2 = """FFM/8
2/CX0289/14MAR2355/HKG
AMS/15MAR0640
ULD/PMC52817CX
160-52817450HKGAMS/T9K640MC3.9/CONSOLIDATION
FRA/15MAR1125
160-52817343HKGFRA/S4K84.4MC0.43T12/OPTICAL LENSES
LAST
"""


def test_ffm_cont_last_reassembled_into_unloading_points(read_text: Read) -> None:
    (m,) = read_text(FFM_PART1 + FFM_PART2)
    assert m.parts == 2
    assert codes(m) == ["IMP023"]  # S4 of T12 only: the split does not add up
    ams, fra = m.root.all("unloading")
    assert [c.value("number") for c in ams.all("consignment")] == [
        "160-52817564", "160-52817450"]
    assert ams.all("consignment")[1].value("uld") == "PMC52817CX"
    assert fra.all("consignment")[0].fields["number"].pos.message == 1
    assert [e.value("marker") for e in m.root.all("end")] == ["LAST"]
    flight = m.root.child("flight")
    assert flight is not None and flight.value("part") == "1"


def test_ffm_part_cont_without_last_is_incomplete(read_text: Read) -> None:
    (m,) = read_text(FFM_PART1)
    assert codes(m) == ["IMP016"]


# 8: envelopes and noise; CR/LF/CRLF ----------------------------------------------------------
def test_type_b_envelope_stripped_and_kept(read_text: Read) -> None:
    wrapped = ("\x01QK FRAFMLH HKGFMCX\n.HKGPDXH 141130\n\x02" + fwb17() + "\x03\n=\nNNNN\n\n"
               "QK FRAFMLH\n.HKGPDXH 141131\nPDM\n" + fwb17())
    a, b = read_text(wrapped)
    assert a.envelope == ("QK FRAFMLH HKGFMCX", ".HKGPDXH 141130", "<SOH/STX/ETX>", "=", "NNNN")
    assert b.envelope == ("QK FRAFMLH", ".HKGPDXH 141131", "PDM")
    assert (a.index, a.first_line, b.index, b.first_line) == (0, 3, 1, 66)
    assert codes(a) == ["IMP021"]
    assert sorted(codes(b)) == ["IMP021", "IMP024"]
    awb = a.root.child("awb")
    assert awb is not None
    assert (awb.fields["origin"].pos.line, awb.fields["origin"].pos.column) == (4, 13)
    assert a.raw.startswith("FWB/17\n160-52817343") and a.raw.endswith("///SD/14MAR261130")
    assert a.root.to_dict() == b.root.to_dict()


def test_origin_line_with_message_identity_is_envelope(read_text: Read) -> None:
    # SITA Type-B: the origin line may carry the sender's message identity after the day/time
    # group ("/LH8402"); it was read as a message of its own (IMP001) before the FWB.
    wrapped = "QK FRAFMLH HKGFMCX\n.FRAFFLH 181342/LH8402\n" + fwb17()
    (m,) = read_text(wrapped)
    assert m.envelope == ("QK FRAFMLH HKGFMCX", ".FRAFFLH 181342/LH8402")
    assert codes(m) == ["IMP021"]
    assert m.raw.startswith("FWB/17\n160-52817343")
    (bare,) = read_text(fwb17())
    assert m.root.to_dict() == bare.root.to_dict()


def test_line_endings_give_identical_trees(read_text: Read) -> None:
    text = fwb17()
    trees = []
    for eol in ("\n", "\r\n", "\r"):
        (m,) = read_cargoimp(text.replace("\n", eol).encode(), file="x")
        assert codes(m) == []
        trees.append((m.root.to_dict(), m.root.all("oci")[5].fields["text"].pos))
    assert trees[0] == trees[1] == trees[2]


def test_several_messages_in_one_file_split_by_identifier(read_text: Read) -> None:
    text = fwb17() + (DATA / "fhl5-01.txt").read_text() + "FSU/14\n160-52817343HKGFRA/T12K486.5\n"
    msgs = read_text(text)
    assert [(m.kind, m.index, m.first_line) for m in msgs] == [
        ("FWB", 0, 1), ("FHL", 1, 57), ("FSU", 2, 72)]


# 6: over-long lines; 3500-character messages ----------------------------------------------
def test_overlong_line_warned_never_truncated(read_text: Read) -> None:
    long_txt = "TXT/" + "A" * 80
    (m,) = read_text((DATA / "fhl5-01.txt").read_text().replace(
        "TXT/MODEL 3 MEMORY BOARDS AND OTHER ASSORTED PARTS", long_txt))
    assert codes(m) == ["IMP012"]
    assert m.root.all("house")[0].all("txt")[0].value("text") == "A" * 80
    assert m.diagnostics[0].found == "84"


def test_message_over_3500_characters(read_text: Read) -> None:
    osi = "".join(f"/{'X' * 60}\n" for _ in range(60))
    (m,) = read_text(fwb17() + "OSI/START\n" + osi)
    assert "IMP020" in codes(m)
    assert len(m.root.all("osi")) == 61


# 7: character set ----------------------------------------------------------------------------
def test_non_ascii_kept_with_warning(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("NAM/NORDLICHT MEDIZINTECHNIK GMBH",
                                     "NAM/NORDLICHT MÜNCHEN – GMBH"))
    assert codes(m) == ["IMP013"]
    cne = m.root.child("consignee")
    assert cne is not None and cne.all("name")[0].value("text") == "NORDLICHT MÜNCHEN – GMBH"
    assert m.diagnostics[0].source is not None and m.diagnostics[0].source.column == 16


def test_latin1_fallback_and_control_characters() -> None:
    data = fwb17().replace("GEBAEUDE C", "GEB\xc4UDE C").encode("latin-1")
    data = data.replace(b"ADR/HANAUER", b"ADR/HAN\x07AUER")
    (m,) = read_cargoimp(data, file="l1.txt")
    assert sorted(codes(m)) == ["IMP013", "SRC004", "SRC005"]
    cne = m.root.child("consignee")
    assert cne is not None
    assert [s.value("text") for s in cne.all("street")] == ["HANAUER LANDSTRASSE 291",
                                                             "GEBÄUDE C"]


# 10: check digit vs shape ---------------------------------------------------------------
def test_awb_check_digit_warns_but_keeps(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("160-52817343HKGFRA", "160-52817344HKGFRA"))
    assert codes(m) == ["IMP014"]
    assert m.key == "160-52817344"
    d = m.diagnostics[0]
    assert (d.expected, d.found) == ("check digit 3", "4")
    assert d.source is not None and (d.source.line, d.source.column) == (2, 5)


def test_awb_wrong_shape_is_an_error(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("160-52817343HKGFRA", "160-5281734HKGFRA"))
    assert codes(m) == ["IMP011"]
    assert m.diagnostics[0].severity.name == "ERROR"
    assert m.diagnostics[0].found == "160-5281734HKGFRA"
    assert m.key == ""


# 11: FHL parties only with one house ---------------------------------------------------------
def test_fhl_parties_with_two_houses_go_to_unassigned(read_text: Read) -> None:
    text = (DATA / "fhl5-single-house-hkg-ams.txt").read_text().replace(
        "HTS/940542", "HBS/PDL26031409/HKGAMS/5/K427.5/20/LED DRIVERS\nHTS/940542")
    (m,) = read_text(text)
    assert codes(m) == ["IMP017"]
    houses = m.root.all("house")
    assert len(houses) == 2 and all("shipper" not in h.children for h in houses)
    holder = m.root.child("unassigned")
    assert holder is not None
    assert sorted(holder.children) == ["consignee", "cvd", "shipper"]
    assert [h.value("code") for h in houses[1].all("hs")] == ["940542", "850440"]


# 14: units kept as read ----------------------------------------------------------------------
def test_pound_weights_kept_as_read(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("/T12K486.5MC2.96", "/T12L1072.5CF104.5"))
    awb = m.root.child("awb")
    assert awb is not None
    assert (awb.value("weight_unit"), awb.value("weight"), awb.value("volume_unit"),
            awb.value("volume")) == ("L", "1072.5", "CF", "104.5")


# mandatory lines; unknown lines; order ------------------------------------------------------
def test_missing_mandatory_lines(read_text: Read) -> None:
    text = "\n".join(line for line in fwb17().splitlines()
                     if not line.startswith(("RTG/", "CVD/", "160-")))
    (m,) = read_text(text)
    missing = sorted(d.expected or "" for d in m.diagnostics if d.code == "IMP010")
    assert missing == ["CVD", "RTG", "awb line after line 1"]


def test_unknown_line_read_as_continuation(read_text: Read) -> None:
    text = (DATA / "fhl5-single-house-hkg-ams.txt").read_text().replace(
        "/OWER DRIVERS", "OWER DRIVERS")
    (m,) = read_text(text)
    assert codes(m) == ["IMP015"]
    txt = m.root.all("house")[0].all("txt")
    assert txt[1].value("text") == "OWER DRIVERS AND STAINLESS MOUNTING BRACKETS ON 4 PALLETS"
    assert txt[1].fields["text"].pos.column == 1


def test_line_out_of_order_is_warned(read_text: Read) -> None:
    text = fwb17().replace("RTG/FRACX\n", "").replace("CVD/USD", "RTG/FRACX\nCVD/USD")
    (m,) = read_text(text)
    assert "IMP019" in codes(m)
    assert m.root.child("route") is not None


# 16: status messages, unknown identifiers, versions -------------------------------------------
def test_status_and_unknown_messages_are_routed(read_text: Read) -> None:
    text = ("FSU/14\n160-52817343HKGFRA/T12K486.5\nDEP/CX0289/14MAR/HKGFRA/T12K486.5\n\n"
            "FBL/3\n1/CX0289/14MAR/HKG\n\nXYZ/1\nHELLO\n\nFMA\nACK/RECEIVED\n")
    fsu, fbl, xyz, fma = read_text(text)
    assert (fsu.kind, fsu.is_ens_input, codes(fsu)) == ("FSU", False, ["IMP002"])
    assert fsu.root.all("line")[0].value("text") == "FSU/14"
    assert (fbl.kind, codes(fbl)) == ("FBL", ["IMP003"])
    assert (xyz.kind, xyz.is_ens_input, codes(xyz)) == ("", False, ["IMP001"])
    assert [n.value("text") for n in xyz.root.all("line")] == ["XYZ/1", "HELLO"]
    assert (fma.kind, codes(fma)) == ("FMA", ["IMP002"])


def test_fna_echo_is_not_an_ens_input(read_text: Read) -> None:
    (fna,) = read_text("FNA/1\nACK/INVALID AWB\n\n" + fwb17())
    assert (fna.kind, fna.is_ens_input, codes(fna)) == ("FNA", False, ["IMP002"])
    assert fna.root.all("line")[2].value("text") == "FWB/17"
    fna, fwb = read_text("FNA/1\nACK/INVALID AWB\nNNNN\nQK FRAFMLH\n" + fwb17())
    assert (fna.kind, fwb.kind, fwb.is_ens_input) == ("FNA", "FWB", True)


def test_unknown_version_uses_nearest_layout(read_text: Read) -> None:
    (m,) = read_text(fwb17().replace("FWB/17", "FWB/18", 1))
    assert codes(m) == ["IMP004"]
    assert m.version == "18" and m.key == "160-52817343"


def test_empty_and_envelope_only_input(read_text: Read) -> None:
    (m,) = read_cargoimp(b"", file="e.txt")
    assert codes(m) == ["IMP018"] and not m.is_ens_input
    (m,) = read_text("QK FRAFMLH\n.HKGPDXH 141130\n\nNNNN\n")
    assert sorted(codes(m)) == ["IMP018", "IMP021"]


# FFM/5 and FFM/4 practice ----------------------------------------------------------------
def test_ffm5_nil_point_trailing_blanks_and_sph_after_description(read_text: Read) -> None:
    text = ("FFM/5\n1/LH8401/02MAR/FRA\nLHR/NIL\nJFK\nULD/PMC12345LH   \n"
            "020-12345675FRAJFK/T2K40MC0.2/SPARE PARTS/ECC/SPX\n/JFKLH0400/03MAR\nLAST\n")
    (m,) = read_text(text)
    assert (m.version, m.key, codes(m)) == ("5", "LH8401/02MAR/FRA", [])
    flight = m.root.child("flight")
    assert flight is not None and "registration" not in flight.fields
    lhr, jfk = m.root.all("unloading")
    assert lhr.to_dict() == {"airport": "LHR", "nil": "NIL"}
    assert jfk.all("uld")[0].value("id") == "PMC12345LH"
    (c,) = jfk.all("consignment")
    assert (c.value("description"), c.value("uld")) == ("SPARE PARTS", "PMC12345LH")
    assert [s.value("code") for s in c.all("sph")] == ["ECC", "SPX"]
    assert c.all("onward")[0].to_dict() == {"airport": "JFK", "flight": "LH0400",
                                            "carrier": "LH", "date": "03MAR"}


def test_ffm_missing_end_marker(read_text: Read) -> None:
    (m,) = read_text("FFM/8\n1/CX0289/14MAR/HKG\nAMS\n")
    assert [(d.code, d.expected) for d in m.diagnostics] == [("IMP010", "CONT or LAST")]
