"""The transform library on real-shaped values from the Cargo-IMP references."""

from __future__ import annotations

import re

import pytest

from ensgate.mapping._transforms import TRANSFORMS, Notes, TransformFailed

R3006 = re.compile(r"^\+(?:[0-9] ?){6,14}[0-9]$")


def run(name: str, value: object, **kw: object) -> object:
    return TRANSFORMS[name].func(value, Notes(), **kw)


def test_concat_keeps_mid_word_splits_and_leading_spaces() -> None:
    # fwb17-eu-ics2-hkg-fra.txt: 20-character NG chunks split inside words
    chunks = ["UNMOUNTED GLASS OPTI", "CAL LENSES AND MICRO", "SCOPE SPARE PARTS"]
    assert run("concat", chunks, width=20) == (
        "UNMOUNTED GLASS OPTICAL LENSES AND MICROSCOPE SPARE PARTS")
    # README §2.5: a chunk that starts with the separating space keeps it
    assert run("concat", ["IMMUNOASSAY DIAGNOST", "IC TEST KITS KEEP AT", " 2-8 DEG C"],
               width=20) == "IMMUNOASSAY DIAGNOSTIC TEST KITS KEEP AT 2-8 DEG C"


def test_concat_with_width_separates_short_lines() -> None:
    assert run("concat", ["CONSOLIDATION", "AS PER ATTACHED LIST"], width=20) == (
        "CONSOLIDATION AS PER ATTACHED LIST")
    assert run("concat", ["CONSOLIDATION", "AS PER ATTACHED LIST"]) == (
        "CONSOLIDATIONAS PER ATTACHED LIST")


@pytest.mark.parametrize(("raw", "hs6", "cn2"), [
    ("900190", "900190", None), ("8409910000", "840991", "00"), ("9503.00.70", "950300", "70")])
def test_hs_codes(raw: str, hs6: str, cn2: str | None) -> None:
    assert run("hs6", raw) == hs6
    assert run("cn2", raw) == cn2


@pytest.mark.parametrize("raw", ["12345", "990000", "ABCDEF"])
def test_hs6_refuses_short_codes_and_unknown_chapters(raw: str) -> None:
    with pytest.raises(TransformFailed):
        run("hs6", raw)


def test_pounds_to_kilograms() -> None:
    assert run("kg", "1874", unit="L") == "850.032"
    assert run("kg", "486.50", unit="K") == "486.5"
    with pytest.raises(TransformFailed):
        run("kg", "10", unit="X")


@pytest.mark.parametrize(("number", "country", "expected"), [
    ("4969427710", "DE", "+49 69 427710"),
    ("13125550147", "US", "+1 312 555 0147"),
    ("8675586012345", "CN", "+86 755 8601 2345"),
])
def test_phone_numbers_become_e123_and_meet_r3006(number: str, country: str,
                                                   expected: str) -> None:
    out = run("phone_e123", number, country=country)
    assert out == expected
    assert R3006.match(str(out))


def test_airport_derivations_use_airportsdata() -> None:
    assert run("airport_country", "FRA") == "DE"
    assert run("airport_unlocode", "AMS") == "NLAMS"
    assert run("airport_tz", "HKG") == "Asia/Hong_Kong"
    assert run("first_eu_airport", ["HKG", "DXB", "FRA", "MXP"]) == "FRA"
    assert run("until_first_eu", ["ORD", "JFK", "MXP", "FCO"]) == ["ORD", "JFK", "MXP"]
    assert run("airport_countries", ["HKG", "AMS", "FRA"]) == ["HK", "NL", "DE"]
    with pytest.raises(TransformFailed):
        run("airport_country", "QQQ")


def test_ffm_local_times_become_utc() -> None:
    # 14MAR2355 at HKG (UTC+8) is 15:55Z; the year comes from the anchor date
    assert run("ddmmm_to_datetime", "14MAR2355", anchor="2026-03-14",
               tz="Asia/Hong_Kong") == "2026-03-14T15:55:00Z"
    # New-Year rollover: a January date read in late December belongs to the next year
    assert run("ddmmm_to_datetime", "02JAN0100", anchor="2026-12-30",
               tz="UTC") == "2027-01-02T01:00:00Z"


def test_flight_day_month_inference_rolls_over() -> None:
    assert run("day_to_date", "14", anchor="2026-03-14") == "2026-03-14"
    assert run("day_to_date", "02", anchor="2026-12-30") == "2027-01-02"
    assert run("isu_date", "14MAR26") == "2026-03-14"
    with pytest.raises(TransformFailed):
        run("isu_date", "31FEB26")


