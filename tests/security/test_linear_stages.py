"""Issue 9, item 4: the other algorithmic blow-ups; every stage is linear in its input.

Each test gives a stage an input ten times larger and allows about ten times the CPU time
(``tests/linear.py``: best of three, process time); the quadratic code took about a hundred.
The street split has its own file (``tests/mapping/test_linear_time.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linear import assert_linear
from lxml import etree

from ensgate import translate_bytes
from ensgate.mapping import _transforms as transforms
from ensgate.readers.cargoimp import read_cargoimp
from ensgate.validate.rules import _tree

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST_HEAD = b"FHL/5\nMBI/057-77403185HKGCDG/T22K717\n"


def _checklist(houses: int) -> bytes:
    lines = b"".join(b"HBS/VHL%07d/HKGCDG/3/K%d.5/30/COSMETIC BRUSH\n" % (i, 10 + i % 90)
                     for i in range(houses))
    return CHECKLIST_HEAD + lines


def test_a_checklist_of_many_houses_is_linear() -> None:
    """1,000 HBS lines took 12.7 CPU-s: each house copied its lineage by scanning the whole
    fragment's, each goods item read every house's weight (``$.house``), and each rule
    finding counted its element's preceding siblings."""
    assert_linear(lambda: translate_bytes(_checklist(100), file="c.txt"),
                  lambda: translate_bytes(_checklist(1000), file="c.txt"), factor=10,
                  what="check-list FHL")


def test_checklist_goods_items_carry_their_own_house_weight() -> None:
    """What made the goods items quadratic was also wrong: every house's goods item read the
    weights of all houses and took the first (house 1's, with MAP005). Each now reads its
    own house's values."""
    from ensgate.mapping._engine import run_spec
    from ensgate.mapping._spec import builtin_specs

    spec = next(s for s in builtin_specs() if s.id == "cargoimp-fhl")
    (msg,) = read_cargoimp(_checklist(4), file="c.txt")
    (frag,) = run_spec(spec, msg)
    houses = frag.data["houses"]
    assert [h["total_gross_mass"] for h in houses] == ["10.5", "11.5", "12.5", "13.5"]
    assert [h["goods_items"][0]["gross_mass"] for h in houses] == ["10.5", "11.5", "12.5",
                                                                   "13.5"]
    assert [h["goods_items"][0]["shipping_marks"] for h in houses] == [
        f"VHL{i:07d}" for i in range(4)]
    assert not [d for d in frag.diagnostics if d.code == "MAP005"], frag.diagnostics


def test_flight_pairs_are_read_in_linear_time() -> None:
    """A FLT line of many carrier/day pairs re-sliced the element list for each pair."""
    fwb = (ROOT / "samples" / "cargo-imp" / "s1-fwb17-master-781-60482133-pvg-bru.txt"
           ).read_bytes()
    at = fwb.index(b"\nFLT/")
    end = fwb.index(b"\n", at + 1)

    def read(pairs: int) -> None:
        read_cargoimp(fwb[:end] + b"/MU0553/14" * pairs + fwb[end:], file="f.txt")
    assert_linear(lambda: read(4_000), lambda: read(40_000), factor=10, what="FLT pairs")


def test_rule_findings_name_their_element_in_linear_time() -> None:
    """The readable XPath of a finding counted the element's preceding siblings each time:
    a finding on each of n houses cost n squared."""
    def name_all(n: int) -> None:
        root = etree.fromstring(b"<r>" + b"<consignmentHouseLevel/>" * n + b"</r>")
        positions = _tree.SiblingPositions()
        for el in root:
            _tree.readable_xpath(el, positions)
    assert_linear(lambda: name_all(2_000), lambda: name_all(20_000), factor=10,
                  what="readable_xpath")
    root = etree.fromstring(b"<r><a/><b/><a/></r>")
    assert [_tree.readable_xpath(el) for el in root] == ["/r/a[1]", "/r/b", "/r/a[2]"]


def test_schema_error_paths_are_followed_in_linear_time() -> None:
    from ensgate.validate._schema_errors import Siblings, ens_xpath, find_element

    def follow_all(n: int) -> None:
        root = etree.fromstring(b"<r>" + b"<h><w/></h>" * n + b"</r>")
        siblings = Siblings()
        for i in range(1, n + 1):
            el = find_element(root, f"/r/h[{i}]/w", siblings)
            assert ens_xpath(el, siblings) == f"/r/h[{i}]/w"
    assert_linear(lambda: follow_all(1_000), lambda: follow_all(10_000), factor=10,
                  what="schema error paths")


