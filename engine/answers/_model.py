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
    "IE3R07": "Invalidation acceptance response",
    "IE3R08": "ENS consultation results",
    "IE3N01": "ENS lifecycle validation error notification",
    "IE3N02": "ENS not complete notification",
    "IE3N03": "Assessment complete notification",
    "IE3N04": "Additional information request notification",
    "IE3N05": "High risk cargo & mail (HRCM) screening request notification",
    "IE3N07": "ENS in incorrect state notification",
    "IE3N08": "Control notification",
    "IE3N09": "AEO control notification",
    "IE3N10": "Amendment notification",
    "IE3N11": "ENS pending notification",
    "IE3N99": "General (functional) validation error notification",
    "IE3Q01": "Do not load request",
    "IE3Q02": "Additional information request",
    "IE3Q03": "High risk cargo & mail (HRCM) screening request",
}
"""Every customs-to-trader message of the ICD v3.30 (Annex 1, table 12): root element -> title.
Tables: ``shared/reference/ics2/dictionary`` and ``tools/ics2_tables`` (IE3R08 inferred [I])."""


@dataclass(frozen=True, kw_only=True)
class DocumentRef:
    """A transport document an answer names (documentNumber an..70, type an4, CL754)."""

    number: str
    type: str


@dataclass(frozen=True, kw_only=True)
class AdditionalInformation:
    """``additionalInformation`` of a referral: code (CL752), text, type (CL703)."""

    code: str | None = None
    text: str | None = None
    type: str | None = None


@dataclass(frozen=True, kw_only=True)
class SupportingDocument:
    """``supportingDocuments`` of a referral: referenceNumber an..70, type an4 (CL013)."""

    reference: str
    type: str


@dataclass(frozen=True, kw_only=True)
class Referral:
    """One ``referralRequestDetails`` (IE3Q02, IE3Q03, IE3N04, IE3N05): what customs asks.
    ``methods`` are the recommended HRCM screening methods (CL724), ``pointer`` the XPath of
    the filing element the request is about, ``texts`` the additional information texts."""

    reference: str
    request_type: str
    house: DocumentRef | None = None
    master: DocumentRef | None = None
    methods: tuple[str, ...] = ()
    information: tuple[AdditionalInformation, ...] = ()
    documents: tuple[SupportingDocument, ...] = ()
    pointer: str | None = None

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(i.text for i in self.information if i.text)


@dataclass(frozen=True, kw_only=True)
class DoNotLoad:
    """``doNotLoadDetails`` of an IE3Q01: the document, receptacles and containers concerned."""

    document: DocumentRef | None = None
    receptacles: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Control:
    """One ``control`` of an IE3N08 / IE3N09: where the goods are examined and which house
    documents, goods items (their numbers) and containers are concerned."""

    place: str | None = None
    place_reference: str | None = None
    houses: tuple[DocumentRef, ...] = ()
    goods_items: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ConsultedFiling:
    """[I] One ``consultationResult`` of an IE3R08 (no table found: docs/answers.md)."""

    mrn: str
    status: str | None = None
    master: DocumentRef | None = None
    houses: tuple[DocumentRef, ...] = ()
    notifications: tuple[tuple[str, str], ...] = ()  # (message type, date-time)


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
    """One customs-to-trader message, read. Correlation: ``lrn`` (IE3R01/IE3R04/IE3N01
    ``LRN``, IE3N99 ``functionalReference``), ``mrn``, ``functional_reference`` (IE3N99,
    IE3R08) and ``ref_to_message_id`` (the AS4 RefToMessageId, given by the transport).
    ``houses``: every house transport document the answer concerns (do-not-load, referrals,
    controls, assessment, incorrect state). ``diagnostics``: what :func:`read_answer` noticed
    without refusing the message (e.g. ANS003 schema findings)."""

    message_type: str
    lrn: str | None
    mrn: str | None
    errors: tuple[AnswerError, ...]
    xml: bytes
    diagnostics: tuple[Diagnostic, ...] = ()
    functional_reference: str | None = None
    ref_to_message_id: str | None = None
    issued_at: str | None = None
    specific_circumstance: str | None = None
    responsible_member_state: str | None = None
    addressed_member_state: str | None = None
    declarant: str | None = None
    representative: str | None = None
    carrier: str | None = None
    customs_office: str | None = None
    control_office: str | None = None
    scheduled_control: str | None = None
    master: DocumentRef | None = None
    houses: tuple[DocumentRef, ...] = ()
    supplementary_declarants: tuple[str, ...] = ()
    do_not_load: DoNotLoad | None = None
    referrals: tuple[Referral, ...] = ()
    controls: tuple[Control, ...] = ()
    consulted: tuple[ConsultedFiling, ...] = ()
    related: tuple[bytes, ...] = ()
    """Extra business payloads sent with the answer: the notifications an IE3R08 returns
    (ICD 4.2.6, "extra related business message payloads")."""
    to: str | None = None
    """EORI of the party the simulator sends this answer to when it is not the person filing
    (the carrier's copies: IE3N04, IE3N05, IE3Q01); None = the filer."""

    @property
    def title(self) -> str:
        return ANSWER_TYPES.get(self.message_type, self.message_type)


class Scenario(enum.Enum):
    """What the simulated customs does with a valid ENS filing (or arrival notification).
    Amendments (-> IE3N10), invalidation requests (-> IE3R07), consultations (-> IE3R08) and
    answers to referrals are answered whatever the scenario."""

    ACCEPT = "accept"                              # IE3R01 (the MRN) only
    REJECT = "reject"                              # IE3N99: refused as if semantically wrong
    ASSESSMENT_COMPLETE = "assessment-complete"    # IE3R01 + IE3N03
    DO_NOT_LOAD = "do-not-load"                    # IE3R01 + IE3Q01
    REQUEST_INFO = "request-info"                  # IE3R01 + IE3Q02
    HIGH_RISK_SCREENING = "high-risk-screening"    # IE3R01 + IE3Q03
    NOT_COMPLETE = "not-complete"                  # IE3R01 + IE3N02
    CONTROL = "control"                            # arrival: IE3R04 + IE3N08


class AnswerReadError(EnsgateError):
    """:func:`read_answer` cannot use the bytes: refused or not well-formed XML, or not an ICS2
    answer message. ``diagnostics`` says why (XML001, XML002, SRC002, ANS001, ANS002); ``str()``
    is the first one, readable by an operator."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        super().__init__(str(diagnostics[0]) if diagnostics else "unusable customs answer")