@pytest.mark.parametrize(("line", "street", "number"), [
    ("HANAUER LANDSTRASSE 291", "HANAUER LANDSTRASSE", "291"),
    ("2150 W FULTON ST", "W FULTON ST", "2150"),
    ("3-14-7 SHIMOMARUKO", "SHIMOMARUKO", "3-14-7"),
    ("NO 18 XINGYE ROAD CHANG AN TOWN", "XINGYE ROAD CHANG AN TOWN", "18"),
    ("UNIT 4 EASTGATE ROAD", "EASTGATE ROAD", "UNIT 4"),
])
def test_street_and_house_number_split(line: str, street: str, number: str) -> None:
    assert run("street_name", line) == street
    assert run("house_number", line) == number


def test_street_line_with_a_number_is_preferred() -> None:
    lines = ["UNIT 1208 12F TOWER B", "83 HOW MING STREET"]
    assert run("address_street", lines) == "HOW MING STREET"
    assert run("address_number", lines) == "83"
    assert run("address_extra", lines) == "UNIT 1208 12F TOWER B"


def test_eori_extraction_strips_prefixes_and_warns_on_bad_shape() -> None:
    notes = Notes()
    assert TRANSFORMS["eori"].func("VAT NO DE 274916300", notes) == "DE274916300"
    assert not notes.items
    notes = Notes()
    assert TRANSFORMS["eori"].func("DE-27491!", notes) == "DE27491!"
    assert notes.items and "EORI" in notes.items[0][0]


# -- issue 12: street, number and P.O. box by the country's order --------------------------------
@pytest.mark.parametrize(("lines", "country", "street", "number", "po_box", "extra"), [
    (["VIA ROMA 12/A"], "IT", "VIA ROMA", "12/A", None, None),
    (["HAUPTSTR. 5 A"], "DE", "HAUPTSTR.", "5 A", None, None),
    (["BAHNHOFSTRAßE 3"], "DE", "BAHNHOFSTRAßE", "3", None, None),  # ß upper-cases to SS
    (["CHEONG TAT ROAD"], "HK", "CHEONG TAT ROAD", None, None, None),
    (["P.O. BOX 1234"], "AE", None, None, "1234", None),
    (["P.O. BOX 17745 JEBEL ALI FREE ZONE"], "AE", "JEBEL ALI FREE ZONE", None, "17745", None),
    (["POSTFACH 10 20 30"], "DE", None, None, "10 20 30", None),
    (["RUE DU 8 MAI 1945"], "FR", "RUE DU 8 MAI 1945", None, None, None),
    (["12 RUE DE LA PAIX"], "FR", "RUE DE LA PAIX", "12", None, None),
    (["Rue du Te 5"], "FR", "Rue du Te", "5", None, None),  # the other side, no other digit
    (["CALLE 7 NO 45-20"], "CO", "CALLE 7", "45-20", None, None),
    (["CARRERA 15 # 88-64"], "CO", "CARRERA 15", "88-64", None, None),
    (["UNIT 5 BLOCK B KWUN TONG IND CTR"], "HK", "UNIT 5 BLOCK B KWUN TONG IND CTR", None, None,
     None),
    (["UNIT 4 EASTGATE ROAD"], "IE", "EASTGATE ROAD", "UNIT 4", None, None),
    (["1150 ROUTE 9W"], "US", "ROUTE 9W", "1150", None, None),  # was street 1150 ROUTE, no. 9W
    (["UNIT 1208 12F TOWER B", "83 HOW MING STREET"], "HK", "HOW MING STREET", "83", None,
     "UNIT 1208 12F TOWER B"),
    (["P.O. BOX 9022", "AL QUOZ IND AREA 3"], "AE", "AL QUOZ IND AREA", "3", "9022", None),
])
def test_address_by_country(lines: list[str], country: str, street: str | None,
                            number: str | None, po_box: str | None, extra: str | None) -> None:
    got = tuple(run(name, lines, country=country) for name in (
        "address_street", "address_number", "address_po_box", "address_extra"))
    assert got == (street, number, po_box, extra)


def test_p_o_box_is_never_a_street_even_without_a_country() -> None:
    assert run("address_po_box", ["P.O. BOX 1234"]) == "1234"
    assert run("address_street", ["P.O. BOX 1234"]) is None
    assert run("address_number", ["P.O. BOX 1234"]) is None


def test_street_order_table_is_data() -> None:
    from ensgate.mapping._addresses import street_order
    assert (street_order("it"), street_order("US"), street_order("CN"), street_order(None)) == (
        "after", "before", None, None)


@pytest.mark.parametrize(("code", "warning"), [
    ("8714.94", None), ("871494", None), ("33049900", None),
    ("871497", "subheading 871497"),  # 8714.9x has 91-96 and 99
    ("7799.00", "chapter 77"),  # reserved chapter
    ("0123.45", "heading 0123"),
])
def test_hs_codes_are_checked_against_the_wco_nomenclature(code: str, warning: str | None) -> None:
    notes = Notes()
    assert TRANSFORMS["hs6"].func(code, notes) == "".join(c for c in code if c.isdigit())[:6]
    assert [m for m, _, _ in notes.items if warning and warning in m] == (
        [] if warning is None else [notes.items[0][0]])
    assert len(notes.items) == (0 if warning is None else 1)