@pytest.mark.parametrize("value", ["9" * 200_000, "1E+999999999", "-" + "9" * 65])
def test_numbers_with_more_digits_than_an_ens_number_are_refused_at_once(value: str) -> None:
    """int() of a 200,000-digit count took over a second (quadratic), and 1E+999999999 would
    have printed a billion zeros; ENS numbers have at most 16 digits."""
    notes = transforms.Notes()
    for name in ("integer", "decimal", "kg"):
        with pytest.raises(transforms.TransformFailed, match="more digits"):
            transforms.TRANSFORMS[name].func(value, notes)
    assert transforms.TRANSFORMS["integer"].func("9" * 64, notes) == "9" * 64
    assert transforms.TRANSFORMS["integer"].func("-0.0", notes) == "0"


def _codes(result: object) -> set[str]:
    out = {d.code for r in result.rejects for d in r.diagnostics}  # type: ignore[attr-defined]
    out |= {d.code for f in result.filings for d in f.diagnostics}  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize("old", [b"UNZ+1+", b"UNT+14+", b"UNE+1+"])
def test_edifact_control_counts_of_thousands_of_digits(old: bytes) -> None:
    """int() refuses more than 4,300 digits: a count of 5,000 went through the RUN001 net."""
    from ensgate.readers.edifact import read_edifact

    data = (ROOT / "samples" / "edifact" / "s3-cuscar-KE0933-icn-vie-group.edi").read_bytes()
    assert old in data
    bad = data.replace(old, old[:4] + b"9" * 5000 + b"+")
    assert "RUN001" not in _codes(translate_bytes(bad, file="e.edi"))
    (msg,) = read_edifact(bad, file="e.edi")
    assert [d.code for d in msg.diagnostics] == ["EDI008" if old == b"UNT+14+" else "EDI010"]


def test_cargoimp_part_number_of_thousands_of_digits() -> None:
    data = (ROOT / "samples" / "noisy" / "fwb17-two-parts-235-66273815-ist-waw.txt").read_bytes()
    assert b"PART/1/CONT" in data
    result = translate_bytes(data.replace(b"PART/1/CONT", b"PART/" + b"1" * 5000 + b"/CONT"),
                             file="p.txt")
    assert "RUN001" not in _codes(result)


@pytest.mark.parametrize(("kind", "line"), [
    ("fzb6-house-sin-vie.txt", b"HCD/"),
    ("fwb17-eu-ics2-hkg-fra.txt", b"SHP"),
])
def test_a_line_a_message_holds_once_cannot_be_repeated_thousands_of_times(
        kind: str, line: bytes) -> None:
    """Found by tools/fuzz.py: an FZB with 2,000 HCD lines took 25 s, as every house read
    every HCD line for its goods items. A repeat of a line the message holds once (AWB, HCD,
    MBI, SHP, CNE, NFY, ISU) is now IMP027: the message is rejected, linearly."""
    data = (ROOT / "tests" / "data" / "cargoimp" / kind).read_bytes()
    at = data.index(b"\n" + line) + 1
    end = data.index(b"\n", at)
    while data[end + 1:end + 2] == b"/":  # the line's continuation lines go with it
        end = data.index(b"\n", end + 1)
    block = data[at:end + 1]

    def run(n: int) -> object:
        return translate_bytes(data[:end + 1] + block * n + data[end + 1:], file=kind)

    result = run(3)
    assert "IMP027" in _codes(result)
    assert not result.filings  # type: ignore[attr-defined]
    assert_linear(lambda: run(200), lambda: run(2_000), factor=10, what=f"{kind} repeats")


@pytest.mark.parametrize("sample", ["samples/edifact/s1-cuscar-MU0553-pvg-bru-three-houses.edi",
                                    "tests/data/edifact-realworld/"
                                    "e03-cuscar-unow-v4-utf8-release-houses.edi"])
def test_edifact_element_of_many_components_is_read_in_linear_time(sample: str) -> None:
    """Found by tools/fuzz.py: a NAD element of 2,300 components took 1.4 s (18 kB): each
    component's position was found by scanning from the element's start, and in UTF-8
    interchanges the byte offset re-encoded everything before it."""
    from ensgate.readers.edifact import read_edifact

    data = (ROOT / sample).read_bytes()
    at = data.index(b"NAD+CZ+")  # the name element follows the party id: "+++NAME" or "++NAME"
    name = data.index(b"+", data.index(b"+", at + 7) + 1) + 1

    def read(n: int) -> None:
        # a UNOA interchange holds no UTF-8: the components are ASCII there
        piece = b":KEY" if b"UNOA" in data[:80] or b"UNOC" in data[:80] else b":K\xc3\xa9Y"
        read_edifact(data[:name] + b"X" + piece * n + data[name:], file="e.edi")
    assert_linear(lambda: read(300), lambda: read(3_000), factor=10, what=sample)
