"""Trader-to-customs messages other than filings and amendments (ICD v3.30, Annex 1).

- IE3Q04 invalidation request (no IE table found: inferred [I], docs/answers.md);
- IE3Q05 consult ENS (IE table transcribed in tools/ics2_tables/IE3Q05.yaml);
- IE3R02 additional information response (no IE table found: inferred [I]; the ICD lets
  customs ask for an amendment instead, ensgate.amendments builds that);
- IE3R03 HRCM screening response (complete IE table, shared dictionary).

Builders are pure: a frozen dataclass in, UTF-8 XML out (valid against the provisional XSD
of the message; the tests check it). Storing and sending them is the store's and the AS4
connector's job.
"""

from ..answers import DocumentRef
from ._build import (
    build_arrival_notification,
    build_consultation,
    build_information_response,
    build_invalidation,
    build_screening_results,
)
from ._model import (
    ArrivalNotification,
    BinaryFile,
    Consultation,
    InformationAnswer,
    InformationResponse,
    InvalidationRequest,
    ScreeningOutcome,
    ScreeningResults,
)

__all__ = [
    "ArrivalNotification",
    "BinaryFile",
    "Consultation",
    "DocumentRef",
    "InformationAnswer",
    "InformationResponse",
    "InvalidationRequest",
    "ScreeningOutcome",
    "ScreeningResults",
    "build_arrival_notification",
    "build_consultation",
    "build_information_response",
    "build_invalidation",
    "build_screening_results",
]
