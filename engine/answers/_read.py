"""Reading a customs answer that arrived from outside (pulled over AS4, or a file).

One reader for every customs-to-trader message: the IE tables name the same things the same
way in every message (``MRN``, ``transportDocument``, ``referralRequestDetails``, ``error``,
``control`` ...), so the details are taken where the table of that message puts them. Which
message has which part: ``docs/answers.md``.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic, SourcePos, diag
from ..validate import SchemaSet, check_schema
from ..xmlsafe import parse_xml_safely
from ._model import (
    ANSWER_TYPES,
    AdditionalInformation,
    AnswerError,
    AnswerReadError,
    ConsultedFiling,
    Control,
    CustomsAnswer,
    DocumentRef,
    DoNotLoad,
    Referral,
    SupportingDocument,
)
from ._mrn import MRN_PATTERN
from ._xml import ICS2_NAMESPACE, ICS2_PREFIX, child, child_text, children, local

MAX_ANSWER_BYTES = 20 * 1024 * 1024
"""Size limit of an answer (an IE3N99 with 999 errors is well under 1 MB)."""

_LRN_ELEMENT = {"IE3R01": "LRN", "IE3R04": "LRN", "IE3N01": "LRN",
                "IE3N99": "functionalReference"}
_DATE_ELEMENTS = ("documentIssueDate", "notificationDate", "completionDate", "registrationDate",
                  "consultationDate")
# where each message lists the house documents it concerns (besides referrals and controls)
_HOUSE_ELEMENTS = ("transportDocumentHouse",)


def _text(el: Any) -> str | None:
    if el is None:
        return None
    value = "".join(el.itertext()).strip()
    return value or None


def _date(root: Any) -> str | None:
    for name in _DATE_ELEMENTS:
        el = child(root, name)
        if el is not None:
            inner = child(el, "DateTime")  # the wrapper of the filings [I], else flat an20
            return _text(inner if inner is not None else el)
    return None


def _doc(el: Any) -> DocumentRef | None:
    if el is None:
        return None
    number = child_text(el, "documentNumber")
    if number is None:
        return None
    return DocumentRef(number=number, type=child_text(el, "type") or "")


def _docs(els: list[Any]) -> tuple[DocumentRef, ...]:
    return tuple(d for d in (_doc(e) for e in els) if d is not None)


def _id(root: Any, name: str) -> str | None:
    return child_text(child(root, name), "identificationNumber")


def _errors(root: Any) -> tuple[AnswerError, ...]:
    return tuple(AnswerError(
        code=child_text(el, "validationCode") or "",
        text=child_text(el, "description") or "",
        pointer=child_text(child(el, "pointer"), "messageElementPath") or "",
        technical=child_text(el, "technicalErrorMessage") or "")
        for el in children(root, "error"))


def _referrals(root: Any) -> tuple[Referral, ...]:
    out = []
    for el in children(root, "referralRequestDetails"):
        out.append(Referral(
            reference=child_text(el, "referralRequestReference") or "",
            request_type=child_text(el, "requestType") or "",
            house=_doc(child(el, "transportDocumentHouse")),
            master=_doc(child(el, "transportDocumentMaster")),
            methods=tuple(m for m in (child_text(x, "method") for x in
                                      children(el, "recommendedHRCMScreeningMethod")) if m),
            information=tuple(AdditionalInformation(
                code=child_text(x, "code"), text=child_text(x, "text"),
                type=child_text(x, "type")) for x in children(el, "additionalInformation")),
            documents=tuple(SupportingDocument(
                reference=child_text(x, "referenceNumber") or "", type=child_text(x, "type") or "")
                for x in children(el, "supportingDocuments")),
            pointer=child_text(child(el, "pointer"), "messageElementPath")))
    return tuple(out)


def _values(el: Any, tag: str) -> tuple[str, ...]:
    return tuple(v for v in (_text(x) for x in el.iter(ICS2_PREFIX + tag)) if v)


def _controls(root: Any) -> tuple[Control, ...]:
    out = []
    for el in children(root, "control"):
        place = child(el, "examinationPlace")
        subject = child(child(el, "controlSubject"), "consignmentMasterLevel")
        houses: tuple[DocumentRef, ...] = ()
        items: tuple[str, ...] = ()
        containers: tuple[str, ...] = ()
        if subject is not None:
            houses = _docs(list(subject.iter(ICS2_PREFIX + "transportDocumentHouseLevel")))
            items = _values(subject, "goodsItemNumber")
            containers = _values(subject, "containerIdentificationNumber")
        out.append(Control(place=child_text(place, "placeOfExamination"),
                           place_reference=child_text(place, "referenceNumber"),
                           houses=houses, goods_items=items, containers=containers))
    return tuple(out)


def _do_not_load(root: Any) -> DoNotLoad | None:
    el = child(root, "doNotLoadDetails")
    if el is None:
        return None
    return DoNotLoad(document=_doc(child(el, "transportDocument")),
                     receptacles=_values(el, "receptacleIdentificationNumber"),
                     containers=_values(el, "containerIdentificationNumber"))


def _consulted(root: Any) -> tuple[ConsultedFiling, ...]:
    out = []
    for el in children(root, "consultationResult"):
        notes = []
        for n in children(el, "notification"):
            when = child(n, "notificationDate")
            inner = child(when, "DateTime") if when is not None else None
            notes.append((child_text(n, "messageType") or "",
                          _text(inner if inner is not None else when) or ""))
        out.append(ConsultedFiling(
            mrn=child_text(el, "MRN") or "", status=child_text(el, "status"),
            master=_doc(child(el, "transportDocument")),
            houses=_docs(children(el, "transportDocumentHouse")), notifications=tuple(notes)))
    return tuple(out)


def _houses(root: Any, name: str, referrals: tuple[Referral, ...],
            controls: tuple[Control, ...], dnl: DoNotLoad | None,
            master: DocumentRef | None) -> tuple[DocumentRef, ...]:
    """Every house document the answer concerns, in document order, each once."""
    found: list[DocumentRef] = []
    for tag in _HOUSE_ELEMENTS:
        found.extend(_docs(children(root, tag)))
    if name == "IE3Q01" and dnl is not None and dnl.document not in (None, master):
        found.append(dnl.document)
    if name == "IE3N03":
        found.extend(_docs(children(child(root, "assessmentComplete"), "transportDocument")))
    found.extend(r.house for r in referrals if r.house is not None)
    for c in controls:
        found.extend(c.houses)
    out: list[DocumentRef] = []
    for d in found:
        if d not in out:
            out.append(d)
    return tuple(out)


def read_answer(xml: bytes, *, source_name: str = "", schemas: SchemaSet | None = None,
                check: bool = True, ref_to_message_id: str | None = None) -> CustomsAnswer:
    """Read one customs answer with the hardened parser (no DTD, no entities, no network, a
    size limit) into a typed :class:`CustomsAnswer` with its details.

    Bad input raises :class:`AnswerReadError` (an ``EnsgateError``) carrying the diagnostics:
    refused XML (XML001), too large (SRC002), not well-formed (ANS001), not an ICS2 answer
    (ANS002). An answer that does not match our *provisional* XSD is still read (customs'
    real schemas may differ): ``check`` adds one ANS003 warning per schema finding to
    ``CustomsAnswer.diagnostics``. ``ref_to_message_id``: the AS4 RefToMessageId the answer
    came with (kept on the result for correlation).
    """
    tree, diags = parse_xml_safely(xml, file=source_name, what="customs answer XML",
                                   max_bytes=MAX_ANSWER_BYTES, malformed_code="ANS001")
    if tree is None:
        raise AnswerReadError(tuple(diags))
    root = tree.getroot()
    name = local(root)
    if name not in ANSWER_TYPES:
        tag = root.tag if isinstance(root.tag, str) else repr(root.tag)
        raise AnswerReadError((diag(
            "ANS002", f"{tag} is not an ICS2 customs answer message",
            source=SourcePos(file=source_name, line=root.sourceline, xpath="/"),
            expected=f"one of {', '.join(ANSWER_TYPES)} in {ICS2_NAMESPACE}",
            found=tag),))
    findings: list[Diagnostic] = []
    if check:
        for d in check_schema(tree, schemas=schemas, source_name=source_name):
            findings.append(diag("ANS003", d.message, source=d.source, xpath=d.xpath,
                                 expected=d.expected, found=d.found, schema_code=d.code))
    lrn_element = _LRN_ELEMENT.get(name)
    lrn = child_text(root, lrn_element) if lrn_element else None
    mrn = child_text(root, "MRN")
    if name == "IE3N99" and lrn is not None and MRN_PATTERN.fullmatch(lrn):
        # ICD table 9: an error about an amendment, IE3Q04, IE3Q05, IE3R02 or IE3R03 refers
        # to it by MRN [I: an LRN of the MRN's exact shape would be read as an MRN]
        lrn, mrn = None, lrn
    referrals = _referrals(root)
    controls = _controls(root)
    dnl = _do_not_load(root)
    master = _doc(child(root, "transportDocument"))
    return CustomsAnswer(
        message_type=name,
        lrn=lrn,
        mrn=mrn,
        errors=_errors(root),
        xml=xml,
        diagnostics=tuple(findings),
        functional_reference=child_text(root, "functionalReference"),
        ref_to_message_id=ref_to_message_id,
        issued_at=_date(root),
        specific_circumstance=child_text(root, "SpecificCircumstanceIndicator"),
        responsible_member_state=child_text(child(root, "responsibleMemberState"), "country"),
        addressed_member_state=child_text(child(root, "addressedMemberState"), "country"),
        declarant=_id(root, "declarant"),
        representative=_id(root, "representative"),
        carrier=_id(root, "carrier"),
        customs_office=child_text(child(root, "customsOfficeOfFirstEntry"), "referenceNumber"),
        control_office=child_text(child(root, "customsOfficeOfControl"), "referenceNumber"),
        scheduled_control=_text(child(child(root, "scheduledControlDate"), "DateTime"))
        or child_text(root, "scheduledControlDate"),
        master=master,
        houses=_houses(root, name, referrals, controls, dnl, master),
        supplementary_declarants=tuple(
            i for i in (child_text(x, "identificationNumber")
                        for x in children(root, "supplementaryDeclarant")) if i),
        do_not_load=dnl,
        referrals=referrals,
        controls=controls,
        consulted=_consulted(root),
    )
