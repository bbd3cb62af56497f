"""Build the customs-to-trader answers from what they repeat of the filing (:class:`EnsFacts`).

Each method renders the answer's template and returns it read back by :func:`read_answer`
(so a built answer carries the same typed details as one received), valid against the
provisional XSDs in ``ensgate/validate/schemas/ics2`` (the tests check every type).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ._facts import EnsFacts, TransportDocumentRef
from ._model import AnswerError, ConsultedFiling, CustomsAnswer
from ._read import read_answer
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
CODE_DUPLICATE_DOCUMENT = "81"
"""CL723 81: duplicate transport document reference (lifecycle; rules.md, vendor pages)."""
CODE_OUT_OF_SEQUENCE = "92"
"""CL723 92: message out of sequence, e.g. an amendment of an MRN not registered (rules.md)."""
CODE_INCORRECT_STATE = "90"
"""[I] CL723 code for an ENS in a state that does not allow the operation (rules.md: 'codes
90s' for the ENS lifecycle state; the exact value is not public)."""

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


@dataclass(frozen=True, kw_only=True)
class ControlOrder:
    """What a control notification (IE3N08/IE3N09) says: where, which houses, which
    containers; the builder's input."""

    place: str | None = None
    place_reference: str | None = None
    houses: tuple[TransportDocumentRef, ...] = ()
    containers: tuple[str, ...] = ()


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
        got = read_answer(xml, check=False)
        if got.lrn is None and facts.lrn and message_type != "IE3N99":
            # the simulator's ledger keys answers by LRN even where the message carries only
            # the MRN (IE3Q0x, IE3N0x): keep the filing's LRN on the built answer
            got = replace(got, lrn=facts.lrn)
        return got

    # -- registration and errors -------------------------------------------------------------
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

    def lifecycle_error(self, facts: EnsFacts, errors: Sequence[AnswerError], *,
                        when: datetime, mrn: str | None = None) -> CustomsAnswer:
        """IE3N01 (lifecycle validation error, e.g. code 81 duplicate document): ``errors``
        each with a pointer (mandatory in IE3N01); the filing's declarant is mandatory."""
        if not errors or any(not e.pointer or not e.text for e in errors):
            raise ValueError("an IE3N01 carries at least one error, each with text and pointer")
        return self._answer("IE3N01", facts, mrn=mrn, when=when, errors=tuple(errors))

    # -- after registration ------------------------------------------------------------------
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

    def _information_referrals(self, facts: EnsFacts, mrn: str) -> tuple[_Referral, ...]:
        house = facts.house_documents[0] if facts.house_documents else None
        return (_Referral(
            reference=_referral_reference(mrn, 1), request_type=REQUEST_TYPE_INFORMATION,
            house=house, master=facts.master_document, text=INFORMATION_TEXT,
            pointer=facts.xpath_goods),)

    def _screening_referrals(self, facts: EnsFacts, mrn: str) -> tuple[_Referral, ...]:
        docs = facts.house_documents or (
            (facts.master_document,) if facts.master_document else ())
        return tuple(
            _Referral(reference=_referral_reference(mrn, i), house=doc,
                      request_type=REQUEST_TYPE_SCREENING, methods=SCREENING_METHODS)
            for i, doc in enumerate(docs, start=1))

    def request_info(self, facts: EnsFacts, *, mrn: str, when: datetime,
                     member_state: str) -> CustomsAnswer:
        """IE3Q02: one request for information about the first house (or the master)."""
        return self._answer("IE3Q02", facts, mrn=mrn, when=when,
                            referrals=self._information_referrals(facts, mrn),
                            responsible_member_state=member_state)

    def high_risk_screening(self, facts: EnsFacts, *, mrn: str, when: datetime,
                            member_state: str) -> CustomsAnswer:
        """IE3Q03: screen every house of the filing (the master document when it has no
        house: [I] transportDocumentHouse is mandatory in the referral)."""
        return self._answer("IE3Q03", facts, mrn=mrn, when=when,
                            referrals=self._screening_referrals(facts, mrn),
                            responsible_member_state=member_state)

    def request_info_notification(self, facts: EnsFacts, *, mrn: str, when: datetime,
                                  member_state: str) -> CustomsAnswer:
        """IE3N04: the carrier learns that the person filing was asked for information (the
        same referral as the IE3Q02). ValueError when the filing names no carrier."""
        if not facts.carrier:
            raise ValueError("IE3N04 goes to the carrier: the filing names none")
        return self._answer("IE3N04", facts, mrn=mrn, when=when,
                            referrals=self._information_referrals(facts, mrn),
                            responsible_member_state=member_state)

    def screening_notification(self, facts: EnsFacts, *, mrn: str, when: datetime,
                               member_state: str) -> CustomsAnswer:
        """IE3N05: the carrier learns that the person filing was asked to screen (the same
        referrals as the IE3Q03). ValueError when the filing names no carrier."""
        if not facts.carrier:
            raise ValueError("IE3N05 goes to the carrier: the filing names none")
        return self._answer("IE3N05", facts, mrn=mrn, when=when,
                            referrals=self._screening_referrals(facts, mrn),
                            responsible_member_state=member_state)

    def not_complete(self, facts: EnsFacts, *, mrn: str, when: datetime, office: str,
                     pending: Sequence[str] = ()) -> CustomsAnswer:
        """IE3N02: the ENS was not completed in time. ``pending``: who has not filed (the
        filing's supplementary declarants, else [I] its declarant); ``office``: the customs
        office of first entry (mandatory in IE3N02)."""
        waiting = tuple(pending) or facts.supplementary_declarants or (
            (facts.declarant,) if facts.declarant else ())
        return self._answer("IE3N02", facts, mrn=mrn, when=when, office=office,
                            pending=waiting)

    def pending_notification(self, facts: EnsFacts, *, when: datetime, office: str,
                             pending: str) -> CustomsAnswer:
        """IE3N11: ``pending`` (a person named as obliged to file) has not filed yet."""
        return self._answer("IE3N11", facts, mrn=None, when=when, office=office,
                            pending=pending)

    def amendment_accepted(self, facts: EnsFacts, *, mrn: str, when: datetime) -> CustomsAnswer:
        """IE3N10: the amendment (IE3Axx) of ``mrn`` was accepted (ICD Annex 1)."""
        return self._answer("IE3N10", facts, mrn=mrn, when=when)

    def invalidation_accepted(self, facts: EnsFacts, *, mrn: str,
                              when: datetime) -> CustomsAnswer:
        """IE3R07: the invalidation request (IE3Q04) of ``mrn`` was accepted."""
        return self._answer("IE3R07", facts, mrn=mrn, when=when)

    def incorrect_state(self, facts: EnsFacts, *, mrn: str, when: datetime, office: str,
                        errors: Sequence[AnswerError]) -> CustomsAnswer:
        """IE3N07: the arrival notification names an ENS that is not in a state to arrive."""
        if not errors or any(not e.pointer or not e.text for e in errors):
            raise ValueError("an IE3N07 carries at least one error, each with text and pointer")
        return self._answer("IE3N07", facts, mrn=mrn, when=when, office=office,
                            errors=tuple(errors))

    def control(self, facts: EnsFacts, *, mrn: str, when: datetime, control_office: str,
                controls: Sequence[ControlOrder], scheduled: datetime | None = None,
                aeo: bool = False) -> CustomsAnswer:
        """IE3N08 control notification (IE3N09 for an AEO, ``aeo=True``)."""
        if not controls:
            raise ValueError("a control notification carries at least one control")
        return self._answer("IE3N09" if aeo else "IE3N08", facts, mrn=mrn, when=when,
                            control_office=control_office, controls=tuple(controls),
                            scheduled=format_when(scheduled) if scheduled else None)

    def consultation_results(self, *, functional_reference: str, requester: str,
                             results: Sequence[ConsultedFiling],
                             when: datetime) -> CustomsAnswer:
        """IE3R08 [I: inferred tree] for an IE3Q05 (``functional_reference`` is its own)."""
        return self._answer("IE3R08", EnsFacts(), mrn=None, when=when,
                            functional_reference=functional_reference, requester=requester,
                            results=tuple(results))
