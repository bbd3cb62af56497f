"""Site data: what legacy messages do not carry, added from the configuration.

Declarant, representative, carrier (by AWB prefix), customs office of first entry (by first EU
airport), addressed Member State, LRN and issue date. Values already present in the dataset are
never overwritten; every value set here gets a lineage entry naming the configuration.
"""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from typing import Any

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
                    office_wildcard: bool = True) -> list[Diagnostic]:
    """Fill the dataset of ``ship`` for ``filing`` (e.g. "IE3F26") from the configuration (and,
    for an arrival notification, the operator's arrival time); returns diagnostics. Without
    ``office_wildcard`` (an office table is configured) the ``"*"`` customs office
    placeholder is not used."""
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
    if filing_short == "F21":
        out.extend(_supplementary_declarant(ship, config, ref))
    elif filing_short == "N06":
        out.extend(_arrival(ship, config, ref, arrived_at))
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
