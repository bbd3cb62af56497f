"""Transport checks: active border transport means (R3007, R3011, R3012, C3012, C3019),
routing versus places and office of first entry (R3013, R3014, R3018), dates (R3053, R3027)
and the arrival notification's references and notifier (R3048, C3049)."""

from __future__ import annotations

from collections.abc import Iterator

from ensgate.diagnostics import Diagnostic

from ._registry import ARRIVAL, FULL_TRANSPORT, RuleContext, rule
from ._tree import (
    Element,
    child,
    child_text,
    children,
    datetime_value,
    has_child,
    parse_instant,
    path_text,
    place_country,
    whole_number,
)


def _means(ctx: RuleContext) -> Element | None:
    return child(ctx.root, "activeBorderTransportMeans")


def _routing(means: Element) -> list[tuple[int, str, Element]]:
    """Routing countries sorted by sequence number (document order breaks ties and fills in a
    missing or unreadable number)."""
    rows: list[tuple[int, str, Element]] = []
    for pos, el in enumerate(children(means, "countriesOfRoutingOfMeansOfTransport")):
        seq = child_text(el, "sequenceNumber")
        number = whole_number(seq)
        key = number if number is not None else 10_000 + pos
        rows.append((key, child_text(el, "country").upper(), el))
    rows.sort(key=lambda r: r[0])
    return rows


@rule("R3007", title="Active border transport means: conveyance reference, or identification "
      "number and its type", applies_to=FULL_TRANSPORT)
def means_identified(ctx: RuleContext) -> Iterator[Diagnostic]:
    means = _means(ctx)
    if means is None:
        return
    if child_text(means, "conveyanceReferenceNumber"):
        return
    if child_text(means, "identificationNumber") and child_text(means, "typeOfIdentification"):
        return
    yield ctx.fail("ICS001", means, "active border transport means needs the conveyance "
                   "reference number, or identification number and type of identification",
                   expected="conveyanceReferenceNumber, or identificationNumber + "
                   "typeOfIdentification", found="neither")


@rule("R3011", title="Mode 1 (maritime) requires type of identification 10 (IMO)",
      applies_to=ARRIVAL)
