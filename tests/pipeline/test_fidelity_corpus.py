"""samples/fidelity (and its two samples/problems/fidelity-* cases): non-EU shipments whose
addresses come from 16 countries, each with what it must give, checked by hand against the
files (issue 12): the right filing with the right street, number, P.O. box and postcode, or
one precise diagnostic. Not blessed from the code: every value below was read off the FWB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.config import FillPolicy, load_config

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FIDELITY = sorted((SAMPLES / "fidelity").glob("*.txt"))
PROBLEMS = sorted((SAMPLES / "problems").glob("fidelity-*.txt"))
NS = {"e": "urn:wco:datamodel:eu:ics2:2"}
HOUSE = "e:consignmentMasterLevel/e:consignmentHouseLevel"
OPTIONS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")

# AWB -> {party: {address child: text, or None for "absent"}}
ADDRESSES: dict[str, dict[str, dict[str, str | None]]] = {
    "176-44122046": {"consignor": {"street": "JEBEL ALI FREE ZONE", "number": None,
                                   "poBox": "17745", "postCode": None, "country": "AE"}},
    "047-22805134": {"consignor": {"street": "RUA AUGUSTA", "number": "1508",
                                   "postCode": "01304-001", "country": "BR"},
                     "consignee": {"street": "AVENIDA DA LIBERDADE", "number": "110"}},
    "781-60482155": {"consignor": {"street": "HUANGPUJIANG ROAD", "number": "318",
                                   "postCode": "215300"}},
    "729-30011240": {"consignor": {"street": "CALLE 7", "number": "45-20", "country": "CO"},
                     "consignee": {"street": "CALLE DE ALCALA", "number": "120"}},
    "057-77403336": {"consignor": {"street": "ANSON ROAD", "number": "10", "country": "SG"},
                     "consignee": {"street": "RUE DE LA PAIX", "number": "12"}},
    "125-66131155": {"consignor": {"street": "CHURCH STREET", "number": "14",
                                   "postCode": "M4 1PN", "country": "GB"}},
    "160-53011836": {"consignor": {"street": "KWUN TONG ROAD", "number": "436-446",
                                   "streetAdditionalLine": "UNIT 5 BLOCK B KWUN TONG IND CTR",
                                   "postCode": None, "country": "HK"},
                     "consignee": {"street": "HAUPTSTR.", "number": "5 A"}},
    "098-22155022": {"consignor": {"street": "MIDC CROSS ROAD B", "number": "7",
                                   "country": "IN"}},
    "217-51291015": {"consignor": {"street": "MOO 4 SANKAMPHAENG ROAD", "number": "99",
                                   "country": "TH"},
                     "consignee": {"street": "VIA ROMA", "number": "12/A"}},
    "131-55081165": {"consignor": {"street": "SHIMOMARUKO", "number": "3-14-7",
                                   "postCode": "146-0092", "country": "JP"}},
    "180-88407115": {"consignor": {"street": "TEHERAN-RO", "number": "123", "country": "KR"},
                     "consignee": {"street": "SVEAVAGEN", "number": "44"}},
    "618-77102362": {"consignee": {"street": "ULICA MARSZALKOWSKA", "number": "140",
                                   "country": "PL"}},
    "020-61183426": {"consignor": {"street": "W FULTON ST", "number": "2150", "country": "US"},
                     "consignee": {"street": "CALLE DE SERRANO", "number": "41"}},
    "020-61183312": {"consignor": {"street": None, "number": None, "poBox": "1234",
                                   "country": "US"}},
}


def _run(files: list[Path], options: TranslateOptions = OPTIONS):  # type: ignore[no-untyped-def]
    return translate(files, options)


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return _run(FIDELITY)


def test_every_fidelity_awb_is_filed(corpus) -> None:  # type: ignore[no-untyped-def]
    assert corpus.rejects == [] and corpus.pending == []
    assert sorted(f.shipment for f in corpus.filings) == sorted(ADDRESSES)
    assert {f.filing for f in corpus.filings} == {"IE3F28"}
    countries = {v["country"] for parties in ADDRESSES.values() for v in parties.values()
                 if v.get("country")}
    files = " ".join(p.read_text() for p in FIDELITY + PROBLEMS)
    assert len({c for c in ("HK", "AE", "CN", "US", "DE", "IT", "FR", "ES", "CO", "GB", "JP",
                            "KR", "IN", "BR", "SG", "TH", "PL", "NL", "IE", "SE", "PT")
                if f"/{c}/" in files}) >= 15 and countries


@pytest.mark.parametrize("awb", sorted(ADDRESSES))
def test_addresses_as_read_by_hand(corpus, awb: str) -> None:  # type: ignore[no-untyped-def]
    (filing,) = [f for f in corpus.filings if f.shipment == awb]
    root = etree.fromstring(filing.xml)
    for party, fields in ADDRESSES[awb].items():
        address = root.find(f"{HOUSE}/e:{party}/e:address", NS)
        assert address is not None, party
        got = {k: address.findtext(f"e:{k}", namespaces=NS) for k in fields}
        assert got == fields, (awb, party)


def test_hs_code_that_does_not_exist_is_filed_with_a_warning(corpus) -> None:  # type: ignore[no-untyped-def]
    (filing,) = [f for f in corpus.filings if f.shipment == "618-77102362"]
    warnings = [d for d in filing.diagnostics if "871497" in d.message]
    assert [d.code for d in warnings] == ["MAP005"]


@pytest.mark.parametrize(("name", "xpath"), [
    ("fidelity-fwb17-hk-no-house-number-cheong-tat-road-160-53011722-hkg-ams.txt",
     "/IE3F28/consignmentMasterLevel/consignmentHouseLevel[1]/consignor/address"),
    ("fidelity-fwb17-fr-consignee-street-name-with-date-057-77403222-sin-cdg.txt",
     "/IE3F28/consignmentMasterLevel/consignmentHouseLevel[1]/consignee/address"),
])
def test_no_house_number_gives_one_precise_diagnostic(name: str, xpath: str) -> None:
    result = _run([p for p in PROBLEMS if p.name == name or "ffm8" in p.name])
    reject = next(r for r in result.rejects if Path(r.message.file).name == name)
    errors = [(d.code, d.ics2_rule, d.xpath, d.found) for d in reject.diagnostics if d.is_error]
    assert errors == [("ICS001", "R3002", xpath, "street")]
    assert "fill_policy.no_house_number" in reject.diagnostics[0].message or any(
        "fill_policy.no_house_number" in d.message for d in reject.diagnostics)


def test_placeholder_policy_files_them_with_a_warning() -> None:
    config = replace(load_config(), fill_policy=FillPolicy(no_house_number="placeholder",
                                                          house_number_placeholder="SN"))
    result = _run(PROBLEMS, replace(OPTIONS, config=config))
    assert result.rejects == []
    numbers = {}
    for f in result.filings:
        root = etree.fromstring(f.xml)
        party = "consignor" if f.shipment == "160-53011722" else "consignee"
        at = f"{HOUSE}/e:{party}/e:address/e:"
        numbers[f.shipment] = (root.findtext(at + "street", namespaces=NS),
                               root.findtext(at + "number", namespaces=NS),
                               [d.code for d in f.diagnostics if d.code == "MAP013"])
    assert numbers == {"160-53011722": ("CHEONG TAT ROAD", "SN", ["MAP013"]),
                       "057-77403222": ("RUE DU 8 MAI 1945", "SN", ["MAP013"])}


def test_natural_person_rule_for_a_b2c_consignee() -> None:
    files = [p for p in FIDELITY if "61183426" in p.name or "ffm8" in p.name]
    (default,) = _run(files).filings
    assert etree.fromstring(default.xml).findtext(
        f"{HOUSE}/e:consignee/e:typeOfPerson", namespaces=NS) == "2"
    config = replace(load_config(), fill_policy=FillPolicy(natural_person_rule=True,
                                                          natural_person_feeds=frozenset({"020"})))
    (b2c,) = _run(files, replace(OPTIONS, config=config)).filings
    root = etree.fromstring(b2c.xml)
    assert root.findtext(f"{HOUSE}/e:consignee/e:typeOfPerson", namespaces=NS) == "1"
    assert root.findtext(f"{HOUSE}/e:consignor/e:typeOfPerson", namespaces=NS) == "2"  # INC
    assert [d.code for d in b2c.diagnostics if "natural person" in d.message] == ["MAP008"]
