"""pyx12 as the oracle of the X12 lexer: the same segments and elements on the same bytes,
and the same verdict on broken envelopes (where pyx12 can read the input at all)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import pyx12.errors as pyx12_errors  # a declared test dependency: missing means a broken install
import pyx12.x12file as pyx12_file

from ensgate.readers.x12 import lex, read_isa, read_x12
from ensgate.readers.x12._lexer import Delimiters

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "x12"
DATA = next(SAMPLES.glob("858-*.x12")).read_bytes()


def ours(data: bytes) -> list[tuple[str, list[str]]]:
    text = data.decode("latin-1")
    delims = read_isa(text, 0)
    assert isinstance(delims, Delimiters)
    segs, _tail, _end = lex(text, 0, delims, 1)
    out = []
    for s in segs:
        els = s.elements[1:] if s.tag == "ISA" else [e.rstrip(delims.component)
                                                     for e in s.elements[1:]]
        out.append((s.tag, els))
    return out


def theirs(data: bytes) -> tuple[list[tuple[str, list[str]]], list[tuple[Any, ...]]]:
    reader = pyx12_file.X12Reader(io.StringIO(data.decode("ascii")))
    segs = [(s.get_seg_id(), [c.format() for c in s.elements]) for s in reader]
    errs = reader.pop_errors()
    reader.cleanup()
    return segs, errs + reader.pop_errors()


def variants() -> list[bytes]:
    out = [DATA, DATA.replace(b"~\n", b"~"), next(SAMPLES.glob("997-*.x12")).read_bytes()]
    out.append(DATA.replace(b"~\n", b"\x1c").replace(b"*", b"\x1d").replace(b">", b"\x1f"))
    out.append(DATA.replace(b"~\n", b"'\r\n").replace(b"*", b"+").replace(b">", b":"))
    return out


@pytest.mark.parametrize("data", variants())
def test_same_segments_as_pyx12(data: bytes) -> None:
    segs, errs = theirs(data)
    assert errs == []
    assert ours(data) == segs


@pytest.mark.parametrize(("old", "new", "level", "code", "ours_code"), [
    (b"SE*22*0001", b"SE*21*0001", "st", "4", "X12003"),
    (b"SE*22*0002", b"SE*22*0007", "st", "3", "X12004"),
    (b"GE*2*905", b"GE*3*905", "gs", "5", "X12003"),
    (b"IEA*1*000000905", b"IEA*2*000000905", "isa", "021", "X12003"),
])
def test_same_envelope_verdict_as_pyx12(old: bytes, new: bytes, level: str, code: str,
                                        ours_code: str) -> None:
    data = DATA.replace(old, new)
    _segs, errs = theirs(data)
    assert [(e[0], e[1]) for e in errs] == [(level, code)]
    found = {d.code for m in read_x12(data, file="f") for d in m.diagnostics}
    assert found == {ours_code}


def test_truncation_pyx12_only_notices_missing_trailers() -> None:
    """pyx12 silently drops an unterminated last segment; both report the open envelope."""
    cut = DATA[:DATA.index(b"N1*CN*BRABANT") + 9]
    segs, errs = theirs(cut)
    assert ("isa", "023") in [(e[0], e[1]) for e in errs]
    assert segs[-1][0] == "PER"  # the cut N1 segment is gone without a word
    msgs = read_x12(cut, file="f")
    assert all("X12002" in {d.code for d in m.diagnostics} for m in msgs)
    assert "N1*CN*BRA" in next(d.message for d in msgs[-1].diagnostics if d.code == "X12002")


def test_bad_isa_pyx12_raises_we_report() -> None:
    data = DATA.replace(b"PRAIRIEFWD     *", b"PRAIRIEFWD*", 1)
    with pytest.raises(pyx12_errors.X12Error):
        theirs(data)
    (msg,) = read_x12(data, file="f")
    assert [d.code for d in msg.diagnostics] == ["X12001"]


def test_version_00403_pyx12_refuses_we_read() -> None:
    data = DATA[:106].replace(b"*U*00401*", b"*^*00403*") + DATA[106:]
    with pytest.raises(pyx12_errors.X12Error):
        theirs(data)
    assert [m.diagnostics for m in read_x12(data, file="f")] == [[], []]
