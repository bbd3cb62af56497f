"""The X12 reader on the bundled 858 sample and on inputs derived from it: delimiters from the
ISA header, envelope checks, positions, and one clear diagnostic per kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ensgate.diagnostics import Severity
from ensgate.readers._source import SourceMessage
from ensgate.readers.cargoimp import looks_like_cargoimp
from ensgate.readers.x12 import looks_like_x12, read_x12

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE = next((SAMPLES / "x12").glob("858-*.x12"))
ACK = next((SAMPLES / "x12").glob("997-*.x12"))
DATA = SAMPLE.read_bytes()


def codes(msg: SourceMessage) -> set[str]:
    return {d.code for d in msg.diagnostics}


def errors(msg: SourceMessage) -> list[str]:
    return [d.code for d in msg.diagnostics if d.severity >= Severity.ERROR]


def redelimit(data: bytes, element: bytes, component: bytes, term: bytes,
              newline: bytes = b"") -> bytes:
    """The sample with other delimiters (its values hold none of ``*``, ``>``, ``~``)."""
    out = data.replace(b"~\n", b"\x00").replace(b"*", element).replace(b">", component)
    return out.replace(b"\x00", term + newline)


def test_detection_is_by_content() -> None:
    head = DATA[:4096].decode("latin-1")
    assert looks_like_x12(head)
    assert looks_like_x12("\r\n" + head)
    assert looks_like_x12(ACK.read_text("latin-1"))
    assert not looks_like_cargoimp(head)
    fwb = next((SAMPLES / "cargo-imp").glob("s3-fwb17-*")).read_text("latin-1")
    assert not looks_like_x12(fwb)
    assert not looks_like_x12("ISAAC NEWTON ST")


def test_sample_gives_one_message_per_transaction_set() -> None:
    msgs = read_x12(DATA, file="f.x12")
    assert [(m.kind, m.version, m.key, m.is_ens_input) for m in msgs] == [
        ("858", "004010", "020-61183253", True), ("858", "004010", "006-33904172", True)]
    assert [m.diagnostics for m in msgs] == [[], []]
    text = DATA.decode("ascii")
    for m in msgs:
        # raw is the set from ST to SE, first_line the line of its ST
        assert m.raw.startswith("ST*858*") and m.raw.endswith("~")
        assert m.raw in text
        assert text.splitlines()[m.first_line - 1].startswith("ST*858*")


def test_loops_nest_parties_and_line_items() -> None:
    first, second = read_x12(DATA, file="f.x12")
    cn = next(n for n in second.root.all("n1") if n.value("e01") == "CN")
    assert cn.child("n3") is not None and cn.child("n4") is not None
    assert cn.child("n4").value("e03") == "5013 CD"  # type: ignore[union-attr]
    assert [lx.child("l5").value("e03") for lx in first.root.all("lx")] == [  # type: ignore[union-attr]
        "8471500000", "8523510000"]
    assert first.root.child("l3") is not None  # summary segment closes the LX loop
    assert all(lx.child("l3") is None for lx in first.root.all("lx"))
    # an empty element gives no field (N402 of a DE address)
    de = next(n for n in first.root.all("n1") if n.value("e01") == "CN").child("n4")
    assert de is not None and "e02" not in de.fields and de.value("e03") == "60326"


def test_positions_are_segment_index_and_byte_offset() -> None:
    msgs = read_x12(DATA, file="f.x12")
    segments = DATA.split(b"~\n")
    for m in msgs:
        for node in m.root.walk():
            if node.pos.offset is None or node is m.root:
                continue
            assert node.pos.file == "f.x12" and node.pos.message == m.index
            # the segment starts at its offset, and is the n-th segment of the file
            assert DATA[node.pos.offset:].startswith(node.tag.upper().encode() + b"*")
            assert segments[node.pos.segment - 1].startswith(node.tag.upper().encode())  # type: ignore[operator]
            for name, fld in node.fields.items():
                if "_" not in name:
                    raw = DATA[fld.pos.offset:fld.pos.offset + len(fld.text)]  # type: ignore[operator]
                    assert raw.decode() == fld.text


@pytest.mark.parametrize(("element", "component", "term", "newline"), [
    (b"|", b":", b"~", b""),
    (b"\x1d", b"\x1f", b"\x1c", b""),
    (b"^", b"\\", b"'", b"\r\n"),
])
def test_delimiters_come_from_the_isa_header(element: bytes, component: bytes, term: bytes,
                                             newline: bytes) -> None:
    base = [m.root.to_dict() for m in read_x12(DATA, file="f")]
    data = redelimit(DATA, element, component, term, newline)
    msgs = read_x12(data, file="f")
    assert [m.diagnostics for m in msgs] == [[], []]
    got = [m.root.to_dict() for m in msgs]
    for b, g in zip(base, got, strict=True):
        b.pop("isa"), g.pop("isa")
        assert b == g


def test_components_and_repetitions() -> None:
    n9 = b"N9*AW*020-61183253~\n"
    data = DATA.replace(n9, n9 + b"N9*ZZ*A>B*R1^R2~\n", 1).replace(b"SE*22*0001", b"SE*23*0001")
    v401 = read_x12(data, file="f")[0]
    zz = next(n for n in v401.root.all("n9") if n.value("e01") == "ZZ")
    assert (zz.value("e02_1"), zz.value("e02_2")) == ("A", "B")
    assert zz.value("e03") == "R1^R2" and "e03_r1" not in zz.fields  # 00401: ISA11 is 'U'
    isa = DATA[:106].replace(b"*U*00401*", b"*^*00501*")
    v501 = read_x12(isa + data[106:], file="f")[0]
    zz = next(n for n in v501.root.all("n9") if n.value("e01") == "ZZ")
    assert (zz.value("e03_r1"), zz.value("e03_r2")) == ("R1", "R2")
    assert errors(v401) == errors(v501) == []


# ------------------------------------------------------------------------------ bad input
def test_wrong_se_count_rejects_only_its_set() -> None:
    msgs = read_x12(DATA.replace(b"SE*22*0001", b"SE*21*0001"), file="f")
    assert errors(msgs[0]) == ["X12003"] and errors(msgs[1]) == []
    d = msgs[0].diagnostics[0]
    assert (d.expected, d.found) == ("22", "21")
    assert d.source is not None and DATA[d.source.offset:].startswith(b"SE*22*0001")  # type: ignore[index]


def test_wrong_ge_and_iea_counts_reject_the_whole_scope() -> None:
    for old, new in ((b"GE*2*905", b"GE*3*905"), (b"IEA*1*000000905", b"IEA*2*000000905")):
        msgs = read_x12(DATA.replace(old, new), file="f")
        assert [errors(m) for m in msgs] == [["X12003"], ["X12003"]]
        assert msgs[0].diagnostics[0].found == new.split(b"*")[1].decode()


def test_control_number_mismatch() -> None:
    msgs = read_x12(DATA.replace(b"SE*22*0002", b"SE*22*0007"), file="f")
    assert errors(msgs[0]) == [] and errors(msgs[1]) == ["X12004"]
    assert (msgs[1].diagnostics[0].expected, msgs[1].diagnostics[0].found) == ("0002", "0007")


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_truncated_interchange(cut: int) -> None:
    at = int(len(DATA) * cut)
    msgs = read_x12(DATA[:at], file="f")
    assert msgs and all("X12002" in errors(m) for m in msgs)
    d = next(d for d in msgs[0].diagnostics if d.code == "X12002")
    assert "truncated" in d.message and d.source is not None and d.source.offset is not None


def test_bad_isa_length_is_one_clear_reject() -> None:
    # a sender that trims the padding of ISA06 makes a 101-character header
    data = DATA.replace(b"PRAIRIEFWD     *", b"PRAIRIEFWD*", 1)
    msgs = read_x12(data, file="f")
    assert len(msgs) == 1 and not msgs[0].is_ens_input
    assert errors(msgs[0]) == ["X12001"]
    d = msgs[0].diagnostics[0]
    assert d.source is not None and d.source.offset == 50 and "positions" in (d.expected or "")


def test_bad_charset_is_flagged_and_decoded() -> None:
    latin1 = DATA.replace(b"RHEIN-MAIN", b"RH\xdcIN-MAIN")
    msgs = read_x12(latin1, file="f")
    assert codes(msgs[0]) == {"X12005"} and not msgs[0].diagnostics[0].is_error
    d = msgs[0].diagnostics[0]
    assert d.source is not None and latin1[d.source.offset] == 0xDC  # type: ignore[index]
    cn = next(n for n in msgs[0].root.all("n1") if n.value("e01") == "CN")
    assert cn.value("e02") == "RH\u00dcIN-MAIN RECHENZENTRUM GMBH"
    utf8 = DATA.replace(b"RHEIN-MAIN", "RHÜIN-MAIN".encode())
    cn = next(n for n in read_x12(utf8, file="f")[0].root.all("n1") if n.value("e01") == "CN")
    assert cn.value("e02") == "RHÜIN-MAIN RECHENZENTRUM GMBH"


def test_segments_out_of_place() -> None:
    stray = DATA.replace(b"ST*858*0002", b"N1*XX*STRAY~\nST*858*0002")
    assert [errors(m) for m in read_x12(stray, file="f")] == [["X12006"], ["X12006"]]
    empty = DATA.replace(b"LX*2~", b"~\nLX*2~").replace(b"SE*22*0001", b"SE*23*0001")
    msgs = read_x12(empty, file="f")
    assert errors(msgs[0]) == ["X12006"] and errors(msgs[1]) == []
    after = read_x12(DATA + b"GARBAGE", file="f")
    assert [m.kind for m in after] == ["858", "858", ""]
    assert errors(after[2]) == ["X12006"] and errors(after[0]) == []


def test_acknowledgement_and_other_sets_are_routed() -> None:
    (ack,) = read_x12(ACK.read_bytes(), file="a")
    assert (ack.kind, ack.version, ack.is_ens_input) == ("997", "005010", False)
    assert codes(ack) == {"X12008"}
    m309 = read_x12(DATA.replace(b"ST*858*0001", b"ST*309*0001"), file="f")[0]
    assert not m309.is_ens_input and errors(m309) == ["X12007"]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n"])
def test_newline_as_segment_terminator(eol: bytes) -> None:
    msgs = read_x12(DATA.replace(b"~\n", eol), file="n")
    assert [m.key for m in msgs] == ["020-61183253", "006-33904172"]
    assert [m.diagnostics for m in msgs] == [[], []]
    # "\r\n" makes CR the terminator (ISA byte 105) and LF a line break to skip
    assert [m.root.to_dict() for m in msgs] == [m.root.to_dict() for m in
                                                read_x12(DATA, file="n")]


def test_never_raises_on_junk() -> None:
    for junk in (b"ISA*", b"ISA*" + bytes(range(256)) * 3, DATA[:200], DATA[:105],
                 DATA.replace(b"~\n", b"")):
        msgs = read_x12(junk, file="j")
        assert msgs and all(errors(m) for m in msgs)


def test_x12_datetime_transform() -> None:
    from ensgate.mapping._transforms import TRANSFORMS, Notes, TransformFailed

    f = TRANSFORMS["x12_datetime"].func
    notes = Notes()
    assert f("20261119", notes, time="1740", tz="America/Chicago") == "2026-11-19T23:40:00Z"
    assert f("202607011740", notes, tz="America/Chicago") == "2026-07-01T22:40:00Z"  # CDT
    assert not notes.items
    # no zone known: read as UTC, and said so (as the EDIFACT and Cargo-XML transforms do)
    assert f("20261120", notes, time="0845") == "2026-11-20T08:45:00Z"
    assert [m for m, *_ in notes.items] == ["no time zone for a local time; UTC used"]
    notes = Notes()
    assert f("20261120", notes, tz="Europe/Berlin") == "2026-11-19T23:00:00Z"
    assert [m for m, *_ in notes.items] == ["no time of day in the source; 00:00 used"]
    for bad, time in (("261120", "0845"), ("20261131", "0845"), ("20261120", "2460")):
        with pytest.raises(TransformFailed):
            f(bad, Notes(), time=time)
