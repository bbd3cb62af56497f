"""MRN structure (R3004), the check character ([I] ISO 6346 style) and the generator."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

import pytest

from ensgate.answers import MRN_PATTERN, MrnGenerator, is_valid_mrn, mrn_check_character

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

# ISO 6346 letter values as the standard tabulates them (A=10, multiples of 11 skipped).
ISO6346 = dict(zip(string.ascii_uppercase,
                   [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30,
                    31, 32, 34, 35, 36, 37, 38], strict=True))


def oracle(body: str) -> str:
    """The check character computed from the published table, independently of the code."""
    total = sum((int(ch) if ch.isdigit() else ISO6346[ch]) * 2 ** i for i, ch in enumerate(body))
    return str(total % 11 % 10)


def test_iso6346_published_container_example() -> None:
    # The ISO 6346 worked example: container CSQU 305438 has check digit 3 (the table above).
    assert oracle("CSQU305438") == "3"


def _hand_written(first17: str) -> str:
    """The check character as ensgate computed it by hand before python-stdnum took over
    (letter values counted up from A=10, skipping multiples of 11; weights 2**i)."""
    values = {str(d): d for d in range(10)}
    n = 10
    for letter in string.ascii_uppercase:
        n += n % 11 == 0
        values[letter] = n
        n += 1
    return str(sum(values[ch] << i for i, ch in enumerate(first17)) % 11 % 10)


def test_stdnum_gives_the_hand_written_result_on_2000_mrns() -> None:
    rng = random.Random(20261208)
    alphabet = string.ascii_uppercase + string.digits
    bodies = [f"{rng.randrange(100):02d}{rng.choice(['BE', 'DE', 'NL', 'FR', 'IT'])}"
              f"{''.join(rng.choice(alphabet) for _ in range(11))}"
              f"{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"
              for _ in range(2000)]
    same = sum(mrn_check_character(b) == _hand_written(b) == oracle(b) for b in bodies)
    assert same == 2000
    assert len({mrn_check_character(b) for b in bodies}) == 10  # every digit occurs


@pytest.mark.parametrize("body", ["26BE0000000000ASF", "26BEIEQH524YNG5SF", "99DEZZZZZZZZZZZNF",
                                  "00FR12345678901SF"])
def test_check_character_matches_the_oracle(body: str) -> None:
    assert mrn_check_character(body) == oracle(body)
    assert is_valid_mrn(body + oracle(body))


def test_generated_mrns_are_valid_and_unique() -> None:
    gen = MrnGenerator(country="nl")
    mrns = [gen.next(WHEN) for _ in range(2000)]
    assert len(set(mrns)) == 2000
    for mrn in mrns:
        m = MRN_PATTERN.match(mrn)
        assert m is not None and len(mrn) == 18
        assert m.group(1) == "26" and m.group(2) == "NL"
        assert m.group(4) == gen.trader_interface and m.group(5) == gen.procedure
        assert mrn[17] == oracle(mrn[:17])


def test_seed_makes_mrns_reproducible() -> None:
    a = [MrnGenerator(seed=7).next(WHEN) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    assert MrnGenerator(seed=8).next(WHEN) != a[0]


def test_wrong_check_character_and_structure_are_refused() -> None:
    good = MrnGenerator(seed=1).next(WHEN)
    wrong = good[:17] + str((int(good[17]) + 1) % 10)
    assert is_valid_mrn(good)
    assert not is_valid_mrn(wrong)
    assert is_valid_mrn(wrong, check=False)  # structure only, as the R3004 rule checks it
    for bad in (good[:17], good + "0", good.lower(), "2XBE" + good[4:],
                good[:15] + "1" + good[16:]):
        assert not is_valid_mrn(bad, check=False), bad


@pytest.mark.parametrize("kwargs", [{"country": "B"}, {"country": "B1"},
                                    {"trader_interface": "s"}, {"procedure": "FF"}])
def test_generator_refuses_bad_settings(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        MrnGenerator(**kwargs)


def test_check_character_refuses_bad_bodies() -> None:
    with pytest.raises(ValueError):
        mrn_check_character("26BE")
    with pytest.raises(ValueError):
        mrn_check_character("26BE00000000000-F")
