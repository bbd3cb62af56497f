"""Place checks: UNLOCODE or address (C3003-C3008), house place of delivery in the EU
(C3020) and the routing of the consignment versus its places (R3022)."""

from __future__ import annotations

from collections.abc import Iterator

from ensgate.diagnostics import Diagnostic

from ._consignment import house_consignments, master_consignment
from ._registry import HOUSE_PLACES, MASTER_TRADE, RuleContext, rule
from ._tree import Element, child, child_text, children, has_child, place_country, text

_MASTER_PLACES = frozenset({"IE3F20", "IE3F21", "IE3F27", "IE3F28", "IE3F29"})


@rule("R3022", title="Routing of the consignment includes the countries of the places of "
      "acceptance and delivery", applies_to=HOUSE_PLACES,
      evidence="[V] R&C rules; [V-3p] customscloud")
def house_routing_covers_places(ctx: RuleContext) -> Iterator[Diagnostic]:
    for house in house_consignments(ctx):
        rows = children(house, "countriesOfRoutingOfConsignment")
        if not rows:
            continue
        routed = [child_text(r, "country").upper() for r in rows]
        for name in ("placeOfAcceptance", "placeOfDelivery"):
            place = child(house, name)
            if place is None:
                continue  # absent place: C3004/C3020 speak about it
            country = place_country(place)
            if country and country not in routed:
                yield ctx.fail("ICS001", rows[0], f"countries of routing of the consignment "
                               f"must include the country of the {name}",
                               expected=country, found=",".join(routed))


# -- places: UNLOCODE or address (C3003-C3008) -----------------------------------------------
def _place_condition(ctx: RuleContext, place: Element) -> Iterator[Diagnostic]:
    has_code = bool(child_text(place, "UNLOCODE"))
    address = child(place, "address")
    location = child(place, "location")
    if has_code and address is not None:
        yield ctx.fail("ICS002", address, "place has a UNLOCODE, so no address may be given",
                       expected="UNLOCODE or address, not both", found="both")
    elif not has_code and address is None:
        yield ctx.fail("ICS002", place, "place has no UNLOCODE, so the address is mandatory",
                       expected="UNLOCODE or address", found="neither")
    # [I] location carries the same condition id in the IE tables; rules.md only speaks of the
    # address, so a location that does not follow the address is a warning.
    if has_code and location is not None:
        yield ctx.fail("ICS003", location, "place has a UNLOCODE; location is probably not used",
                       expected="no location", found=text(location))
    elif not has_code and address is not None and location is None:
        yield ctx.fail("ICS003", place, "place given by address; location (name) is probably "
                       "mandatory too", expected="location", found="absent")


def _register_place(rule_id: str, level: str, name: str, applies: frozenset[str]) -> None:
    def check(ctx: RuleContext) -> Iterator[Diagnostic]:
        top = master_consignment(ctx)
        parents = house_consignments(ctx) if level == "house" else [] if top is None else [top]
        for parent in parents:
            place = child(parent, name)
            if place is not None:
                yield from _place_condition(ctx, place)

    check.__name__ = f"place_{level}_{name}"
    rule(rule_id, title=f"{level.capitalize()}-level {name}: UNLOCODE or address (one of them)",
         applies_to=applies, codes=("ICS002", "ICS003"),
         evidence="[V] R&C conditions; [I] location follows the address")(check)


_register_place("C3003", "master", "placeOfAcceptance", _MASTER_PLACES)
_register_place("C3004", "house", "placeOfAcceptance", HOUSE_PLACES)
_register_place("C3005", "master", "placeOfDelivery", MASTER_TRADE)
_register_place("C3006", "house", "placeOfDelivery", HOUSE_PLACES)
_register_place("C3007", "master", "placeOfLoading", _MASTER_PLACES)
_register_place("C3008", "master", "placeOfUnloading", _MASTER_PLACES)


@rule("C3020", title="House place of delivery mandatory when in an EU Member State",
      applies_to=HOUSE_PLACES, offline="partly", codes=("ICS002", "ICS003"),
      evidence="[V] R&C conditions; [V-3p] customscloud; [I] delivery country from config "
      "or routing")
def house_delivery_in_eu(ctx: RuleContext) -> Iterator[Diagnostic]:
    in_eu = ctx.config.delivery_in_eu
    if in_eu is False:
        return
    for house in house_consignments(ctx):
        if has_child(house, "placeOfDelivery"):
            continue
        if in_eu:
            yield ctx.fail("ICS002", house, "house place of delivery is mandatory for goods "
                           "delivered in the EU", expected="placeOfDelivery", found="absent")
            continue
        routed = [child_text(r, "country").upper()
                  for r in children(house, "countriesOfRoutingOfConsignment")]
        if routed and routed[-1] in ctx.config.eu_member_states:
            # [I] the circular condition is read through the routing's last country.
            yield ctx.fail("ICS003", house, "house place of delivery absent while the routing "
                           f"ends in {routed[-1]}: it is mandatory for delivery in the EU",
                           expected="placeOfDelivery", found="absent")
