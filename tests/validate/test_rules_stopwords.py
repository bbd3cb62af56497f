"""Goods-description and party stop words (DQ001-DQ004), on the shipped list and on a list
loaded from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from _ics2_filings import sample_f26, set_text

from ensgate.validate.rules import (
    SHIPPED_STOPWORDS,
    RuleConfig,
    Verdict,
    check_rules,
    load_stopwords,
)

DESC = "consignmentMasterLevel/consignmentHouseLevel[1]/goodsItem[1]/commodity/descriptionOfGoods"


@pytest.mark.parametrize("text", [
    "consolidation", "general cargo", "parts", "gifts", "samples",
    "Consolidated Cargo", "GENERAL CARGO.", "spare part", "3 pcs samples", "various parts",
    "other gifts", "Freight of all kinds", "as per attached invoice",
])
def test_stop_word_alone_is_dq001_error(text: str) -> None:
    root = sample_f26()
    set_text(root, DESC, text)
    codes = [d.code for d in check_rules(root) if d.code.startswith("DQ")]
    assert codes == ["DQ001"]
    assert SHIPPED_STOPWORDS.classify_goods(text).verdict is Verdict.STANDALONE


@pytest.mark.parametrize("text", [
    "brake discs for passenger cars", "men's cotton shirts", "ceramic coffee mugs",
    "Ein Schuh", "plush toys", "LED televisions",
])
def test_precise_descriptions_pass(text: str) -> None:
    root = sample_f26()
    set_text(root, DESC, text)
    assert [d for d in check_rules(root) if d.code.startswith("DQ")] == []


@pytest.mark.parametrize("text", ["samples of polyester fabric", "spare parts for tractors",
                                  "frozen food trays"])
def test_stop_word_among_content_words_warns_never_errors(text: str) -> None:
    root = sample_f26()
    set_text(root, DESC, text)
    found = [d for d in check_rules(root) if d.code.startswith("DQ")]
    assert [(d.code, d.severity.name) for d in found] == [("DQ002", "WARNING")]


@pytest.mark.parametrize("text, reason", [
    ("12345", "only digits (and punctuation)"), ("12-34/5", "only digits (and punctuation)"),
    ("...", "only punctuation or special characters"), ("   ", "only blanks"),
    ("xxx", "one character repeated"), ("AAAA AAAA", "one character repeated"),
    (".pdf", "only a file extension"), ("XLSX", "only a file extension"),
    ("#*&", "only punctuation or special characters"),
])
def test_junk_is_dq003(text: str, reason: str) -> None:
    root = sample_f26()
    set_text(root, DESC, text)
    [d] = [d for d in check_rules(root) if d.code.startswith("DQ")]
    assert (d.code, d.message) == ("DQ003", f"goods description is junk ({reason})")


def test_filler_only_warns() -> None:
    assert SHIPPED_STOPWORDS.classify_goods("misc etc").verdict is Verdict.NO_CONTENT


def test_disabled_entries_do_not_match() -> None:
    # "fish" is on the published list but reported as temporarily disabled (stopwords.yaml).
    assert SHIPPED_STOPWORDS.classify_goods("fish").verdict is Verdict.CLEAN


@pytest.mark.parametrize("text, hit", [("N/A", True), ("Unknown", True), ("private", True),
                                       ("Unknown Pleasures Records Ltd", False),
                                       ("Private Label Foods GmbH", False)])
def test_party_stop_words(text: str, hit: bool) -> None:
    root = sample_f26()
    set_text(root, "declarant/name", text)
    found = [d for d in check_rules(root) if d.code == "DQ004"]
    assert [d.xpath for d in found] == (["/IE3F26/declarant/name"] if hit else [])


def test_party_address_field_placeholder() -> None:
    root = sample_f26()
    set_text(root, "declarant/address/number", "n/a")
    [d] = [d for d in check_rules(root) if d.code == "DQ004"]
    assert d.xpath == "/IE3F26/declarant/address/number"


def test_shipped_list_has_version_and_sources() -> None:
    assert SHIPPED_STOPWORDS.version
    assert any("ensadviser" in s for s in SHIPPED_STOPWORDS.sources)


def test_own_list_from_file(tmp_path: Path) -> None:
    path = tmp_path / "stop.yaml"
    path.write_text("version: '2030-01-01'\ngoods: [uhu]\nparty: []\n", encoding="utf-8")
    config = RuleConfig(stopwords=load_stopwords(path))
    found = [d for d in check_rules(sample_f26(), config=config) if d.code.startswith("DQ")]
    # the sample's first item is described as just "Uhu" (a glue brand)
    assert [(d.code, d.found) for d in found] == [("DQ001", "Uhu")]
