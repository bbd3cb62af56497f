"""The ENS filing types ensgate renders: one row per template, looked up by any common spelling.

The table is the one place that says which template renders a filing and what the mapping stage
must assemble for it (houses, master goods items) and which SpecificCircumstanceIndicator value
(CL742) it carries. Templates read that value from the dataset; the table lets the mapping stage
set it and lets a caller check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class FilingInfo:
    """One filing type: ``code`` "IE3F26", ``short`` "F26", the template file name, a one-line
    description, whether the dataset must carry house consignments (``needs_houses``) and
    master-level goods items (``needs_master_goods``), and the CL742 value of
    SpecificCircumstanceIndicator (None for messages that have no such element)."""

    code: str
    short: str
    template: str
    description: str
    needs_houses: bool
    needs_master_goods: bool
    specific_circumstance: str | None


def _filing(code: str, description: str, *, houses: bool, master_goods: bool,
            indicator: bool = True) -> FilingInfo:
    short = code[3:]
    return FilingInfo(code=code, short=short, template=f"{code}.xml.j2", description=description,
                      needs_houses=houses, needs_master_goods=master_goods,
                      specific_circumstance=short if indicator else None)


# Which parts each message has: shared/reference/ics2/dictionary/<code>.yaml. The indicator value
# equals the short code (the sample IE3F26 carries "F26"); for the other filings this is the
# pattern, not a value read from CL742 [I].
# IE3F28/IE3F29 (direct air waybill) have a mandatory consignmentHouseLevel (1..99999): the
# mapping stage must put the direct AWB's consignment into ``houses`` (dictionary README,
# discrepancy 9: their master level is reduced).
FILINGS: dict[str, FilingInfo] = {f.code: f for f in (
    _filing("IE3F20", "Air cargo (general): complete dataset lodged pre-loading",
            houses=True, master_goods=True),
    _filing("IE3F21", "Air cargo: partial dataset, master air waybill lodged pre-arrival",
            houses=False, master_goods=True),
    _filing("IE3F22", "Air cargo: partial dataset, house air waybill lodged pre-arrival",
            houses=True, master_goods=False),
    _filing("IE3F23", "Air cargo: minimum (PLACI) dataset pre-loading without master AWB "
            "reference", houses=True, master_goods=False),
    _filing("IE3F24", "Air cargo: minimum (PLACI) dataset pre-loading with master AWB reference",
            houses=True, master_goods=False),
    _filing("IE3F25", "Air cargo: master AWB reference number lodged pre-loading",
            houses=True, master_goods=False),
    _filing("IE3F26", "Air cargo: minimum (PLACI) dataset pre-loading plus additional house AWB "
            "information", houses=True, master_goods=False),
    _filing("IE3F27", "Air cargo: complete dataset lodged pre-arrival",
            houses=True, master_goods=True),
    _filing("IE3F28", "Air cargo: complete dataset pre-loading, direct air waybill",
            houses=True, master_goods=False),
    _filing("IE3F29", "Air cargo: complete dataset pre-arrival, direct air waybill",
            houses=True, master_goods=False),
    _filing("IE3F32", "Express: minimum (PLACI) dataset lodged pre-loading",
            houses=True, master_goods=False),
    _filing("IE3N06", "Arrival notification", houses=False, master_goods=False,
            indicator=False),
)}

_SPELLING = re.compile(r"^(?:IE)?3?([FN]\d\d)$")


def normalise_filing_code(filing: str) -> str | None:
    """"F26", "3F26", "IE3F26" (any case, surrounding blanks ignored) -> "IE3F26"; None when the
    text is not a known filing."""
    match = _SPELLING.match(filing.strip().upper())
    if match is None:
        return None
    code = "IE3" + match.group(1)
    return code if code in FILINGS else None
