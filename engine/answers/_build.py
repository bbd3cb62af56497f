"""Build the customs-to-trader answers from what they repeat of the filing (:class:`EnsFacts`).

Each method returns a :class:`CustomsAnswer` with the rendered XML (valid against the
provisional XSDs in ``ensgate/validate/schemas/ics2``; the tests check every type).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ._facts import EnsFacts, TransportDocumentRef
from ._model import AnswerError, CustomsAnswer
from ._render import AnswerRenderer

REQUEST_TYPE_INFORMATION = "RFI"
"""[I] requestType (CL735, not public) of the simulated request for information (IE3Q02)."""
REQUEST_TYPE_SCREENING = "HRC"
"""[I] requestType (CL735, not public) of the simulated HRCM screening request (IE3Q03)."""
SCREENING_METHODS = ("XRY", "EDD")
"""[I] recommended screening methods (CL724, not public): X-ray and explosive detection dogs,
the security screening codes Cargo-IMP carries on the SM line (``///SM/XRY``)."""
INFORMATION_TEXT = ("Provide a precise description of the goods (what they are, what they are "
                    "made of, what they are used for) and the consignee's full details.")
"""[I] the text of the simulated request for information."""

_COUNTRY = re.compile(r"^[A-Z]{2}")


def format_when(when: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (the an20 date-time of the IE tables); naive = UTC."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")


def responsible_member_state(facts: EnsFacts, default: str) -> str:
    """[I] The Member State responsible for the risk analysis: the country of the customs
    office of first entry (its first two letters), else ``default`` (the MRN country)."""
    office = facts.customs_office or ""
    m = _COUNTRY.match(office)
    return m.group(0) if m else default


@dataclass(frozen=True, kw_only=True)
class _Referral:
    reference: str
    request_type: str
    house: TransportDocumentRef | None = None
    master: TransportDocumentRef | None = None
    text: str | None = None
    pointer: str | None = None
    methods: tuple[str, ...] = ()


def _referral_reference(mrn: str, index: int) -> str:
    """[I] an..17 reference of a referral: the MRN's first 14 characters and a 3-digit index."""
    return f"{mrn[:14]}{index:03d}"


class AnswerBuilder:
    """Renders each answer type; one per process (it holds the compiled templates)."""

    def __init__(self, renderer: AnswerRenderer | None = None) -> None:
        self.renderer = renderer or AnswerRenderer()

    def _answer(self, message_type: str, facts: EnsFacts, *, mrn: str | None, when: datetime,
                errors: tuple[AnswerError, ...] = (), **extra: object) -> CustomsAnswer:
        context: dict[str, object] = {"ref": facts, "mrn": mrn, "when": format_when(when),
                                      "errors": errors, **extra}
        xml = self.renderer.render(message_type, **context)
        return CustomsAnswer(message_type=message_type, lrn=facts.lrn, mrn=mrn, errors=errors,
                             xml=xml)

    def registration(self, facts: EnsFacts, *, mrn: str, when: datetime) -> CustomsAnswer:
        """IE3R01 for an ENS filing; IE3R04 for an arrival notification (IE3N06)."""
        kind = "IE3R04" if facts.message == "IE3N06" else "IE3R01"
        return self._answer(kind, facts, mrn=mrn, when=when)

    def error_notification(self, facts: EnsFacts, errors: Sequence[AnswerError], *,
                           when: datetime) -> CustomsAnswer:
        """IE3N99 with ``errors`` (at least one)."""
        if not errors:
            raise ValueError("an IE3N99 carries at least one error")
        return self._answer("IE3N99", facts, mrn=None, when=when, errors=tuple(errors))

    def assessment_complete(self, facts: EnsFacts, *, mrn: str, when: datetime,
                            member_state: str) -> CustomsAnswer:
        """IE3N03: the assessment of every transport document of the filing is complete."""
        assessed = facts.house_documents or (
            (facts.master_document,) if facts.master_document else ())
        return self._answer("IE3N03", facts, mrn=mrn, when=when, assessed=assessed,
                            responsible_member_state=member_state)

    def do_not_load(self, facts: EnsFacts, *, mrn: str, when: datetime,
                    member_state: str) -> CustomsAnswer:
        """IE3Q01 for the first house document (or the master document)."""
        house = facts.house_documents[0] if facts.house_documents else None
        return self._answer("IE3Q01", facts, mrn=mrn, when=when, house=house,
                            target=house or facts.master_document,
                            responsible_member_state=member_state)

    def request_info(self, facts: EnsFacts, *, mrn: str, when: datetime,
                     member_state: str) -> CustomsAnswer:
        """IE3Q02: one request for information about the first house (or the master)."""
        house = facts.house_documents[0] if facts.house_documents else None
        referral = _Referral(
            reference=_referral_reference(mrn, 1), request_type=REQUEST_TYPE_INFORMATION,
            house=house, master=facts.master_document, text=INFORMATION_TEXT,
            pointer=facts.xpath_goods)
        return self._answer("IE3Q02", facts, mrn=mrn, when=when, referrals=(referral,),
                            responsible_member_state=member_state)

    def high_risk_screening(self, facts: EnsFacts, *, mrn: str, when: datetime,
                            member_state: str) -> CustomsAnswer:
        """IE3Q03: screen every house of the filing (the master document when it has no
        house: [I] transportDocumentHouse is mandatory in the referral)."""
        docs = facts.house_documents or (
            (facts.master_document,) if facts.master_document else ())
        referrals = tuple(
            _Referral(reference=_referral_reference(mrn, i), house=doc,
                      request_type=REQUEST_TYPE_SCREENING, methods=SCREENING_METHODS)
            for i, doc in enumerate(docs, start=1))
        return self._answer("IE3Q03", facts, mrn=mrn, when=when, referrals=referrals,
                            responsible_member_state=member_state)
