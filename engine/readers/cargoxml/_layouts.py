"""What each Cargo-XML element becomes in the source tree: the reader's tables.

A layout maps an element's local name to a :class:`Rule`. The tables are data so that a path
can be corrected when a producer's file shows it differently (README §5): XFHL and XFFM come
from mapping tables and public code, not from an instance [I].

Rule kinds:

* ``FIELD``   the element's text becomes a field (``attrs``: attribute -> extra field name);
* ``LINES``   a multi-line text becomes records ``name[]`` with a ``text`` field, one a line;
* ``RECORD``  the element becomes a child record ``name[]`` read with ``layout``
  (``const``: fields with fixed values, e.g. the contact ``type``);
* ``FLATTEN`` the element's children are read into the *current* record with ``layout``
  (wrappers such as ``OriginLocation/ID`` -> ``origin``);
* ``CARGO``   XFFM ``AssociatedTransportCargo``: its ULD becomes ``uld[]`` and each
  consignment a ``consignment[]`` record of the enclosing record, with a ``uld`` field;
* ``SKIP``    known, not needed for ENS: read past silently.
"""

from __future__ import annotations

from dataclasses import dataclass

FIELD, LINES, RECORD, FLATTEN, CARGO, SKIP = range(6)


@dataclass(frozen=True, slots=True)
class Rule:
    kind: int
    name: str = ""
    layout: Layout | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    const: tuple[tuple[str, str], ...] = ()


Layout = dict[str, Rule]


def f(name: str, **attrs: str) -> Rule:
    return Rule(FIELD, name, attrs=tuple(attrs.items()))


def lines(name: str) -> Rule:
    return Rule(LINES, name)


def rec(name: str, layout: Layout, **const: str) -> Rule:
    return Rule(RECORD, name, layout, const=tuple(const.items()))


def flat(layout: Layout) -> Rule:
    return Rule(FLATTEN, layout=layout)


_SKIP = Rule(SKIP)


def weight(name: str) -> Rule:
    return f(name, unitCode=name + "_unit")


def amount(name: str) -> Rule:
    return f(name, currencyID=name + "_currency")


CONTACT: Layout = {
    "PersonName": f("contact_person"),
    "DepartmentName": f("contact_department"),
    "DirectTelephoneCommunication": rec("contact", {"CompleteNumber": f("number")}, type="TE"),
    "FaxCommunication": rec("contact", {"CompleteNumber": f("number")}, type="FX"),
    "TelexCommunication": rec("contact", {"CompleteNumber": f("number")}, type="TL"),
    "URIEmailCommunication": rec("contact", {"URIID": f("number")}, type="EM"),
}

ADDRESS: Layout = {
    "PostcodeCode": f("postcode"),
    "StreetName": lines("street"),
    "CityName": f("city"),
    "CityID": f("city_code"),
    "CountryID": f("country"),
    "CountryName": f("country_name"),
    "CountrySubDivisionID": f("subdivision"),
    "CountrySubDivisionName": f("subdivision_name"),
    "PostOfficeBox": f("po_box"),
    "SpecifiedAddressLocation": _SKIP,
}

PARTY: Layout = {
    "PrimaryID": f("primary_id", schemeID="primary_id_scheme"),
    "AdditionalID": f("additional_id"),
    "Name": lines("name"),
    "AccountID": f("account"),
    "RoleCode": f("role_code"),
    "Role": f("role"),
    "CargoAgentID": f("iata_code"),
    "PostalStructuredAddress": flat(ADDRESS),
    "FreightForwarderAddress": flat(ADDRESS),
    "SpecifiedCargoAgentLocation": flat({"ID": f("cass")}),
    "DefinedTradeContact": flat(CONTACT),
}

ULD: Layout = {
    "ID": f("id"),
    "CharacteristicCode": f("type"),
    "Characteristic": f("type_name"),
    "OperatingParty": flat({"PrimaryID": f("owner")}),
    "LoadedPackageQuantity": f("pieces"),
    "PieceQuantity": f("pieces"),
    "GrossWeightMeasure": weight("gross_weight"),
    "LoadingRemark": f("remarks"),
    "HeightTypeCode": f("height_code"),
}

OCI: Layout = {
    "CountryID": f("country"),
    "SubjectCode": f("info"),
    "ContentCode": f("control"),
    "Content": f("text"),
    "Subject": f("subject"),
}

_LOCATION = {"TypeCode": _SKIP}