def maritime_imo(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _mode_type(ctx, mode="1", wanted="10")


@rule("R3012", title="Mode 8 (inland waterway) requires type of identification 80 (ENI)",
      applies_to=ARRIVAL)
def inland_eni(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _mode_type(ctx, mode="8", wanted="80")


def _mode_type(ctx: RuleContext, *, mode: str, wanted: str) -> Iterator[Diagnostic]:
    means = _means(ctx)
    if means is None or child_text(means, "ModeOfTransport") != mode:
        return
    type_el = child(means, "typeOfIdentification")
    found = child_text(means, "typeOfIdentification")
    if type_el is not None and found and found != wanted:
        yield ctx.fail("ICS001", type_el, f"mode of transport {mode} needs type of "
                       f"identification {wanted}", expected=wanted, found=found)


@rule("C3012", title="Modes 1 and 8: identification number and type mandatory, else not used",
      applies_to=ARRIVAL, codes=("ICS002",))
def means_identification_by_mode(ctx: RuleContext) -> Iterator[Diagnostic]:
    means = _means(ctx)
    if means is None:
        return
    mode = child_text(means, "ModeOfTransport")
    for name in ("identificationNumber", "typeOfIdentification"):
        el = child(means, name)
        if mode in ("1", "8") and el is None:
            yield ctx.fail("ICS002", means, f"{name} is mandatory for mode of transport {mode}",
                           expected=name, found="absent")
        elif mode not in ("1", "8") and el is not None:
            yield ctx.fail("ICS002", el, f"{name} is not used for mode of transport {mode}",
                           expected="absent", found=child_text(means, name))


@rule("C3019", title="Mode 4 (air): conveyance reference number mandatory, else not used",
      applies_to=ARRIVAL, codes=("ICS002",))
def flight_number_by_mode(ctx: RuleContext) -> Iterator[Diagnostic]:
    means = _means(ctx)
    if means is None:
        return
    mode = child_text(means, "ModeOfTransport")
    el = child(means, "conveyanceReferenceNumber")
    if mode == "4" and el is None:
        yield ctx.fail("ICS002", means, "conveyance reference number (flight) is mandatory for "
                       "mode of transport 4", expected="conveyanceReferenceNumber",
                       found="absent")
    elif mode != "4" and el is not None:
        yield ctx.fail("ICS002", el, f"conveyance reference number is not used for mode of "
                       f"transport {mode}", expected="absent",
                       found=child_text(means, "conveyanceReferenceNumber"))


def _routing_vs_place(ctx: RuleContext, *, first: bool, place_name: str,
                      ) -> Iterator[Diagnostic]:
    means = _means(ctx)
    master = child(ctx.root, "consignmentMasterLevel")
    if means is None or master is None:
        return
    place = child(master, place_name)
    rows = _routing(means)
    if place is None or not rows:
        return
    country = place_country(place)
    _, routed, el = rows[0] if first else rows[-1]
    if country and routed and routed != country:
        which = "first" if first else "last"
        yield ctx.fail("ICS001", el, f"the {which} country of routing must be the country of "
                       f"the {place_name}", expected=country, found=routed)


@rule("R3013", title="First routing country = country of the place of loading",
      applies_to=FULL_TRANSPORT, evidence="[V] R&C rules; [V-3p] Portbase")
def routing_starts_at_loading(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _routing_vs_place(ctx, first=True, place_name="placeOfLoading")


@rule("R3014", title="Last routing country = country of the place of unloading",
      applies_to=FULL_TRANSPORT, evidence="[V] R&C rules; [V-3p] Portbase")
def routing_ends_at_unloading(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _routing_vs_place(ctx, first=False, place_name="placeOfUnloading")


@rule("R3018", title="First EU Member State in the routing = country of the office of first "
      "entry", applies_to=FULL_TRANSPORT, codes=("ICS001", "ICS003"),
      evidence="[V] R&C rules; [V-3p] Portbase; [I] office country = first 2 characters")
def routing_first_eu_office(ctx: RuleContext) -> Iterator[Diagnostic]:
    means = _means(ctx)
    office = path_text(ctx.root, "customsOfficeOfFirstEntry", "referenceNumber").upper()
    if means is None or len(office) < 2:
        return
    rows = _routing(means)
    if not rows:
        return
    eu = ctx.config.eu_member_states
    office_country = office[:2]  # [I] COL office codes start with the country code
    first_eu = next(((c, el) for _, c, el in rows if c in eu), None)
    if first_eu is None:
        # [I] no EU country routed at all: not a clear violation of the wording, so warn.
        yield ctx.fail("ICS003", means, "no EU Member State in the routing of the means of "
                       "transport (R3018 expects the office's country there)",
                       expected=office_country, found=",".join(c for _, c, _ in rows))
    elif first_eu[0] != office_country:
        yield ctx.fail("ICS001", first_eu[1], "the first EU Member State in the routing must be "
                       "the country of the customs office of first entry",
                       expected=office_country, found=first_eu[0])


@rule("R3053", title="Estimated arrival not earlier than actual or estimated departure",
      applies_to=FULL_TRANSPORT, evidence="[V] R&C rules; [V-3p] Portbase; [I] instants")
def arrival_after_departure(ctx: RuleContext) -> Iterator[Diagnostic]:
    # [I] Portbase calls departure local time while the IE format carries Z: values are
    # compared as given, so only clear violations are flagged.
    means = _means(ctx)
    if means is None:
        return
    arrival_el = child(means, "estimatedDateAndTimeOfArrival")
    arrival = parse_instant(datetime_value(arrival_el))
    if arrival_el is None or arrival is None:
        return
    for name in ("actualDateAndTimeOfDeparture", "estimatedDateAndTimeOfDeparture"):
        raw = datetime_value(child(means, name))
        departure = parse_instant(raw)
        if departure is not None and arrival < departure:
            yield ctx.fail("ICS001", arrival_el, f"estimated arrival is earlier than {name}",
                           expected=f">= {raw}", found=datetime_value(arrival_el))


@rule("R3027", title="Arrival notification: estimated arrival, related MRN, or both",
      applies_to=ARRIVAL)
def arrival_reference(ctx: RuleContext) -> Iterator[Diagnostic]:
    means = _means(ctx)
    if has_child(ctx.root, "relatedMRN"):
        return
    if means is not None and has_child(means, "estimatedDateAndTimeOfArrival"):
        return
    yield ctx.fail("ICS001", ctx.root, "give the estimated date and time of arrival or a "
                   "related MRN", expected="estimatedDateAndTimeOfArrival or relatedMRN",
                   found="neither")


@rule("R3048", title="Related transport document and related MRN are mutually exclusive",
      applies_to=ARRIVAL)
def related_doc_or_mrn(ctx: RuleContext) -> Iterator[Diagnostic]:
    docs = children(ctx.root, "relatedTransportDocument")
    mrns = children(ctx.root, "relatedMRN")
    if docs and mrns:
        yield ctx.fail("ICS001", mrns[0], "a related MRN must not be given together with a "
                       "related transport document", expected="relatedTransportDocument or "
                       "relatedMRN, not both",
                       found=f"{len(docs)} document(s) and {len(mrns)} MRN(s)")


@rule("C3049", title="Person notifying the arrival: mandatory via the STI", applies_to=ARRIVAL,
      offline="partly", codes=("ICS002", "ICS003"),
      evidence="[V] R&C conditions; [I] channel from RuleConfig")
def arrival_notifier(ctx: RuleContext) -> Iterator[Diagnostic]:
    via_sti = ctx.config.arrival_notification_via_sti
    if via_sti is False or has_child(ctx.root, "personNotifyingTheArrival"):
        return
    if via_sti:
        yield ctx.fail("ICS002", ctx.root, "person notifying the arrival is mandatory for an "
                       "arrival notification sent through the STI",
                       expected="personNotifyingTheArrival", found="absent")
    else:
        yield ctx.fail("ICS003", ctx.root, "person notifying the arrival is absent: mandatory "
                       "when sent through the STI (channel unknown; set RuleConfig."
                       "arrival_notification_via_sti)",
                       expected="personNotifyingTheArrival", found="absent")
