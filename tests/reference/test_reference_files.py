"""Reference data files: SSIM Chapter 7 and CSV schedules, party books, office tables; format
detection from content, O(1) indexes, bad rows reported with file:line, reload on change.

The expected times are computed by hand from the columns of the sample SSIM
(samples/reference/schedules/winter-2026.ssim), e.g. line 7: KE 0937, days "1 3 5", ICN
aircraft STD 1310 at +0900, VIE STA 1805 at +0100, date variation 00 -> on Wednesday
2026-11-18 04:10Z -> 17:05Z."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ensgate.config import ReferenceDataConfig
from ensgate.diagnostics import ConfigError
from ensgate.reference import build_reference, flight_key, load_reference

REF = Path(__file__).resolve().parents[2] / "samples" / "reference"
SSIM = REF / "schedules" / "winter-2026.ssim"
CSV = REF / "schedules" / "flights.csv"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _schedules(*paths: Path) -> ReferenceDataConfig:
    return ReferenceDataConfig(schedules=paths)


def test_ssim_flight_legs_hand_checked() -> None:
    ref = build_reference(_schedules(SSIM))
    assert ref.files[0].format == "ssim" and ref.files[0].rows == 5  # type 3 records only
    assert ref.problems == ()
    idx = ref.schedules
    wed = idx.find("KE0937", "ICN", "VIE", date(2026, 11, 18))
    assert wed is not None and wed.line == 7
    assert (wed.departure, wed.arrival) == (_utc("2026-11-18T04:10"), _utc("2026-11-18T17:05"))
    # days of operation 1 3 5: not on Thursday; the Saturday variation (line 8) arrives
    # the next day (arrival date variation 1): 23:55 KST -> 14:55Z, 06:50 CET -> 05:50Z
    assert idx.find("KE 937", "icn", "vie", date(2026, 11, 19)) is None
    sat = idx.find("KE937", "ICN", "VIE", date(2026, 11, 21))
    assert sat is not None and sat.line == 8
    assert (sat.departure, sat.arrival) == (_utc("2026-11-21T14:55"), _utc("2026-11-22T05:50"))
    # outside the period of operation (to 27MAR27)
    assert idx.find("KE937", "ICN", "VIE", date(2027, 4, 2)) is None
    # TK: carrier record in UTC mode; ICN-IST-LUX as two legs and their through journey
    leg1 = idx.find("TK6373", "ICN", "IST", date(2026, 11, 18))
    assert leg1 is not None and (leg1.departure, leg1.arrival) == (
        _utc("2026-11-18T01:40"), _utc("2026-11-18T11:50"))
    through = idx.find("TK6373", "ICN", "LUX", date(2026, 11, 18))
    assert through is not None and through.line == 12
    assert (through.departure, through.arrival) == (
        _utc("2026-11-18T01:40"), _utc("2026-11-18T17:45"))
    # the TK period of operation starts 02NOV26
    assert idx.find("TK6373", "ICN", "LUX", date(2026, 11, 2)) is not None
    assert idx.find("TK6373", "ICN", "LUX", date(2026, 11, 1)) is None


def test_csv_schedule_and_bad_rows(tmp_path: Path) -> None:
    ref = build_reference(_schedules(CSV))
    hit = ref.schedules.find("IB6126", "MIA", "MAD", date(2026, 11, 18))
    assert hit is not None and hit.line == 4 and ref.files[0].format == "csv"
    assert (hit.departure, hit.arrival) == (_utc("2026-11-18T22:40"), _utc("2026-11-19T07:05"))
    bad = tmp_path / "bad.csv"
    bad.write_text("flight,origin,destination,departure,arrival\n"
                   "LH400,FRA,JFK,2026-11-18T10:00,2026-11-18T18:00+00:00\n"
                   "LH400,FRA,JFK,2026-11-19T10:00+01:00,2026-11-19T09:00+01:00\n"
                   "LH401,FRA,JFK,2026-11-19T10:00+01:00,2026-11-19T13:00-05:00\n")
    ref = build_reference(_schedules(bad))
    assert ref.schedules.rows == 1
    assert ref.problems[0].startswith(f"{bad}:2: ") and "no UTC offset" in ref.problems[0]
    assert ref.problems[1].startswith(f"{bad}:3: ") and "not after departure" in ref.problems[1]


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    disguised = tmp_path / "schedule.csv"
    shutil.copy(SSIM, disguised)
    assert build_reference(_schedules(disguised)).files[0].format == "ssim"
    junk = tmp_path / "flights.ssim"
    junk.write_text("just some text\n")
    with pytest.raises(ConfigError, match=f"{junk} is neither an SSIM"):
        build_reference(_schedules(junk))
    with pytest.raises(ConfigError, match="cannot read"):
        build_reference(_schedules(tmp_path / "missing.ssim"))


def test_ssim_record_with_bad_columns_is_reported_with_its_line(tmp_path: Path) -> None:
    lines = SSIM.read_text().splitlines()
    lines[6] = lines[6][:47] + "+09X0" + lines[6][52:]  # line 7: bad UTC/local variation
    broken = tmp_path / "broken.ssim"
    broken.write_text("\n".join(lines) + "\n")
    ref = build_reference(_schedules(broken))
    assert ref.schedules.rows == 4
    assert ref.problems == (f"{broken}:7: SSIM flight leg record not read: UTC/local time "
                            "variation '+09X0' is not +HHMM or -HHMM",)


def test_flight_key() -> None:
    assert flight_key("KE0933") == flight_key("ke 933") == "KE933"
    assert flight_key("U21234A") == "U21234A"
    assert flight_key("NOT A FLIGHT") is None


def test_party_book_csv_and_yaml(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text("parties:\n"
                    "  - name: Hanbit Meditech Co., Ltd.\n    country: KR\n"
                    "    postcode: '08594'\n"
                    "  - {eori: de 123 456 789, name: Rhein Logistik GmbH, type_of_person: "
                    "natural}\n"
                    "  - {name: HANBIT MEDITECH CO LTD, city: BUSAN}\n")
    ref = build_reference(ReferenceDataConfig(parties=(REF / "parties.csv", book)))
    assert [f.format for f in ref.files] == ["csv", "yaml"]
    parties = ref.parties
    hit = parties.find(eori=None, account="AT ALP 0417", name=None, country="AT")
    assert hit is not None and hit[1] == "account" and hit[0].line == 5
    assert hit[0].eori == "ATEOS1000058314" and hit[0].type_of_person == "2"
    by_name = parties.find(eori=None, account=None, name="Hanbit Meditech Co. Ltd",
                           country="KR")
    assert by_name is not None and by_name[0].where == f"{REF / 'parties.csv'}:6"
    # the same name in another country is another party
    assert parties.find(eori=None, account=None, name="HANBIT MEDITECH CO LTD",
                        country="CN") is None
    by_eori = parties.find(eori="DE123456789", account=None, name="x", country=None)
    assert by_eori is not None and by_eori[0].line == 5 and by_eori[0].type_of_person == "1"
    # the YAML record repeating the CSV's name: kept out of the name index, reported
    assert any(p.startswith(f"{book}:2: name HANBIT MEDITECH CO LTD already given at ")
               for p in ref.problems)


def test_office_table_needs_its_source(tmp_path: Path) -> None:
    ref = build_reference(ReferenceDataConfig(customs_offices=REF / "offices.csv"))
    assert ref.offices is not None and ref.offices.source.startswith("sample rows invented")
    row = ref.offices.find("vie")
    assert row is not None and row.office == "AT00SMP1" and row.line == 3
    assert ref.offices.find("LUX") is None
    yaml_table = tmp_path / "offices.yaml"
    yaml_table.write_text("source: COL extract 2026-11-30\noffices:\n  LUX: LU000001\n"
                          "  CDG: 'FR12'\n")
    ref = build_reference(ReferenceDataConfig(customs_offices=yaml_table))
    assert ref.offices is not None and ref.offices.find("LUX") is not None
    assert ref.offices.find("LUX").line == 3  # type: ignore[union-attr]
    assert ref.problems == (f"{yaml_table}:4: office 'FR12' for CDG is not a customs office "
                            "reference number (CL141, e.g. DE004552)",)
    nameless = tmp_path / "nosource.csv"
    nameless.write_text("airport,office\nFRA,DE004552\n")
    with pytest.raises(ConfigError, match="does not say where its data comes from"):
        build_reference(ReferenceDataConfig(customs_offices=nameless))


def test_reloaded_only_when_the_content_changes(tmp_path: Path) -> None:
    path = tmp_path / "flights.csv"
    path.write_text(CSV.read_text())
    config = _schedules(path)
    first = load_reference(config)
    assert load_reference(config) is first
    os.utime(path, ns=(1, 1))  # touched, same content: same indexes
    assert load_reference(config) is first
    path.write_text(CSV.read_text() + "KE9999,ICN,VIE,2026-11-18T10:00+09:00,"
                    "2026-11-18T15:00+01:00\n")
    second = load_reference(config)
    assert second is not first and second.digest != first.digest
    assert second.schedules.find("KE9999", "ICN", "VIE", date(2026, 11, 18)) is not None


def test_ssim_fortnightly_frequency(tmp_path: Path) -> None:
    lines = SSIM.read_text().splitlines()
    lines[8] = lines[8][:35] + "2" + lines[8][36:]  # line 9: KE 933 daily, every second week
    fortnightly = tmp_path / "fortnightly.ssim"
    fortnightly.write_text("\n".join(lines) + "\n")
    idx = build_reference(_schedules(fortnightly)).schedules
    # period from Sun 25 Oct 2026: weeks starting 25 Oct, 8 Nov, 22 Nov operate
    assert idx.find("KE933", "ICN", "VIE", date(2026, 11, 9)) is not None
    assert idx.find("KE933", "ICN", "VIE", date(2026, 11, 18)) is None
    assert idx.find("KE933", "ICN", "VIE", date(2026, 11, 23)) is not None


def test_a_record_with_another_eori_is_another_party() -> None:
    parties = build_reference(ReferenceDataConfig(parties=(REF / "parties.csv",))).parties
    assert parties.find(eori="ATEOS1000099999", account=None,
                        name="ALPENLAND DIAGNOSTIK GMBH", country="AT") is None
    hit = parties.find(eori="ATEOS1000058314", account=None, name="ANY", country="AT")
    assert hit is not None and hit[1] == "eori"
