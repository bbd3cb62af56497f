"""Trader actions on a lodged filing, queued in the store for ``ensgate file``: the
invalidation request (IE3Q04), the HRCM screening results (IE3R03) and the answer to a request
for information (IE3R02), each built from what the store holds (the filing's MRN, the
referral customs sent) by the pure builders of ``ensgate.messages``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ..answers import AnswerReadError, CustomsAnswer, read_answer
from ..diagnostics import Diagnostic
from ..messages import (
    InformationAnswer,
    InformationResponse,
    InvalidationRequest,
    ScreeningOutcome,
    ScreeningResults,
    build_information_response,
    build_invalidation,
    build_screening_results,
)
from ..store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class Queued:
    """A trader message queued (``exchange_id``), or refused (``problem``: the filing is not
    in a state that allows it, LCY001; or nothing to answer)."""

    lrn: str
    mrn: str
    action: str
    xml: bytes = b""
    exchange_id: int | None = None
    problem: Diagnostic | str | None = None


def _target(store: Store, key: str, action: str) -> tuple[str, str, str] | Queued:
    found = store.trader_target(key.strip())
    if found is None:
        return Queued(lrn="", mrn="", action=action, problem=f"no filing with LRN or MRN {key}")
    lrn, mrn, declarant = found
    if not mrn:
        return Queued(lrn=lrn, mrn="", action=action,
                      problem=f"filing {lrn} is not registered (no MRN)")
    return lrn, mrn, declarant


def _request(store: Store, key: str, action: str, request: str,
             what: str) -> tuple[str, str, str, CustomsAnswer] | Queued:
    """The filing ``key`` and the last ``request`` (IE3Q02, IE3Q03) customs sent about it,
    read; or why ``action`` cannot answer it."""
    found = _target(store, key, action)
    if isinstance(found, Queued):
        return found
    lrn, mrn, declarant = found
    body = store.last_answer_body(lrn, request)
    if body is None:
        return Queued(lrn=lrn, mrn=mrn, action=action, problem=f"no {what} ({request}) for {lrn}")
    try:
        return lrn, mrn, declarant, read_answer(body, source_name=f"{request} of {lrn}")
    except AnswerReadError as exc:
        return Queued(lrn=lrn, mrn=mrn, action=action, problem=str(exc))


def _queue(store: Store, lrn: str, mrn: str, action: str, xml: bytes, cause: str) -> Queued:
    eid, problem = store.queue_trader_message(action=action, xml=xml, lrn=lrn, cause=cause)
    return Queued(lrn=lrn, mrn=mrn, action=action, xml=xml, exchange_id=eid, problem=problem)


def queue_invalidation(store: Store, key: str, *, reason: str,
                       representative: str | None = None,
                       issued: datetime | None = None) -> Queued:
    """The IE3Q04 of the registered filing named by LRN or MRN ``key``."""
    found = _target(store, key, "IE3Q04")
    if isinstance(found, Queued):
        return found
    lrn, mrn, declarant = found
    xml = build_invalidation(InvalidationRequest(
        mrn=mrn, reason=reason, declarant=declarant, representative=representative,
        issued=issued or datetime.now(UTC)))
    return _queue(store, lrn, mrn, "IE3Q04", xml, f"IE3Q04 queued: {reason}")


def queue_screening_answer(store: Store, key: str, *, result: str,
                           methods: tuple[str, ...] = (),
                           issued: datetime | None = None) -> Queued:
    """The IE3R03 answering every referral of the last IE3Q03 customs sent about the filing
    ``key`` (LRN or MRN): ``result`` (CL726) per referral, screened by ``methods`` (CL724;
    default: those the request recommends)."""
    found = _request(store, key, "IE3R03", "IE3Q03", "HRCM screening request")
    if isinstance(found, Queued):
        return found
    lrn, mrn, declarant, q03 = found
    xml = build_screening_results(ScreeningResults(
        mrn=q03.mrn or mrn, declarant=q03.declarant or declarant, issued=issued or
        datetime.now(UTC), responsible_member_state=q03.responsible_member_state or mrn[2:4],
        representative=q03.representative, master=q03.master,
        outcomes=tuple(ScreeningOutcome(reference=r.reference, result=result,
                                        methods=methods or r.methods, house=r.house)
                       for r in q03.referrals if r.house is not None)))
    return _queue(store, lrn, mrn, "IE3R03", xml, f"IE3R03 queued: result {result}")


def queue_information_answer(store: Store, key: str, *, texts: tuple[str, ...],
                             issued: datetime | None = None) -> Queued:
    """The IE3R02 answering every referral of the last IE3Q02 customs sent about the filing
    ``key`` (LRN or MRN) with ``texts`` [I: the IE3R02 table is inferred, docs/answers.md]."""
    found = _request(store, key, "IE3R02", "IE3Q02", "request for information")
    if isinstance(found, Queued):
        return found
    lrn, mrn, declarant, q02 = found
    xml = build_information_response(InformationResponse(
        mrn=q02.mrn or mrn, declarant=q02.declarant or declarant,
        issued=issued or datetime.now(UTC), representative=q02.representative,
        master=q02.master, answers=tuple(
            InformationAnswer(reference=r.reference, texts=texts, house=r.house)
            for r in q02.referrals)))
    return _queue(store, lrn, mrn, "IE3R02", xml, "IE3R02 queued")
