"""Consignment checks: goods item numbering (R3016, R3017), CUS code (R3020), house document
uniqueness (R3052), supplementary filing type (R3051), transport equipment (C3013, C3014),
commodity code (C3025, C3048), packaging (C3035, C3036) and the IE3F32 fiscal conditions
(C3037, C3038). Places are in ``_places.py``."""

from __future__ import annotations

from collections.abc import Iterator

from ensgate.diagnostics import Diagnostic

from ._registry import HOUSE_DOCS, HOUSE_PLACES, MASTER_TRADE, RuleContext, rule
from ._tables import ADDITIONAL_INFO_IMPORT_FISCAL, BULK_PACKAGE_TYPES, CUS_CODE
from ._tree import (
    Element,
    child,
    child_text,
    children,
    has_child,
    path_text,
    text,
    whole_number,
)

_HOUSE_GOODS = frozenset({"IE3F20", "IE3F22", "IE3F23", "IE3F24", "IE3F26", "IE3F27", "IE3F28",
                          "IE3F29", "IE3F32"})
_CUS = frozenset({"IE3F20", "IE3F21", "IE3F22", "IE3F27", "IE3F28", "IE3F29"})
_HOUSE_EQUIPMENT = frozenset({"IE3F20", "IE3F22", "IE3F27", "IE3F28", "IE3F29"})
_HOUSE_COMMODITY = _HOUSE_EQUIPMENT
_SUPPLEMENTARY = frozenset({"IE3F21", "IE3F22"})
_F32 = frozenset({"IE3F32"})


def master_consignment(ctx: RuleContext) -> Element | None:
    """The master consignment, if any."""
    return child(ctx.root, "consignmentMasterLevel")


def house_consignments(ctx: RuleContext) -> list[Element]:
    """The house consignments of the filing, in document order."""
    return ctx.index.under("consignmentHouseLevel", "consignmentMasterLevel")


# -- goods item numbers -------------------------------------------------------------------------
def _numbering(ctx: RuleContext, consignment: Element) -> Iterator[Diagnostic]:
    """Numbers are unique and run 1, 2, 3 ... with no gap [V], in document order: the n-th
    item carries number n ("run 1, 2, 3 ..." read as the order of the items [I])."""
    items = children(consignment, "goodsItem")
    seen: set[int] = set()
    out_of_order: tuple[Element, int, int] | None = None
    for position, item in enumerate(items, start=1):
        number_el = child(item, "goodsItemNumber")
        raw = text(number_el)
        number = whole_number(raw)
        if number_el is None or number is None:
            yield ctx.fail("ICS001", item if number_el is None else number_el,
                           "goods item number missing or not a number",
                           expected="1, 2, 3 ...", found=raw or "absent")
            continue
        if number in seen:
            yield ctx.fail("ICS001", number_el, f"goods item number {number} used twice",
                           expected="unique numbers", found=raw)
        elif number != position and out_of_order is None:
            out_of_order = (number_el, position, number)
        seen.add(number)
    missing = sorted(set(range(1, len(items) + 1)) - seen)
    if seen and missing:
        yield ctx.fail("ICS001", consignment, "goods item numbers must run 1, 2, 3 ... with no "
                       "gap", expected=f"1..{len(items)}",
                       found=",".join(str(n) for n in sorted(seen)))
    elif out_of_order is not None:  # the right numbers, in the wrong order: one diagnostic
        element, position, number = out_of_order
        yield ctx.fail("ICS001", element, f"goods item {position} carries number {number}: "
                       "numbers must run 1, 2, 3 ... in the order of the items",
                       expected=str(position), found=str(number))


@rule("R3016", title="Master goods item numbers unique, 1..n without gaps",
      applies_to=MASTER_TRADE)
def master_item_numbers(ctx: RuleContext) -> Iterator[Diagnostic]:
    master = master_consignment(ctx)
    if master is not None and has_child(master, "goodsItem"):
        yield from _numbering(ctx, master)


@rule("R3017", title="House goods item numbers unique per house, 1..n without gaps",
      applies_to=_HOUSE_GOODS)
