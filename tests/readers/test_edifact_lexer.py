"""The EDIFACT lexer against pydifact (the oracle) and against the bytes it points at."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_edifact_support import SAMPLES, interchange, lex, our_segments, pydifact_segments

from ensgate.readers.edifact import DEFAULT, Delimiters, Lexer

TRICKY = interchange(
    ["BGM+85+A?+B?:C?'D+9", "FTX+AAA+++LINE ONE:LINE TWO??:END", "NAD+CZ+++NAME?:WITH COLON",
     "FTX+AAI+++50?% OFF ?? ?? ?'QUOTED?'", "RFF+AWB:160-52817343", "NAD+CN", "MEA+AAE+G+KGM:1.5"],
    ["UNH+2+IFTMIN:D:99B:UN", "BGM+740+160-52817343+9", "FTX+AAA+++", "DTM+137:20261117:102"],
)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.edi")), ids=lambda p: p.name)
def test_samples_split_as_pydifact_splits_them(path: object) -> None:
    text = path.read_text("latin-1")  # type: ignore[attr-defined]
    assert our_segments(text) == pydifact_segments(text)


def test_release_characters_and_empty_elements_as_pydifact() -> None:
    ours = our_segments(TRICKY)
    assert ours == pydifact_segments(TRICKY)
    by_tag: dict[str, list[object]] = {}
    for tag, els in ours:
        by_tag.setdefault(tag, els)
    assert by_tag["BGM"][1] == "A+B:C'D"
    assert by_tag["FTX"][3] == ["LINE ONE", "LINE TWO?", "END"]  # ?? is a literal ?


def test_custom_una_delimiters_as_pydifact() -> None:
    # component *, element |, decimal ",", release !, terminator ~
    text = ("UNA*|,! ~UNB|UNOC*3|S*ZZZ|R*ZZZ|261117*1200|9~UNH|1|CUSCAR*D*99B*UN~"
            "FTX|AAA|||A!|B!~C*D~MEA|AAE|G|KGM*12,5~UNT|4|1~UNZ|1|9~")
    ours = our_segments(text)
    assert ours == pydifact_segments(text)
    assert ours[2] == ("FTX", ["AAA", "", "", ["A|B~C", "D"]])
    assert ours[3][1][2] == ["KGM", "12,5"]


def test_positions_point_at_the_segment_bytes() -> None:
    data = ("\ufeff\r\n" + TRICKY).encode("utf-8")
    text = data[3:].decode("utf-8")
    start = text.index("UNA") + 9
    segs = list(Lexer(text, DEFAULT, start=start, byte_base=3))
    assert [s.number for s in segs] == list(range(1, len(segs) + 1))
    for s in segs:
        assert data[s.offset:s.offset + 3].decode() == s.tag
        assert s.line == data[:s.offset].count(b"\n") + 1
        assert s.column == s.offset - (data.rfind(b"\n", 0, s.offset) + 1) + 1


def test_byte_offsets_count_utf8_bytes() -> None:
    text = interchange(["FTX+AAA+++MÜLLER ŁÓDŹ 北京", "NAD+CN+++ÆØÅ", "RFF+AWB:1"],
                       syntax="UNOW", sep="")
    data = text.encode("utf-8")
    segs = list(Lexer(text, DEFAULT, start=9, single_byte=False))
    assert [s.tag for s in segs] == ["UNB", "UNH", "FTX", "NAD", "RFF", "UNT", "UNZ"]
    for s in segs:
        assert data[s.offset:s.offset + 3].decode() == s.tag
    assert segs[3].elements[3] == "ÆØÅ" and segs[3].components(3) == ["ÆØÅ"]
    assert all(s.line == 1 for s in segs)


def test_unterminated_and_release_at_end_are_problems_not_exceptions() -> None:
    lexer = Lexer("UNB+UNOC:3+A+B+1:1+1'UNH+1+CUSCAR:D:99B:UN'BGM+85+X", DEFAULT)
    assert [s.tag for s in lexer] == ["UNB", "UNH"]
    assert [(p.kind, p.index, p.column) for p in lexer.problems] == [("unterminated", 3, 44)]
    lexer = Lexer("UNB+UNOC:3+A+B+1:1+1'FTX+AAA+++X?'", DEFAULT)
    assert [s.tag for s in lexer] == ["UNB"]
    assert lexer.problems[0].kind == "release-at-end"
    lexer = Lexer("UNB+UNOC:3+A+B+1:1+1'FTX+AAA+++X?", DEFAULT)
    list(lexer)
    assert lexer.problems[0].kind == "release-at-end"


_TEXT = st.text(alphabet=st.sampled_from("AB1 .-+:?'/é"), max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.lists(_TEXT, min_size=1, max_size=3), min_size=1, max_size=4),
                min_size=1, max_size=6))
def test_escaped_values_round_trip(segments: list[list[list[str]]]) -> None:
    """Any value, escaped with the release character, comes back as it was written; pydifact
    agrees on the split."""
    d = Delimiters()

    def esc(v: str) -> str:
        return "".join("?" + ch if ch in "+:?'" else ch for ch in v)

    body = "".join("FTX+" + "+".join(":".join(esc(c) for c in el) for el in seg) + "'"
                   for seg in segments)
    text = "UNA:+.? 'UNB+UNOC:3+A+B+1:1+1'" + body
    segs = lex(text, d, 9)
    assert [[s.components(i) for i in range(len(s.elements))] for s in segs[1:]] == segments
    assert our_segments(text) == pydifact_segments(text)


@pytest.mark.parametrize("sep", ["\r\n", "\n", "", " \r\n  "])
def test_positions_across_streamed_blocks(sep: str) -> None:
    """Interchanges much longer than one lexer block: every position still points at its
    segment, whatever the line ends (mixed ones included)."""
    body = ["BGM+85+X1+9", "FTX+AAA+++A?'B:LINE?+TWO", "NAD+CZ+++NAME+STREET 1+CITY++1+CN",
            "MEA+AAE+G+KGM:1.5"]
    text = interchange(*([body] * 400), sep=sep)
    if sep == "\n":  # mix: every 7th line end becomes CRLF, every 11th vanishes
        lines = text.split("\n")
        text = "".join(ln + ("\r\n" if i % 7 == 0 else "" if i % 11 == 0 else "\n")
                       for i, ln in enumerate(lines[:-1])) + lines[-1]
    data = text.encode("latin-1")
    segs = lex(text, DEFAULT, text.index("'") + 1)
    assert len(segs) == 400 * 6 + 2
    assert [s.number for s in segs] == list(range(1, len(segs) + 1))
    for s in segs:
        assert data[s.offset:s.offset + 3].decode() == s.tag
        assert s.line == data[:s.offset].count(b"\n") + 1, s
        assert s.column == s.offset - (data.rfind(b"\n", 0, s.offset) + 1) + 1, s
    assert segs[3].elements[3] == ["A'B", "LINE+TWO"]
    if " " not in sep:  # pydifact skips line ends between segments, not blanks
        assert our_segments(text) == pydifact_segments(text)
