"""Site data: what legacy messages do not carry, added from the configuration.

Declarant, representative, carrier (by AWB prefix), customs office of first entry (by first EU
airport), addressed Member State, LRN and issue date. Values already present in the dataset are
never overwritten; every value set here gets a lineage entry naming the configuration.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from ..config import EnsgateConfig, PartyConfig
from ..diagnostics import Diagnostic, RuleRef, diag
from ..mapping import Lineage
from ..mapping._assemble import Shipment
from ..mapping._transforms import TRANSFORMS, Notes
from ..render import FILINGS

_DOC = re.compile(r"[^0-9A-Za-z]")


def _party_into(target: dict[str, Any], party: PartyConfig) -> None:
    target["name"] = target["name"] or party.name
    target["identification"] = target["identification"] or party.eori
    if party.status is not None:
        target["status"] = target["status"] or party.status
    addr = target["address"]
    for key, value in (("street", party.street), ("number", party.number),
                       ("city", party.city), ("postcode", party.postcode),
                       ("country", party.country), ("subdivision", party.subdivision)):
        if addr[key] is None and value is not None:
            addr[key] = value
    if not target["communications"]:
        if party.phone:
            target["communications"].append({"identifier": party.phone, "type": "TE"})
        if party.email:
            target["communications"].append({"identifier": party.email, "type": "EM"})


def make_lrn(config: EnsgateConfig, filing_short: str, document: str,
             issued: datetime, seq: int = 1) -> str:
    """The LRN of the scheme: ``{seq}`` is the how-many-th filing of this document and type
    (2 and up once an earlier one was sent)."""
    return config.lrn_scheme.format(prefix=config.lrn_prefix, filing=filing_short,
                                    doc=_DOC.sub("", document),
                                    date=issued.strftime("%y%m%d"), seq=seq)


def lrn_document(ship: Shipment) -> str:
    """The document an LRN is made from: the master AWB, or for houses without their master
    the first house's number."""
    doc = ship.document_number
    if ship.shape == "house" and ship.data["houses"]:
        doc = str(ship.data["houses"][0]["document_number"] or doc)
    return doc


def declarant_of(ship: Shipment, config: EnsgateConfig) -> str:
    """The declarant's EORI the filing will carry (the message's, else the configured one)."""
    return str(ship.data["declarant"]["identification"] or config.declarant.eori or "")


def apply_site_data(ship: Shipment, config: EnsgateConfig, *, filing: str, issued: datetime,
                    arrived_at: datetime | None = None, seq: int = 1,
                    office_wildcard: bool = True,
                    party_types: PartyTypes | None = None) -> list[Diagnostic]:
    """Fill the dataset of ``ship`` for ``filing`` (e.g. "IE3F26") from the configuration (and,
    for an arrival notification, the operator's arrival time); returns diagnostics. Without
    ``office_wildcard`` (an office table is configured) the ``"*"`` customs office
    placeholder is not used. ``party_types`` is the hook party master data answers
    typeOfPerson through (the enrichment stage fills it from the party book before)."""
    info = FILINGS[filing]
    filing_short, specific_circumstance = info.short, info.specific_circumstance
    out: list[Diagnostic] = []
    ref = RuleRef(spec=config.source, rule_id="site")
    d = ship.data
    decl = d["declaration"]
    doc = lrn_document(ship)
    decl["lrn"] = decl["lrn"] or make_lrn(config, filing_short, doc, issued, seq)
    if len(decl["lrn"]) > 22:
        # data, not set-up: this document number is too long for the scheme (ICS006)
        first = ship.messages[0] if ship.messages else None
        out.append(diag("ICS006", f"LRN {decl['lrn']} from the scheme {config.lrn_scheme!r} "
                        f"and document {doc} has more than 22 characters; shorten the scheme "
                        "(lrn.scheme) for such documents", rule=ref,
                        source=None if first is None else first.pos(first.first_line),
                        xpath="/LRN", expected="an..22", found=decl["lrn"]))
    decl["issue_date"] = decl["issue_date"] or issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    decl["specific_circumstance"] = specific_circumstance
    decl["re_entry"] = decl["re_entry"] or "0"
    decl["split_consignment"] = decl["split_consignment"] or "0"
    t = d["transport"]
    arrival_country = d["master"]["place_of_unloading"]["country"]
    if t["arrival_airport"]:
        with contextlib.suppress(ValueError):
            arrival_country = TRANSFORMS["airport_country"].func(t["arrival_airport"], Notes())
    decl["addressed_member_state"] = (decl["addressed_member_state"] or arrival_country
                                      or config.addressed_member_state)
    _party_into(d["declarant"], config.declarant)
    if config.representative is not None:
        _party_into(d["representative"], config.representative)
    awb = str(d["master"]["document_number"] or doc)
    carrier = config.carrier_for(awb.split("-")[0] if "-" in awb else awb[:3])
    if carrier is not None:
        _party_into(d["carrier"], carrier)
    if t["customs_office_first_entry"] is None and t["arrival_airport"] and arrival_country:
        t["customs_office_first_entry"] = config.customs_office_for(
            t["arrival_airport"], arrival_country, wildcard=office_wildcard)
    for path in ("declaration.lrn", "declaration.issue_date", "declarant",
                 "carrier", "transport.customs_office_first_entry"):
        ship.lineage.setdefault(path, Lineage(rule=ref, note="from the site configuration"))
    out.extend(_house_numbers(ship, config, ref, filing))
    out.extend(_method_of_payment(ship, config, ref, filing))
    out.extend(_types_of_person(ship, config, ref, party_types))
    if filing_short == "F21":
        out.extend(_supplementary_declarant(ship, config, ref))
    elif filing_short == "N06":
        out.extend(_arrival(ship, config, ref, arrived_at))
    return out


