"""Reference data the operator already holds: flight schedules (IATA SSIM Chapter 7 or CSV),
party master data (CSV or YAML address book) and the customs offices of first entry by
airport, each loaded from files named in ``reference_data:`` of the site configuration, its
format detected from its content, indexed for O(1) lookups; every row keeps its "file:line"
for lineage (``docs/reference-data.md``)."""

from ._data import LoadedFile, ReferenceData, build_reference, load_reference
from ._offices import OfficeRow, OfficeTable
from ._parties import PartyBook, PartyRecord, normalise_name
from ._schedules import ScheduledFlight, ScheduleIndex, flight_key

__all__ = [
    "LoadedFile",
    "OfficeRow",
    "OfficeTable",
    "PartyBook",
    "PartyRecord",
    "ReferenceData",
    "ScheduleIndex",
    "ScheduledFlight",
    "build_reference",
    "flight_key",
    "load_reference",
    "normalise_name",
]
