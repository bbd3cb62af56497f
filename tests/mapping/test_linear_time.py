"""Issue 9, item 4: splitting a street line into street and house number is linear.

The trailing-number pattern ``^(?P<street>.*?[A-Z].*?)[\\s,]+...$`` re-scanned the line once per
letter: a 16,000-character street took 5 CPU-seconds, and Cargo-XML, EDIFACT and X12 fields
reach 20 MB. The split is now read from the end in one pass (possessive quantifiers for the
other patterns), and a line longer than any format allows is refused with MAP004.
Kept in its own file: the street/number rules themselves may change (issue 12), this file
only holds the split to the same answers in linear time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linear import assert_linear

from ensgate import translate_bytes
from ensgate.mapping import _transforms as transforms

ROOT = Path(__file__).resolve().parents[2]

# The patterns as they were before the rewrite: the oracle of what the split answers.
_SPACES = re.compile(r"\s+")
_TRAILING_NO = re.compile(
    r"^(?P<street>.*?[A-Z].*?)[\s,]+(?:NO[.:]?\s*)?(?P<no>\d+[A-Z]?(?:[-/]\d+[A-Z]?)*)$")
_LEADING_NO = re.compile(
    r"^(?:NO[.:]?\s*)?(?P<no>\d+[A-Z]?(?:[-/]\d+[A-Z]?)*)[\s,]+(?P<street>.*[A-Z].*)$")
_INNER_NO = re.compile(r"\bNO[.:]?\s*(?P<no>\d+[A-Z]?)\b")
_PREMISES = re.compile(r"^(?P<no>(?:UNIT|BLDG|BUILDING|BLOCK|PLOT|HANGAR|GATE)\s+\d+[A-Z]?)"
                       r"[\s,]+(?P<street>.*[A-Z].*)$")


def _oracle(text: str) -> tuple[str, str | None]:
    t = _SPACES.sub(" ", text).strip()
    up = t.upper()
    prem = _PREMISES.match(up)
    if prem is not None and _TRAILING_NO.match(prem.group("street")) is None:
        return t[len(t) - len(prem.group("street")):].strip(" ,"), t[: len(prem.group("no"))]
    inner = _INNER_NO.search(up)
    if inner is not None and inner.start() > 0 and inner.end() < len(up):
        rest = (t[: inner.start()] + t[inner.end():]).strip(" ,")
        return _SPACES.sub(" ", rest), inner.group("no")
    m = _TRAILING_NO.match(up)
    if m is not None:
        return t[: len(m.group("street"))].strip(" ,"), m.group("no")
    m = _LEADING_NO.match(up)
    if m is not None:
        return t[len(t) - len(m.group("street")):].strip(" ,"), m.group("no")
    return t, None


_PIECES = st.sampled_from(["A", "N", "O", "NO", "NO.", "NO:", "1", "2", "12", " ", ",", " ,",
                           "-", "/", ".", "x", "UNIT ", "BLDG ", "é", "\t", "B", "STRASSE"])


@settings(max_examples=3000, derandomize=True, database=None, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_same_answers_as_the_old_patterns(text: str) -> None:
    transforms._split_street.cache_clear()
    assert transforms._split_street(text) == _oracle(text)


@pytest.mark.parametrize("line", [
    "HANAUER LANDSTRASSE 291", "2150 W FULTON ST", "MAIN ST, NO. 12", "ROOM 1206 NO 88 HUAXIA",
    "UNIT 1208 12F TOWER B", "UNIT 5, 83 HOW MING STREET", "CASINO 12", "NO 318 HUANGPUJIANG RD",
    "BOOMSESTEENWEG 941", "ACHTSEWEG NOORD 21", "12-14 RUE DE LA PAIX", "STR. 7/3A",
])
def test_real_lines(line: str) -> None:
    transforms._split_street.cache_clear()
    assert transforms._split_street(line) == _oracle(line)


@pytest.mark.parametrize("unit", ["A 1 ", "NO 1 ", "X", "UNIT 1 A ", "A, ", "1-", "A,1 "])
def test_split_is_linear(unit: str) -> None:
    """A line ten times longer costs at most about ten times as much. The old patterns took
    1.4 s for 16,000 characters of "A 1 " (100 times the 1,600-character line)."""
    def split(n: int) -> None:
        transforms._split_street.cache_clear()
        line = (unit * (n // len(unit) + 1))[:n]
        transforms._split_street(line)
        transforms._split_street(line + " X")  # no number at the end: every split is tried
    assert_linear(lambda: split(1_600), lambda: split(16_000), factor=10, what=repr(unit))


def test_a_street_longer_than_any_format_allows_is_refused() -> None:
    notes = transforms.Notes()
    line = "A 1 " * 200
    with pytest.raises(transforms.TransformFailed, match="longer than any source format"):
        transforms.TRANSFORMS["street_name"].func(line, notes)
    with pytest.raises(transforms.TransformFailed):
        transforms.TRANSFORMS["address_number"].func(["SHORT ST 1", line], notes)
    assert transforms.TRANSFORMS["street_name"].func("A 1 " * 100, notes) == "A 1 " * 99 + "A"


def test_a_16000_character_street_in_a_feed_is_a_map004_not_a_hang() -> None:
    """The issue's input through the whole pipeline: a Cargo-XML street of 16,000
    characters. It is reported (MAP004 at the street) and the run stays fast: linear."""
    data = (ROOT / "samples" / "cargo-xml" / "s3-xfwb-direct-180-88351270-icn-vie-security.xml"
            ).read_bytes()
    m = re.search(rb"<ram:StreetName>([^<]*)</ram:StreetName>", data)
    assert m is not None

    def run(n: int) -> object:
        big = data[:m.start(1)] + (b"NO 1 " * (n // 5)) + data[m.end(1):]
        return translate_bytes(big, file=f"street-{n}.xml")

    result = run(16_000)
    codes = {d.code for r in result.rejects for d in r.diagnostics}
    codes |= {d.code for f in result.filings for d in f.diagnostics}
    assert "MAP004" in codes
    assert_linear(lambda: run(1_600), lambda: run(16_000), factor=10, what="pipeline")


@pytest.mark.parametrize("country", ["DE", "FR", "HK"])
@pytest.mark.parametrize("unit", ["A 1 ", "NO 1 ", "UNIT 1 A ", "P.O. BOX 1 ", "1-", "# 1 ",
                                  "A, ", "B 5 A "])
def test_country_split_is_linear(unit: str, country: str) -> None:
    """Issue 12's split by the country's order (codelists/street-number-order.yaml) and the
    P.O. box search stay linear in the line."""
    from ensgate.mapping import _addresses

    def split(n: int) -> None:
        _addresses.split_line.cache_clear()
        _addresses.address_parts.cache_clear()
        line = (unit * (n // len(unit) + 1))[:n]
        _addresses.address_parts((line, line + " X"), country)
    assert_linear(lambda: split(1_600), lambda: split(16_000), factor=10,
                  what=f"{unit!r} {country}")
