"""What an answer repeats from the ENS it answers (LRN, parties, documents, office).

Customs copies these from the filing (ICD v3.30, IE3N99 notes: "the ... as indicated in the
original message will be used if available"). The filing may be invalid (that is why an IE3N99
is sent), so every value is taken only when it fits the answer's format; otherwise it is left
out and the answer stays valid against its schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..validate._schema_errors import ens_xpath
from ._model import DocumentRef
from ._xml import ICS2_PREFIX, child, child_text, local

_ID = re.compile(r"^\S{1,17}$")            # identificationNumber an..17
_DOC_NUMBER = re.compile(r"^.{1,70}$")     # documentNumber an..70
_DOC_TYPE = re.compile(r"^.{4}$")          # type an4
_OFFICE = re.compile(r"^.{8}$")            # customs office referenceNumber an8
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")    # country a2
_LRN = re.compile(r"^.{1,22}$")            # LRN an..22
_SCI = re.compile(r"^.{3}$")               # SpecificCircumstanceIndicator an3
_MRN = re.compile(r"^.{18}$")              # MRN an18


TransportDocumentRef = DocumentRef
"""A transport document as answers repeat it (documentNumber an..70, type an4)."""


@dataclass(frozen=True, kw_only=True)
class EnsFacts:
    """The parts of an ENS filing that answers refer to; None / empty when absent or unusable.

    ``xpath_goods`` is the ENS XPath of the first goods description (the pointer of the
    simulated request for information)."""

    message: str = ""
    lrn: str | None = None
    specific_circumstance: str | None = None
    declarant: str | None = None
    representative: str | None = None
    carrier: str | None = None
    master_document: TransportDocumentRef | None = None
    house_documents: tuple[TransportDocumentRef, ...] = ()
    customs_office: str | None = None
    addressed_member_state: str | None = None
    person_notifying: str | None = None
    notify_party: str | None = None
    xpath_goods: str | None = None
    supplementary_declarants: tuple[str, ...] = ()
    mrn: str | None = None  # amendments (IE3Axx) name the filing by MRN


def _fit(value: str | None, pattern: re.Pattern[str]) -> str | None:
    value = (value or "").strip()
    return value if value and pattern.match(value) else None


def _document(el: Any) -> TransportDocumentRef | None:
    if el is None:
        return None
    number = _fit(child_text(el, "documentNumber"), _DOC_NUMBER)
    kind = _fit(child_text(el, "type"), _DOC_TYPE)
    if number is None or kind is None:
        return None
    return TransportDocumentRef(number=number, type=kind)


def _first_id(root: Any, parent: str) -> str | None:
    """``identificationNumber`` of the first ``parent`` element anywhere in the filing."""
    for el in root.iter(ICS2_PREFIX + parent):
        found = _fit(child_text(el, "identificationNumber"), _ID)
        if found:
            return found
    return None


def _goods_xpath(root: Any) -> str | None:
    """The XPath of the first goods description, written as validation writes its pointers."""
    for el in root.iter(ICS2_PREFIX + "descriptionOfGoods"):
        return ens_xpath(el)
    return None


def ens_facts(root: Any) -> EnsFacts:
    """Read the facts from an ENS root element (any of IE3F20..IE3F32, IE3N06; other roots
    give what they have). Never raises on odd content."""
    if root is None or not isinstance(root.tag, str):
        return EnsFacts()
    masters = [d for d in (_document(el) for el in
                           root.iter(ICS2_PREFIX + "transportDocumentMasterLevel")) if d]
    if not masters:  # IE3N06 names the master air waybill as relatedTransportDocument
        masters = [d for d in (_document(el) for el in
                               root.iter(ICS2_PREFIX + "relatedTransportDocument")) if d]
    houses: list[TransportDocumentRef] = []
    for el in root.iter(ICS2_PREFIX + "transportDocumentHouseLevel"):
        doc = _document(el)
        if doc is not None and doc not in houses:
            houses.append(doc)
    office_el = child(root, "customsOfficeOfFirstEntry")
    if office_el is None:
        office_el = child(root, "actualCustomsOfficeOfFirstEntry")
    addressed = child(root, "addressedMemberState")
    return EnsFacts(
        message=local(root),
        lrn=_fit(child_text(root, "LRN"), _LRN),
        specific_circumstance=_fit(child_text(root, "SpecificCircumstanceIndicator"), _SCI),
        declarant=_fit(child_text(child(root, "declarant"), "identificationNumber"), _ID),
        representative=_fit(child_text(child(root, "representative"), "identificationNumber"),
                            _ID),
        carrier=_first_id(root, "carrier"),
        master_document=masters[0] if masters else None,
        house_documents=tuple(houses),
        customs_office=_fit(child_text(office_el, "referenceNumber"), _OFFICE),
        addressed_member_state=_fit(child_text(addressed, "country"), _COUNTRY),
        person_notifying=_fit(child_text(child(root, "personNotifyingTheArrival"),
                                         "identificationNumber"), _ID),
        notify_party=_first_id(root, "notifyParty"),
        xpath_goods=_goods_xpath(root),
        supplementary_declarants=tuple(dict.fromkeys(
            i for i in (_fit(child_text(el, "identificationNumber"), _ID)
                        for el in root.iter(ICS2_PREFIX + "supplementaryDeclarant")) if i)),
        mrn=_fit(child_text(root, "MRN"), _MRN),
    )