MOVEMENT: Layout = {
    "StageCode": f("stage"),
    "ModeCode": f("mode_code"),
    "Mode": f("mode"),
    "ID": f("flight"),
    "SequenceNumeric": f("seq"),
    "TotalGrossWeightMeasure": weight("gross_weight"),
    "TotalGrossVolumeMeasure": weight("volume"),
    "TotalPieceQuantity": f("pieces"),
    "TotalPackageQuantity": f("packages"),
    "UsedLogisticsTransportMeans": flat({
        "Name": f("carrier"), "ID": f("registration"), "TypeCode": f("aircraft_type"),
        "Type": f("aircraft_type_name"),
    }),
    "DepartureEvent": flat({
        "ScheduledOccurrenceDateTime": f("departure_scheduled"),
        "DepartureOccurrenceDateTime": f("departure_time"),
        "DepartureDateTimeTypeCode": f("departure_time_type"),
        "OccurrenceDepartureLocation": flat({
            **_LOCATION, "ID": f("departure_airport"), "Name": f("departure_airport_name")}),
    }),
    "ArrivalEvent": flat({
        "ScheduledOccurrenceDateTime": f("arrival_scheduled"),
        "ArrivalOccurrenceDateTime": f("arrival_time"),
        "ArrivalDateTimeTypeCode": f("arrival_time_type"),
        "OccurrenceArrivalLocation": flat({
            **_LOCATION, "ID": f("arrival_airport"), "Name": f("arrival_airport_name"),
            "CountryID": f("arrival_country")}),
    }),
    "IncludedCustomsNote": rec("oci", OCI),
    "RelatedConsignmentCustomsProcedure": _SKIP,
    "UtilizedUnitLoadTransportEquipmentQuantity": _SKIP,
}

ITEM: Layout = {
    "SequenceNumeric": f("seq"),
    # several TypeCode elements = several HS codes of one rate line: see _build._split_item
    "TypeCode": lines("hs_code"),
    "GrossWeightMeasure": weight("gross_weight"),
    "GrossVolumeMeasure": weight("volume"),
    "PackageQuantity": f("packages"),
    "PieceQuantity": f("pieces"),
    "VolumetricFactor": _SKIP,
    "Information": f("info"),
    "Description": lines("description"),
    "NatureIdentificationTransportCargo": flat({"Identification": lines("description")}),
    "OriginCountry": flat({"ID": f("origin_country"), "Name": _SKIP}),
    "TransportLogisticsPackage": rec("package", {
        "ItemQuantity": f("count"),
        "GrossWeightMeasure": weight("gross_weight"),
        "LinearSpatialDimension": flat({
            "WidthMeasure": f("width", unitCode="dim_unit"),
            "LengthMeasure": f("length", unitCode="dim_unit"),
            "HeightMeasure": f("height", unitCode="dim_unit"),
        }),
    }),
    "AssociatedUnitLoadTransportEquipment": rec("uld", ULD),
    "ApplicableFreightRateServiceCharge": flat({
        "CategoryCode": f("rate_class"),
        "CommodityItemID": f("commodity_item"),
        "ChargeableWeightMeasure": weight("chargeable_weight"),
        "AppliedRate": f("rate"),
        "AppliedAmount": amount("charge"),
    }),
    "SpecifiedRateCombinationPointLocation": _SKIP,
    "IncludedCustomsNote": rec("oci", OCI),
}

