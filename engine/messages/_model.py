"""Inputs of the trader-to-customs message builders (frozen, keyword-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..answers import DocumentRef


@dataclass(frozen=True, kw_only=True)
class InvalidationRequest:
    """IE3Q04 [I: inferred table]: invalidate the ENS filing registered under ``mrn``."""

    mrn: str
    reason: str
    declarant: str
    issued: datetime
    representative: str | None = None


@dataclass(frozen=True, kw_only=True)
class Consultation:
    """IE3Q05: consult the ENS by ``mrn``, master or house document (at least one);
    ``notifications``: ask for the related notifications too (dataRequest 1, CL027)."""

    functional_reference: str
    requester: str
    mrn: str | None = None
    master: DocumentRef | None = None
    house: DocumentRef | None = None
    notifications: bool = True


@dataclass(frozen=True, kw_only=True)
class BinaryFile:
    """An attachment named in the message (the AS4 part's href is ``identification``)."""

    identification: str
    filename: str
    mime: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class InformationAnswer:
    """The answer to one referral of an IE3Q02 (its ``reference``)."""

    reference: str
    texts: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()  # (reference number, type CL013)
    files: tuple[BinaryFile, ...] = ()
    house: DocumentRef | None = None


@dataclass(frozen=True, kw_only=True)
class InformationResponse:
    """IE3R02 [I: inferred table]: the answers to the referrals of an IE3Q02."""

    mrn: str
    declarant: str
    issued: datetime
    answers: tuple[InformationAnswer, ...]
    representative: str | None = None
    master: DocumentRef | None = None


@dataclass(frozen=True, kw_only=True)
class ScreeningOutcome:
    """One ``hrcmScreeningResults`` of an IE3R03: the referral answered, its result (CL726),
    the methods used (CL724, 2 to 9) and the house document screened."""

    reference: str
    result: str
    methods: tuple[str, ...]
    house: DocumentRef
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScreeningResults:
    """IE3R03: the HRCM screening results for the referrals of an IE3Q03."""

    mrn: str
    declarant: str
    responsible_member_state: str
    issued: datetime
    outcomes: tuple[ScreeningOutcome, ...]
    representative: str | None = None
    master: DocumentRef | None = None


@dataclass(frozen=True, kw_only=True)
class ArrivalNotification:
    """IE3N06 (complete IE table) of the ENS filings registered under ``related_mrns``:
    the flight (``conveyance_reference``, mode 4 air) arrived at ``arrived``, notified by
    ``notifier`` (EORI; ``communications``: (identifier, type CL707) pairs) at the office of
    first entry ``office``. R3048: with related MRNs no related transport document."""

    lrn: str
    issued: datetime
    arrived: datetime
    related_mrns: tuple[str, ...]
    conveyance_reference: str
    office: str
    notifier: str
    communications: tuple[tuple[str, str], ...] = ()
    mode: str = "4"
    estimated_arrival: datetime | None = None