class PartyTypes(Protocol):
    """The hook party master data fills (issue 12, reference data): the type of person (1
    natural, 2 legal, 3 association) of a party the operator knows, with where it was read
    ("parties.csv:12"), or None. Asked before the configured rule."""

    def type_of_person(self, party: Mapping[str, Any]) -> tuple[str, str] | None: ...


_PARTIES = ("consignor", "consignee", "notify")
_ENS_PARTY = {"consignor": "consignor", "consignee": "consignee", "notify": "notifyParty"}


def _party_addresses(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(dataset path, address) of the trade parties of the master and of every house."""
    found = []
    for i, house in enumerate(d["houses"]):
        for key in _PARTIES:
            found.append((f"consignmentMasterLevel/consignmentHouseLevel[{i + 1}]/"
                          f"{_ENS_PARTY[key]}", house[key]["address"]))
    for key in _PARTIES:  # after the houses: a direct AWB's master is filed as its house
        found.append((f"consignmentMasterLevel/{_ENS_PARTY[key]}", d["master"][key]["address"]))
    return found


def _house_numbers(ship: Shipment, config: EnsgateConfig, ref: RuleRef,
                   filing: str) -> list[Diagnostic]:
    """``fill_policy.no_house_number: placeholder``: an address with a street but no house
    number and no P.O. box gets the configured placeholder, with a MAP013 warning. The default
    (``report``) leaves it to R3002: no invented number [I: DG TAXUD's Address Processing
    Guidance has a section on it whose text could not be read]."""
    policy = config.fill_policy
    if policy.no_house_number != "placeholder" or not policy.house_number_placeholder:
        return []
    out: list[Diagnostic] = []
    # a direct AWB's master is filed as its house (same parties): one warning per party
    said: set[tuple[str, str]] = set()
    for path, addr in _party_addresses(ship.data):
        if addr["street"] and not addr["number"] and not addr["po_box"]:
            addr["number"] = policy.house_number_placeholder
            party = path.rsplit("/", 1)[-1]
            if (party, addr["street"]) in said:
                continue
            said.add((party, addr["street"]))
            out.append(diag("MAP013", f"street {addr['street']!r} has no house number; the "
                            "configured placeholder is filed (fill_policy.no_house_number)",
                            rule=ref, expected="a house number", found=addr["street"],
                            xpath=f"/{filing}/{path}/address/number"))
    return out


@cache
def field_xpaths_of(filing: str) -> dict[str, tuple[str, ...]]:
    """Dataset field (``houses[].consignee.name``) -> where ``filing`` writes it: the templates'
    own table (``ensgate.authoring.field_xpaths``), rendered once per filing type."""
    from ..authoring import field_xpaths

    return field_xpaths(filing)


def _method_of_payment(ship: Shipment, config: EnsgateConfig, ref: RuleRef,
                       filing: str) -> list[Diagnostic]:
    """A master or house without a method of payment (CUSCARs without CPI, and no FWB of the
    same AWB gave it) takes ``fill_policy.method_of_payment``, with a MAP013 warning."""
    code = config.fill_policy.method_of_payment
    out: list[Diagnostic] = []
    d = ship.data
    places = [("master", "consignmentMasterLevel", d["master"])] + [
        (f"houses[{i}]", f"consignmentMasterLevel/consignmentHouseLevel[{i}]", house)
        for i, house in enumerate(d["houses"], start=1)]
    for path, xpath, consignment in places:
        if consignment["method_of_payment"]:
            continue
        if not field_xpaths_of(filing).get(
                "master.method_of_payment" if path == "master" else "houses[].method_of_payment"):
            continue  # not in this filing (IE3F25: references only)
        if code is None:
            if path != "master" or not d["houses"]:  # a house or a direct AWB
                first = ship.messages[0] if ship.messages else None
                out.append(diag("MAP003", "method of payment missing (CPI+11++P or C, CVD): "
                                "no message of this AWB gives it; an FWB of the AWB or "
                                "fill_policy.method_of_payment can", rule=ref,
                                source=None if first is None else first.pos(first.first_line),
                                xpath=f"/{filing}/{xpath}/transportCharges/methodOfPayment",
                                expected="P/C (CL116 Y/Z...)", found="absent"))
            continue
        consignment["method_of_payment"] = code
        ship.lineage[f"{path}.method_of_payment"] = Lineage(
            rule=ref, note="fill_policy.method_of_payment: no message of the AWB gives one")
        out.append(diag("MAP013", f"method of payment {code!r} from fill_policy.method_of_payment "
                        "(no message of this AWB gives one, e.g. a CUSCAR without CPI)",
                        rule=ref, expected="CPI / CVD in a message", found="absent",
                        xpath=f"/{filing}/{xpath}/transportCharges/methodOfPayment"))
    return out


# [I] Words that make a name a company's, not a person's (legal forms and business words seen
# in air-cargo party names); the rule below only runs where the site enables it.
_COMPANY_MARKERS = frozenset("""
    AB AG AS APS BV BVBA CO COMPANY CORP CORPORATION CV EIRL EURL GBR GMBH GROUP HOLDING HOLDINGS
    INC INCORPORATED INDUSTRIES INDUSTRY INTERNATIONAL KFT KG KK LDA LLC LLP LP LTD LIMITED NV
    OHG OOO OY OYJ PLC PTE PTY SA SAS SARL SCA SL SNC SPA SPZOO SRL SRO TRADING LOGISTICS STORE
    SHOP SERVICES SERVICE SOLUTIONS SYSTEMS TECHNOLOGY TECHNOLOGIES UNIVERSITY HOSPITAL CLINIC
    FOUNDATION ASSOCIATION SCHOOL INSTITUTE MINISTRY EMBASSY BANK HOTEL FACTORY IMPORT EXPORT
    DISTRIBUTION MANUFACTURING ENTERPRISE ENTERPRISES AGENCY CENTER CENTRE CARGO FREIGHT EXPRESS
    """.split())
_NAME_WORD = re.compile(r"[A-Z][A-Z'\-]*\.?")


def looks_like_a_person(name: str) -> bool:
    """Two to four words of letters (``MARIA MUSTER``, ``J. O'BRIEN``), none a company marker
    [I]: the configurable rule's test, not a fact."""
    words = [w.strip(",") for w in name.upper().replace("&", " & ").split()]
    if not 2 <= len(words) <= 4:
        return False
    return all(_NAME_WORD.fullmatch(w) and w.strip(".") not in _COMPANY_MARKERS for w in words)


def _types_of_person(ship: Shipment, config: EnsgateConfig, ref: RuleRef,
                     party_types: PartyTypes | None) -> list[Diagnostic]:
    """typeOfPerson where the message does not say (every spec assumes 2, legal person): the
    party master data (``party_types``) first, then the configured rule for consignees of
    express/B2C feeds; what a message says is never changed."""
    policy = config.fill_policy
    d = ship.data
    awb = str(d["master"]["document_number"] or ship.document_number)
    prefix = awb.split("-")[0] if "-" in awb else awb[:3]
    rule_on = policy.natural_person_rule and (
        "*" in policy.natural_person_feeds or prefix in policy.natural_person_feeds)
    out: list[Diagnostic] = []
    parties = [(f"houses[{i}].{k}", h[k]) for i, h in enumerate(d["houses"], start=1)
               for k in _PARTIES] + [(f"master.{k}", d["master"][k]) for k in _PARTIES]
    said: set[str] = set()  # a direct AWB's master is filed as its house: one note per name
    for path, party in parties:
        if not party["name"]:
            continue
        was = ship.lineage.get(f"{path}.type_of_person")
        if was is not None and was.sources:
            continue  # read from the message
        known = None if party_types is None else party_types.type_of_person(party)
        if known is not None:
            party["type_of_person"] = known[0]
            ship.lineage[f"{path}.type_of_person"] = Lineage(
                rule=ref, note=f"party master data {known[1]}")
            continue
        if rule_on and path.endswith(".consignee") and looks_like_a_person(party["name"]):
            party["type_of_person"] = "1"
            ship.lineage[f"{path}.type_of_person"] = Lineage(
                rule=ref, note="fill_policy.natural_person_rule: a personal name in a B2C feed")
            if party["name"] in said:
                continue
            said.add(party["name"])
            out.append(diag("MAP008", f"consignee {party['name']!r} filed as a natural person (1): "
                            "no company marker, a personal name, an express/B2C feed "
                            "(fill_policy.natural_person_rule)", rule=ref, found=party["name"],
                            expected="typeOfPerson from the source or party master data"))
    return out


def _supplementary_declarant(ship: Shipment, config: EnsgateConfig,
                             ref: RuleRef) -> list[Diagnostic]:
    """IE3F21 names who lodges the house-level data. Legacy messages do not say; the site
    configuration does, else the master consignee (the deconsolidating forwarder) [I]."""
    sup = ship.data["supplementary_declarant"]
    if sup["identification"]:
        return []
    sup["filing_type"] = sup["filing_type"] or "2"  # R3051: only 2 is allowed
    if config.supplementary_declarant:
        sup["identification"] = config.supplementary_declarant
        ship.lineage.setdefault("supplementary_declarant",
                                Lineage(rule=ref, note="from the site configuration"))
        return []
    eori = ship.data["master"]["consignee"]["identification"]
    if not eori:
        return [diag("MAP003", "IE3F21 needs the supplementary declarant (who lodges the house "
                     "data): set supplementary_declarant in the configuration",
                     rule=ref, expected="supplementary_declarant (EORI)", found="nothing",
                     xpath="/IE3F21/consignmentMasterLevel/supplementaryDeclarant")]
    sup["identification"] = eori
    ship.lineage.setdefault("supplementary_declarant", Lineage(
        rule=ref, note="master consignee's EORI, as no supplementary_declarant is configured [I]"))
    return [diag("MAP008", "supplementary declarant taken from the master consignee's EORI "
                 "(set supplementary_declarant in the configuration to name another party)",
                 rule=ref, found=eori,
                 xpath="/IE3F21/consignmentMasterLevel/supplementaryDeclarant")]


def _arrival(ship: Shipment, config: EnsgateConfig, ref: RuleRef,
             arrived_at: datetime | None) -> list[Diagnostic]:
    """IE3N06 needs the actual arrival time (legacy feeds carry only the schedule) and the
    person notifying the arrival (the configured notifier, else the declarant [I])."""
    out: list[Diagnostic] = []
    t = ship.data["transport"]
    if not t["actual_arrival"]:
        if arrived_at is None:
            out.append(diag("MAP003", "IE3N06 needs the actual date and time of arrival: give it "
                            "with --arrived-at (the legacy messages carry only the schedule)",
                            rule=ref, expected="transport.actual_arrival", found="nothing",
                            xpath="/IE3N06/activeBorderTransportMeans/actualDateAndTimeOfArrival"))
        else:
            t["actual_arrival"] = arrived_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            ship.lineage.setdefault("transport.actual_arrival",
                                    Lineage(rule=ref, note="given by the operator (--arrived-at)"))
    notifier = ship.data["arrival_notifier"]
    if not notifier["identification"]:
        _party_into(notifier, config.arrival_notifier or config.declarant)
        ship.lineage.setdefault("arrival_notifier", Lineage(
            rule=ref, note="from the site configuration" if config.arrival_notifier
            else "the declarant notifies the arrival [I]"))
    return out