CONSIGNMENT: Layout = {
    "ID": f("id"),
    "SequenceNumeric": f("seq"),  # XFHL houses numbered by some producers [V-W]
    "AdditionalID": f("additional_id"),
    "FreightRateTypeCode": f("rate_type"),
    "ProductID": f("product"),
    "NilCarriageValueIndicator": f("nil_carriage_value"),
    "NilCustomsValueIndicator": f("nil_customs_value"),
    "NilInsuranceValueIndicator": f("nil_insurance_value"),
    "DeclaredValueForCarriageAmount": amount("carriage_value"),
    "DeclaredValueForCustomsAmount": amount("customs_value"),
    "InsuranceValueAmount": amount("insurance_value"),
    "TotalChargePrepaidIndicator": f("charges_prepaid"),
    "TotalDisbursementPrepaidIndicator": f("disbursements_prepaid"),
    "TotalPrepaidChargeAmount": amount("prepaid_total"),
    "TotalCollectChargeAmount": amount("collect_total"),
    "IncludedTareGrossWeightMeasure": weight("gross_weight"),
    "GrossWeightMeasure": weight("gross_weight"),
    "TotalGrossWeightMeasure": weight("gross_weight"),
    "GrossVolumeMeasure": weight("volume"),
    "DensityGroupCode": f("density_group"),
    "PackageQuantity": f("packages"),
    "TotalPieceQuantity": f("pieces"),
    "SummaryDescription": lines("summary"),
    "TransportSplitDescription": f("split"),
    "MovementPriorityCode": f("priority"),
    "TransportContractDocument": flat({"ID": f("awb"), "Name": _SKIP, "TypeCode": _SKIP}),
    "AssociatedReferenceDocument": _SKIP,
    "ConsignorParty": rec("consignor", PARTY),
    "ConsigneeParty": rec("consignee", PARTY),
    "NotifyParty": rec("notify", PARTY),
    "FreightForwarderParty": rec("forwarder", PARTY),
    "AssociatedParty": rec("associated_party", PARTY),
    "OriginLocation": flat({"ID": f("origin"), "Name": f("origin_name")}),
    "FinalDestinationLocation": flat({"ID": f("destination"), "Name": f("destination_name")}),
    "SpecifiedLogisticsTransportMovement": rec("movement", MOVEMENT),
    "UtilizedLogisticsTransportEquipment": _SKIP,
    "HandlingSPHInstructions": rec("sph", {"DescriptionCode": f("code"),
                                           "Description": f("text")}),
    "HandlingSSRInstructions": rec("ssr", {"DescriptionCode": f("code"),
                                           "Description": f("text")}),
    "HandlingOSIInstructions": rec("osi", {"DescriptionCode": f("code"),
                                           "Description": f("text")}),
    "IncludedAccountingNote": rec("accounting", {"ContentCode": f("code"),
                                                 "Content": f("text")}),
    "IncludedCustomsNote": rec("oci", OCI),
    "AssociatedConsignmentCustomsProcedure": flat({"GoodsStatusCode": f("goods_status")}),
    "ApplicableOriginCurrencyExchange": flat({"SourceCurrencyCode": f("currency")}),
    "ApplicableLogisticsServiceCharge": flat({
        "TransportPaymentMethodCode": f("payment_method"),
        "ServiceTypeCode": f("service_type")}),
    "ApplicableLogisticsAllowanceCharge": rec("other_charge", {
        "ID": f("code"), "AdditionalID": f("additional_code"),
        "PrepaidIndicator": f("prepaid"), "PartyTypeCode": f("party"),
        "ActualAmount": amount("amount")}),
    "ApplicableTotalRating": _SKIP,
    "ApplicableTransportCargoInsurance": _SKIP,
    "IncludedMasterConsignmentItem": rec("item", ITEM),
    "IncludedHouseConsignmentItem": rec("item", ITEM),
}
CONSIGNMENT["ApplicableRating"] = flat({
    "TypeCode": f("rating_type"),
    "ConsignmentItemQuantity": f("item_count"),
    "IncludedMasterConsignmentItem": rec("item", ITEM),
    "IncludedHouseConsignmentItem": rec("item", ITEM),
})
CONSIGNMENT["IncludedHouseConsignment"] = rec("house", CONSIGNMENT)

CARGO_LAYOUT: Layout = {
    "TypeCode": f("loading_type"),
    "UtilizedUnitLoadTransportEquipment": rec("uld", ULD),
    "IncludedMasterConsignment": rec("consignment", CONSIGNMENT),
}

UNLOADING: Layout = {
    "ScheduledOccurrenceDateTime": f("arrival_scheduled"),
    "ArrivalOccurrenceDateTime": f("arrival_time"),
    "ArrivalDateTimeTypeCode": f("arrival_time_type"),
    "DepartureOccurrenceDateTime": f("departure_time"),
    "DepartureDateTimeTypeCode": f("departure_time_type"),
    "OccurrenceArrivalLocation": flat({
        **_LOCATION, "ID": f("airport"), "Name": f("airport_name"), "CountryID": f("country")}),
    "AssociatedTransportCargo": Rule(CARGO, "cargo", CARGO_LAYOUT),
}

HEADER: Layout = {
    "ID": f("id"),
    "Name": f("name"),
    "TypeCode": f("type_code"),
    "IssueDateTime": f("issued"),
    "PurposeCode": f("purpose"),
    "VersionID": f("version"),
    "ConversationID": f("conversation"),
    "SenderParty": rec("sender", {"PrimaryID": f("id", schemeID="scheme")}),
    "RecipientParty": rec("recipient", {"PrimaryID": f("id", schemeID="scheme")}),
}

BUSINESS: Layout = {
    "ID": f("id"),
    "SenderAssignedID": f("sender_ref"),
    "IncludedHeaderNote": rec("note", {"ContentCode": f("code"), "Content": f("text")}),
    "SignatoryConsignorAuthentication": rec("consignor_signature", {
        "ActualDateTime": f("date"), "Signatory": f("signatory")}),
    "SignatoryCarrierAuthentication": rec("carrier_signature", {
        "ActualDateTime": f("date"), "Signatory": f("signatory"),
        "IssueAuthenticationLocation": flat({"Name": f("place")})}),
}

MESSAGE: Layout = {
    "MessageHeaderDocument": rec("header", HEADER),
    "BusinessHeaderDocument": rec("business", BUSINESS),
    "MasterConsignment": rec("consignment", CONSIGNMENT),
    "LogisticsTransportMovement": rec("flight", MOVEMENT),
    "ArrivalEvent": rec("unloading", UNLOADING),
}
"""Children of the root element (in the root namespace) for all four messages."""