def house_item_numbers(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        if has_child(house, "goodsItem"):
            yield from _numbering(ctx, house)


@rule("R3020", title="CUS code format 9999999-9", applies_to=_CUS,
      evidence="[V] R&C rules; [V-3p] customscloud; existence in CL719 not checked")
def cus_code_format(ctx: RuleContext) -> Iterator[Diagnostic]:
    for el in ctx.index.all("cusCode"):
        value = text(el)
        if not CUS_CODE.match(value):
            yield ctx.fail("ICS001", el, "CUS code must have the form 9999999-9",
                           expected="9999999-9", found=value)


@rule("R3052", title="House transport documents unique within the filing",
      applies_to=HOUSE_DOCS, codes=("ICS001", "ICS003"),
      evidence="[V] R&C rules; [V-3p] customscloud; [I] key = (type, number)")
def house_documents_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: dict[tuple[str, str], Element] = {}
    numbers: dict[str, str] = {}
    for house in house_consignments(ctx):
        for doc in children(house, "transportDocumentHouseLevel"):
            number = "".join(child_text(doc, "documentNumber").split()).upper()
            kind = child_text(doc, "type").upper()
            if not number:
                continue
            if (kind, number) in seen:
                yield ctx.fail("ICS001", doc, "house transport document given twice in the "
                               "filing", expected="unique house documents",
                               found=f"{kind} {number}")
            elif number in numbers:
                # [I] whether the type is part of the key is not stated: warn only.
                yield ctx.fail("ICS003", doc, "house document number repeated with another "
                               "type", expected="unique house documents",
                               found=f"{kind} {number} (also {numbers[number]})")
            seen[(kind, number)] = doc
            numbers.setdefault(number, kind)


@rule("R3051", title="Supplementary filing type may only be 2 (sub-house level filing)",
      applies_to=_SUPPLEMENTARY,
      evidence="[V] R&C rules; [V-3p] customscloud (code 12); [I] attachment to the air rows")
def supplementary_filing_type(ctx: RuleContext) -> Iterator[Diagnostic]:
    # Customs answers a violation with validation code 12 (rules.md, customscloud), so it is
    # an error here; [I] the IE rows read do not attach R3051 to supplementaryFilingType.
    for el in ctx.index.all("supplementaryFilingType"):
        value = text(el)
        if value and value != "2":
            yield ctx.fail("ICS001", el, "supplementary filing type may only be 2 "
                           "(sub-house level filing; customs answers code 12)",
                           expected="2", found=value)


# -- transport equipment by container indicator (C3013, C3014) ---------------------------------
def _equipment(ctx: RuleContext, consignment: Element) -> Iterator[Diagnostic]:
    indicator = child_text(consignment, "containerIndicator")
    if not indicator:
        return
    equipment = children(consignment, "transportEquipment")
    for item in children(consignment, "goodsItem"):
        equipment.extend(children(item, "transportEquipment"))
    if indicator == "1" and not equipment:
        yield ctx.fail("ICS002", consignment, "container indicator is 1: transport equipment "
                       "is mandatory (consignment or goods item)",
                       expected="transportEquipment", found="absent")
    elif indicator != "1" and equipment:
        yield ctx.fail("ICS002", equipment[0], f"container indicator is {indicator}: no "
                       "transport equipment may be given", expected="absent",
                       found=f"{len(equipment)} transportEquipment")


@rule("C3013", title="Master container indicator 1 <=> transport equipment",
      applies_to=MASTER_TRADE, codes=("ICS002",),
      evidence="[V] R&C conditions; [I] 'at A or at B' read as at least one")
def master_equipment(ctx: RuleContext) -> Iterator[Diagnostic]:
    master = master_consignment(ctx)
    if master is not None:
        yield from _equipment(ctx, master)


@rule("C3014", title="House container indicator 1 <=> transport equipment",
      applies_to=_HOUSE_EQUIPMENT, codes=("ICS002",),
      evidence="[V] R&C conditions; [I] 'at A or at B' read as at least one")
def house_equipment(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        yield from _equipment(ctx, house)


# -- commodity code by type of person (C3025, C3048) ------------------------------------------
def _commodity_code(ctx: RuleContext, consignment: Element) -> Iterator[Diagnostic]:
    natural = (path_text(consignment, "consignor", "typeOfPerson") == "1"
               and path_text(consignment, "consignee", "typeOfPerson") == "1")
    if natural:
        return
    for item in children(consignment, "goodsItem"):
        commodity = child(item, "commodity")
        if commodity is not None and has_child(commodity, "commodityCode"):
            continue
        yield ctx.fail("ICS002", item if commodity is None else commodity,
                       "commodity code is mandatory unless consignor and consignee are both "
                       "natural persons (typeOfPerson 1)", expected="commodityCode",
                       found="absent")


@rule("C3025", title="House commodity code mandatory unless consignor and consignee are "
      "natural persons", applies_to=_HOUSE_COMMODITY, codes=("ICS002",))
def house_commodity_code(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        yield from _commodity_code(ctx, house)


@rule("C3048", title="Master commodity code mandatory unless consignor and consignee are "
      "natural persons", applies_to=MASTER_TRADE, codes=("ICS002",),
      evidence="[V] R&C conditions; [V-3p] customscloud (code 13)")
def master_commodity_code(ctx: RuleContext) -> Iterator[Diagnostic]:
    master = master_consignment(ctx)
    if master is not None and has_child(master, "goodsItem"):
        yield from _commodity_code(ctx, master)


# -- packaging (C3035, C3036) -------------------------------------------------------------------
def _packaging(ctx: RuleContext, consignment: Element) -> Iterator[Diagnostic]:
    for item in children(consignment, "goodsItem"):
        for pack in children(item, "packaging"):
            kind = child_text(pack, "typeOfPackages").upper()
            bulk = kind in BULK_PACKAGE_TYPES
            for name in ("shippingMarks", "numberOfPackages"):
                el = child(pack, name)
                if bulk and el is not None:
                    yield ctx.fail("ICS002", el, f"{name} is not used for bulk/unpacked type "
                                   f"{kind}", expected="absent", found=text(el))
                elif not bulk and el is None:
                    yield ctx.fail("ICS002", pack, f"{name} is mandatory for type of packages "
                                   f"{kind or '?'}", expected=name, found="absent")


@rule("C3035", title="Master packaging: marks and number absent for bulk types, else mandatory",
      applies_to=MASTER_TRADE, codes=("ICS002",),
      evidence="[V] R&C conditions; [V-3p] customscloud")
def master_packaging(ctx: RuleContext) -> Iterator[Diagnostic]:
    master = master_consignment(ctx)
    if master is not None:
        yield from _packaging(ctx, master)


@rule("C3036", title="House packaging: marks and number absent for bulk types, else mandatory",
      applies_to=HOUSE_PLACES, codes=("ICS002",),
      evidence="[V] R&C conditions; [V-3p] customscloud")
def house_packaging(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        yield from _packaging(ctx, house)


# -- IE3F32 fiscal data (C3037, C3038) --------------------------------------------------------
def _has_fiscal_code(house: Element) -> bool:
    # [I] "house additional-information codes" read as the house consignment's own
    # additionalInformation (not the goods items').
    return any(child_text(a, "code") == ADDITIONAL_INFO_IMPORT_FISCAL
               for a in children(house, "additionalInformation"))


@rule("C3037", title="Code 10900 without additional fiscal references: additions/deductions "
      "and type of goods mandatory", applies_to=_F32, codes=("ICS002",))
def fiscal_additions(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        if not _has_fiscal_code(house) or has_child(house, "additionalFiscalReferences"):
            continue
        if not has_child(house, "additionsAndDeductions"):
            yield ctx.fail("ICS002", house, "additional information 10900 without additional "
                           "fiscal references: additionsAndDeductions is mandatory",
                           expected="additionsAndDeductions", found="absent")
        for item in children(house, "goodsItem"):
            if not has_child(item, "typeOfGoods"):
                yield ctx.fail("ICS002", item, "additional information 10900 without "
                               "additional fiscal references: typeOfGoods is mandatory",
                               expected="typeOfGoods", found="absent")


@rule("C3038", title="Code 10900: total amount invoiced mandatory", applies_to=_F32,
      codes=("ICS002",))
def fiscal_total_invoiced(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        if _has_fiscal_code(house) and not has_child(house, "totalAmountInvoiced"):
            yield ctx.fail("ICS002", house, "additional information 10900: totalAmountInvoiced "
                           "is mandatory", expected="totalAmountInvoiced", found="absent")

