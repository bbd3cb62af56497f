"""Trader actions on a lodged filing, queued in the store for ``ensgate file``: the
invalidation request (IE3Q04), the HRCM screening results (IE3R03), the answer to a request
for information (IE3R02) and the arrival notification (IE3N06), each built from what the
store holds (the filing's MRN, the referral customs sent, the flight as registered) by the
pure builders of ``ensgate.messages``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ..answers import AnswerReadError, CustomsAnswer, read_answer
from ..config import EnsgateConfig
from ..diagnostics import Diagnostic
from ..messages import (
    ArrivalNotification,
    InformationAnswer,
    InformationResponse,
    InvalidationRequest,
    ScreeningOutcome,
    ScreeningResults,
    build_arrival_notification,
    build_information_response,
    build_invalidation,
    build_screening_results,
)
from ..store import Store
from ..xmlsafe import parse_xml_safely


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


def queue_arrival(store: Store, key: str, *, config: EnsgateConfig, arrived: datetime,
                  issued: datetime | None = None) -> Queued:
    """The IE3N06 notifying that the flight of the registered filing ``key`` (LRN or MRN)
    arrived at ``arrived``: the flight, its estimated arrival and the office of first entry
    read from the filing as registered, the filing's MRN as relatedMRN, the person notifying
    the arrival from the configuration (``arrival_notifier``, else the declarant [I]). Its
    own LRN follows the site's scheme with ``filing`` N06 and the filing's document. One
    arrival per filing: a second is refused (customs closed the ENS on the first)."""
    found = _target(store, key, "IE3N06")
    if isinstance(found, Queued):
        return found
    lrn, mrn, _declarant = found
    document, registered, sent = store.trader_actions(lrn)
    if "IE3N06" in sent:
        return Queued(lrn=lrn, mrn=mrn, action="IE3N06",
                      problem=f"the arrival of {lrn} was notified already")
    flight = _flight(registered, lrn)
    if isinstance(flight, str):
        return Queued(lrn=lrn, mrn=mrn, action="IE3N06", problem=flight)
    conveyance, estimated, office = flight
    notifier = config.arrival_notifier or config.declarant
    when = issued or datetime.now(UTC)
    xml = build_arrival_notification(ArrivalNotification(
        lrn=config.lrn_scheme.format(prefix=config.lrn_prefix, filing="N06",
                                     doc=re.sub(r"[^0-9A-Za-z]", "", document),
                                     date=when.strftime("%y%m%d"), seq=1),
        issued=when, arrived=arrived, related_mrns=(mrn,), conveyance_reference=conveyance,
        office=office, notifier=notifier.eori, estimated_arrival=estimated,
        communications=tuple((v, t) for v, t in ((notifier.phone, "TE"),
                                                 (notifier.email, "EM")) if v)))
    return _queue(store, lrn, mrn, "IE3N06", xml,
                  f"IE3N06 queued: flight {conveyance} arrived {arrived:%Y-%m-%dT%H:%M:%SZ}")


def _flight(xml: bytes, lrn: str) -> tuple[str, datetime | None, str] | str:
    """(flight number, estimated arrival, office of first entry) of a registered filing, or
    why they cannot be read."""
    root, problems = parse_xml_safely(xml, what=f"filing {lrn}")
    if root is None:
        return f"filing {lrn} unreadable: {problems[0].message if problems else ''}"

    def text(path: str) -> str:
        found = root.xpath(f"string(/*/{path})")
        return str(found).strip()

    conveyance = text("*[local-name()='activeBorderTransportMeans']"
                      "/*[local-name()='conveyanceReferenceNumber']")
    office = text("*[local-name()='customsOfficeOfFirstEntry']/*[local-name()='referenceNumber']")
    if not conveyance or not office:
        return (f"filing {lrn} names no flight (conveyanceReferenceNumber) or no office of "
                "first entry: give them by a filing that does")
    estimated = text("*[local-name()='activeBorderTransportMeans']"
                     "/*[local-name()='estimatedDateAndTimeOfArrival']")
    try:
        eta = datetime.fromisoformat(estimated.replace("Z", "+00:00")) if estimated else None
    except ValueError:
        eta = None
    return conveyance, eta, office
