"""What a customs answer is, once read: the contract shared with the AS4 transport.

Exception tree (bad filings never raise: they get an IE3N99; only unusable answer bytes do)::

    EnsgateError
    └── AnswerReadError      read_answer could not use the bytes; carries the diagnostics
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..diagnostics import Diagnostic, EnsgateError

ANSWER_TYPES: dict[str, str] = {
    "IE3R01": "ENS registration response",
    "IE3R04": "Arrival registration response",
    "IE3N99": "General (functional) validation error notification",
    "IE3N03": "Assessment complete notification",
    "IE3Q01": "Do not load request",
    "IE3Q02": "Additional information request",
    "IE3Q03": "High risk cargo & mail (HRCM) screening request",
}
"""The customs-to-trader messages this package builds and reads (root element -> title, as in
``shared/reference/ics2/dictionary``)."""


@dataclass(frozen=True, kw_only=True)
class AnswerError:
    """One ``error`` of an IE3N99: the CL723 validation code, the English description and the
    pointer (XPath of the offending ENS element, "" when there is none). ``technical`` is the
    technicalErrorMessage (ensgate puts its own diagnostic code and rule id there)."""

    code: str
    text: str
    pointer: str
    technical: str = ""


@dataclass(frozen=True, kw_only=True)
class CustomsAnswer:
    """One customs-to-trader message. ``lrn`` is the LRN the answer refers to (IE3R01/IE3R04
    ``LRN``, IE3N99 ``functionalReference``), ``mrn`` the MRN it carries. ``diagnostics``: what
    :func:`read_answer` noticed without refusing the message (e.g. ANS003 schema findings)."""

    message_type: str
    lrn: str | None
    mrn: str | None
    errors: tuple[AnswerError, ...]
    xml: bytes
    diagnostics: tuple[Diagnostic, ...] = ()


class Scenario(enum.Enum):
    """What the simulated customs does after registering an ENS filing (IE3R01)."""

    ACCEPT = "accept"                              # registration only
    ASSESSMENT_COMPLETE = "assessment-complete"    # + IE3N03
    DO_NOT_LOAD = "do-not-load"                    # + IE3Q01
    REQUEST_INFO = "request-info"                  # + IE3Q02
    HIGH_RISK_SCREENING = "high-risk-screening"    # + IE3Q03


class AnswerReadError(EnsgateError):
    """:func:`read_answer` cannot use the bytes: refused or not well-formed XML, or not an ICS2
    answer message. ``diagnostics`` says why (XML001, XML002, SRC002, ANS001, ANS002); ``str()``
    is the first one, readable by an operator."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        super().__init__(str(diagnostics[0]) if diagnostics else "unusable customs answer")
