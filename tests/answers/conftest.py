"""Real ENS filings from the pipeline (samples/cargo-imp) for the customs-answer tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from _answer_helpers import ISSUED, NS, SAMPLES
from lxml import etree

from ensgate import Filing, TranslateOptions, translate
from ensgate.validate import SchemaSet, check_schema, parse_ens_xml


@pytest.fixture(scope="session")
def filings() -> list[Filing]:
    """Every ENS filing the pipeline makes from samples/cargo-imp (reproducible options)."""
    result = translate([str(SAMPLES)], TranslateOptions(issued=ISSUED, today="2026-11-20"))
    assert result.filings, "the pipeline produced no filing from samples/cargo-imp"
    return result.filings


@pytest.fixture(scope="session")
def with_houses(filings: list[Filing]) -> Filing:
    """A filing with house consignments (several house transport documents)."""
    for f in filings:
        if len(etree.fromstring(f.xml).findall(".//i:transportDocumentHouseLevel", NS)) > 1:
            return f
    raise AssertionError("no filing with several houses")


@pytest.fixture(scope="session")
def arrival() -> Filing:
    """An IE3N06 arrival notification from the pipeline (FFM + FWB, actual arrival given)."""
    result = translate(
        [str(SAMPLES / "s1-ffm8-MU0553-pvg-bru-first-arrival-be.txt"),
         str(SAMPLES / "s1-fwb17-master-781-60482133-pvg-bru.txt")],
        TranslateOptions(issued=ISSUED, today="2026-11-20", filing="N06",
                         arrived_at=datetime(2026, 11, 17, 6, 20, tzinfo=UTC)))
    assert len(result.filings) == 1
    return result.filings[0]


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    return SchemaSet()


@pytest.fixture
def schema_errors(schemas: SchemaSet) -> Callable[[bytes], list[str]]:
    """XSD findings of an answer against the provisional schemas ([] when valid)."""
    def check(xml: bytes) -> list[str]:
        tree, diags = parse_ens_xml(xml)
        assert tree is not None, diags
        return [str(d) for d in check_schema(tree, schemas=schemas)]
    return check
