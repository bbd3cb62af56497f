"""Render the trader-to-customs messages from their inputs (templates IE3Q04.xml.j2 ...).

Inputs are checked for what the tables make mandatory and the XSD cannot say well (at least
one answer, 2 to 9 screening methods, a consultation key); a caller's mistake raises
ValueError. Values are escaped by the templates (autoescape).
"""

from __future__ import annotations

from typing import Any

from ..answers import format_when
from ..render import template_environment
from ._model import (
    ArrivalNotification,
    Consultation,
    InformationResponse,
    InvalidationRequest,
    ScreeningResults,
)


def _render(message: str, **context: Any) -> bytes:
    template = template_environment(None, pretty=True).get_template(f"{message}.xml.j2")
    return template.render(**context).encode("utf-8")


def build_invalidation(request: InvalidationRequest) -> bytes:
    """IE3Q04 [I: inferred tree, tools/ics2_tables/IE3Q04.yaml]."""
    if not request.reason.strip():
        raise ValueError("an invalidation request needs a reason")
    return _render("IE3Q04", r=request, when=format_when(request.issued))


def build_consultation(consultation: Consultation) -> bytes:
    """IE3Q05 (transcribed IE table). R3028 [I: wording not public]: at least one of MRN,
    master or house document names what is consulted."""
    if not (consultation.mrn or consultation.master or consultation.house):
        raise ValueError("a consultation names an MRN, a master or a house document")
    return _render("IE3Q05", c=consultation)


def build_information_response(response: InformationResponse) -> bytes:
    """IE3R02 [I: inferred tree, tools/ics2_tables/IE3R02.yaml]."""
    if not response.answers:
        raise ValueError("an information response answers at least one referral")
    return _render("IE3R02", r=response, when=format_when(response.issued))


def build_screening_results(results: ScreeningResults) -> bytes:
    """IE3R03 (complete IE table): one hrcmScreeningResults per outcome."""
    if not results.outcomes:
        raise ValueError("screening results carry at least one outcome")
    for o in results.outcomes:
        if not 2 <= len(o.methods) <= 9:
            raise ValueError(f"referral {o.reference}: {len(o.methods)} screening methods; "
                             "the IE3R03 table wants 2 to 9")
    return _render("IE3R03", r=results, when=format_when(results.issued))


def build_arrival_notification(n: ArrivalNotification) -> bytes:
    """IE3N06 through the filing template (``templates/IE3N06.xml.j2``) from what the store
    knows of the registered filings. R3027: the related MRNs (at least one) stand for the
    estimated arrival; R3048: no related transport document beside them."""
    if not n.related_mrns:
        raise ValueError("an arrival notification of a registered filing names its MRN")
    return _render(
        "IE3N06", declaration={"lrn": n.lrn, "issue_date": format_when(n.issued)},
        transport={"mode": n.mode, "actual_arrival": format_when(n.arrived),
                   "estimated_arrival": None if n.estimated_arrival is None
                   else format_when(n.estimated_arrival),
                   "conveyance_reference": n.conveyance_reference,
                   "customs_office_first_entry": n.office},
        master={"document_number": None, "document_type": None},
        arrival_notifier={"identification": n.notifier, "communications": [
            {"identifier": i, "type": t} for i, t in n.communications]},
        related_mrns=list(n.related_mrns))
