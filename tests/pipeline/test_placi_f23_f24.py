"""IE3F23 and IE3F24 (house-level PLACI filings) can be produced: the house UCR is optional in
their tables (the shared dictionary was corrected and the packaged schemas regenerated), so a
house without one must not carry an empty ``referenceNumberUCR`` (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from ensgate import TranslateOptions, translate

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cargo-imp"
NS = {"e": "urn:wco:datamodel:eu:ics2:2"}


@pytest.mark.parametrize("filing", ["IE3F23", "IE3F24"])
def test_s1_houses_give_the_filing(filing: str) -> None:
    options = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC),
                               today="2026-11-20", filing=filing)
    result = translate(sorted(SAMPLES.glob("s1-*")), options)
    assert [r.reason for r in result.rejects] == []
    (made,) = result.filings
    assert made.filing == filing and made.shipment == "781-60482133"
    root = etree.fromstring(made.xml)
    # the three S1 houses of samples/README.md, none with a UCR in the FHLs
    houses = root.findall(".//e:consignmentHouseLevel", NS)
    assert [h.findtext("e:transportDocumentHouseLevel/e:documentNumber", namespaces=NS)
            for h in houses] == ["HXSHA2611045", "HXSHA2611046", "HXSHA2611047"]
    assert root.findall(".//e:referenceNumberUCR", NS) == []
