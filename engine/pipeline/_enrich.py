"""Enrichment: the stage that fills a shipment's gaps from the operator's reference data.

    assemble -> policy (flight times: FFM, else the schedule) -> **enrich** (parties, customs
    office of first entry) -> site data (configuration) -> render -> schema -> rules

Precedence, for every value: what the messages say, then reference data, then the site
configuration's defaults. Nothing a message carries is overwritten; every value filled here
gets a lineage entry naming the reference file and line (``file:line``), which diagnostics,
``--lineage`` files and ``ensgate map trace`` show. The schedule is asked through the filing
policy's hook (:meth:`Enrichment.schedule`), the rest by :meth:`Enrichment.apply`, called by
the filing builder before the site data. Lookups are dict accesses (indexes built at load).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..diagnostics import Diagnostic, RuleRef, SourcePos, diag
from ..mapping import Lineage
from ..mapping._assemble import Shipment
from ..reference import OfficeRow, PartyRecord, ReferenceData, ScheduledFlight
from ..reference._parties import normalise_name

# the filings whose XML carries the customs office of first entry (templates/)
OFFICE_FILINGS = frozenset({"IE3F20", "IE3F21", "IE3F22", "IE3F27", "IE3F28", "IE3F29",
                            "IE3N06"})
_PARTIES = ("consignor", "consignee", "notify")
_ADDRESS = ("street", "number", "postcode", "city", "subdivision", "country")


def _stamp(at: Any) -> str:
    return str(at.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _ref(file: str, line: int, what: str) -> RuleRef:
    return RuleRef(spec=file, line=line, rule_id=f"reference.{what}")


def _lineage(file: str, line: int, raw: str, what: str, note: str) -> Lineage:
    return Lineage(rule=_ref(file, line, what), sources=((raw, SourcePos(file=file, line=line)),),
                   note=note)


class Enrichment:
    """The enrichment stage of a run over its :class:`~ensgate.reference.ReferenceData`."""

    def __init__(self, reference: ReferenceData, *, office_wildcard: bool = True) -> None:
        self.reference = reference
        self.office_wildcard = office_wildcard

    # -- flight times (the policy's schedule hook) ------------------------------------------
    def schedule(self, ship: Shipment) -> tuple[str, str] | None:
        """Estimated departure and arrival of the shipment's flight into the territory from
        the schedule, when no flight manifest gave them. The message's own values stay: an
        FWB's FLT gives only the day (mapped to 00:00Z with a warning), so its departure is
        replaced only by the scheduled time on that same day; a departure with a time of day
        is kept. Marked as scheduled: lineage ``file:line`` and a REF001 warning."""
        t = ship.data["transport"]
        flight, origin, dest = (t["conveyance_reference"], t["departure_airport"],
                                t["arrival_airport"])
        given = str(t["estimated_departure"] or "")
        if not (flight and origin and dest and len(given) >= 10):
            return None
        try:
            day = date.fromisoformat(given[:10])
        except ValueError:
            return None
        day_only = given.endswith("T00:00:00Z")
        found = self._find(str(flight), str(origin), str(dest), day, None if day_only
                           else given)
        if found is None:
            return None
        departure = _stamp(found.departure) if day_only else given
        arrival = str(t["estimated_arrival"] or "") or _stamp(found.arrival)
        self._mark_scheduled(ship, found, day_only, not t["estimated_arrival"])
        return departure, arrival

    def _find(self, flight: str, origin: str, dest: str, day: date,
              given: str | None) -> ScheduledFlight | None:
        """The schedule row for the local ``day`` of departure (an FWB's FLT day); with a
        departure date-time from the message (UTC, so its date may not be the local one),
        the row of the day before, of or after it that departs closest to it, within 12
        hours."""
        find = self.reference.schedules.find
        if given is None:
            return find(flight, origin, dest, day)
        try:
            at = datetime.fromisoformat(given.replace("Z", "+00:00"))
        except ValueError:
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        rows = [r for d in (day - timedelta(days=1), day, day + timedelta(days=1))
                if (r := find(flight, origin, dest, d)) is not None]
        rows = [r for r in rows if abs(r.departure - at) <= timedelta(hours=12)]
        return min(rows, key=lambda r: abs(r.departure - at), default=None)

    def _mark_scheduled(self, ship: Shipment, found: ScheduledFlight, departure: bool,
                        arrival: bool) -> None:
        note = (f"scheduled: {found.flight} {found.origin}-{found.destination} in the schedule "
                "(no flight manifest yet; an FFM replaces it)")
        filled = []
        if departure:  # the mapping's "no time of day, 00:00Z used" is no longer what is filed
            ship.diagnostics[:] = [
                d for d in ship.diagnostics if not (
                    d.code == "MAP005" and d.rule is not None
                    and d.rule.rule_id == "transport.estimated_departure")]
        for ok, key in ((departure, "estimated_departure"), (arrival, "estimated_arrival")):
            if ok:
                ship.lineage[f"transport.{key}"] = _lineage(found.file, found.line, found.raw,
                                                            "schedules", note)
                filled.append(key.replace("_", " "))
        if any(d.code == "REF001" for d in ship.diagnostics):
            return  # asked again for the same shipment object
        ship.diagnostics.append(diag(
            "REF001", f"{' and '.join(filled)} of {found.flight} {found.origin}-"
            f"{found.destination} taken from the schedule: scheduled, not manifested "
            "(the FFM of the flight will replace them)",
            rule=_ref(found.file, found.line, "schedules"),
            source=SourcePos(file=found.file, line=found.line),
            xpath="activeBorderTransportMeans",
            found=f"{_stamp(found.departure)} / {_stamp(found.arrival)}"))

    # -- parties and customs office -----------------------------------------------------------
    def apply(self, ship: Shipment, filing: str, config: Any) -> list[Diagnostic]:
        """Fill party gaps from the party book and the customs office of first entry from
        the office table; drop the mapping's "missing" errors (MAP003) the fill answered.
        Returns diagnostics (REF002 per party completed, REF003 for an airport the office
        table lacks)."""
        out: list[Diagnostic] = []
        d = ship.data
        if self.reference.has_parties:
            # one REF002 per record and fields filled, naming every party it completed (a
            # direct AWB's parties are at master and house level)
            done: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
            records: dict[str, PartyRecord] = {}
            for path, party in self._parties(d):
                got = self._party(ship, path, party)
                if got is not None:
                    rec, fields, how = got
                    done.setdefault((rec.where, how, fields), []).append(path)
                    records[rec.where] = rec
            for (where, how, fields), paths in done.items():
                rec = records[where]
                out.append(diag(
                    "REF002", f"{', '.join(paths)}: {', '.join(fields)} taken from the party "
                    f"master data ({where}, found by {how})",
                    rule=_ref(rec.file, rec.line, "parties"),
                    source=SourcePos(file=rec.file, line=rec.line),
                    found=f"{rec.name or rec.eori or rec.account}"))
            if done:
                self._answered(ship)
        if self.reference.offices is not None:
            out.extend(self._office(ship, filing, config))
        return out

    @staticmethod
    def _parties(d: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        found = [(f"master.{p}", d["master"][p]) for p in _PARTIES]
        for i, house in enumerate(d["houses"], start=1):
            found.extend((f"houses[{i}].{p}", house[p]) for p in _PARTIES)
        return found

    def _party(self, ship: Shipment, path: str,
               party: dict[str, Any]) -> tuple[PartyRecord, tuple[str, ...], str] | None:
        addr = party["address"]
        name = party.get("name")
        eori = party.get("identification")
        account = party.get("account")
        if not (name or eori or account):
            return None  # no party in the message: nothing to recognise
        hit = self.reference.parties.find(eori=eori, account=account, name=name,
                                          country=addr.get("country"))
        if hit is None:
            return None
        rec, how = hit
        filled: list[str] = []

        def put(node: dict[str, Any], key: str, value: str | None, field: str) -> None:
            if value and not node.get(key):
                node[key] = value
                filled.append(field)

        put(party, "name", rec.name, "name")
        put(party, "identification", rec.eori, "identification")
        put(party, "contact_name", rec.contact, "contact_name")
        if rec.type_of_person and party.get("type_of_person") != rec.type_of_person:
            # the message never says it (Cargo-IMP, Cargo-XML): a spec's assumed constant has
            # no source text, and master data knows better; a value read from a message stays
            lin = ship.lineage.get(f"{path}.type_of_person")
            if not party.get("type_of_person") or (lin is not None and not lin.sources):
                party["type_of_person"] = rec.type_of_person
                filled.append("type_of_person")
        if self._same_place(addr, rec):
            for key in _ADDRESS:
                put(addr, key, getattr(rec, key), f"address.{key}")
        if not party.get("communications"):
            comms = [{"identifier": v, "type": t} for v, t in ((rec.phone, "TE"),
                                                                (rec.email, "EM")) if v]
            if comms:
                party["communications"] = comms
                filled.append("communications")
        if not filled:
            return None
        note = f"party master data (found by {how})"
        for field in filled:
            ship.lineage[f"{path}.{field}"] = _lineage(rec.file, rec.line, rec.raw, "parties",
                                                       note)
        return rec, tuple(filled), how

    @staticmethod
    def _same_place(addr: dict[str, Any], rec: PartyRecord) -> bool:
        """The record's address completes the message's only when the message's own city,
        country and street (those it has) agree with it: a branch at another address keeps
        its gaps rather than get a mixed address."""
        for key in ("country", "city", "street"):
            mine, theirs = addr.get(key), getattr(rec, key)
            if mine and theirs and normalise_name(mine) != normalise_name(theirs):
                return False
        return True

    @staticmethod
    def _answered(ship: Shipment) -> None:
        """Remove the mapping's MAP003 "<field> missing" errors for party fields that now
        have a value (``rule_id`` is the spec's target: ``master.consignee.address.street``
        or, inside the houses group, ``consignee.address.street`` for every house)."""
        d = ship.data
        keep = []
        for x in ship.diagnostics:
            rid = x.rule.rule_id if x.code == "MAP003" and x.rule is not None else ""
            parts = rid.split(".")
            if not rid or parts[0] not in ("master", *_PARTIES) or \
                    (parts[0] == "master" and (len(parts) < 2 or parts[1] not in _PARTIES)):
                keep.append(x)
                continue
            nodes = [d] if parts[0] == "master" else list(d["houses"])
            if nodes and all(_value(n, parts) for n in nodes):
                continue
            keep.append(x)
        ship.diagnostics[:] = keep

    def _office(self, ship: Shipment, filing: str, config: Any) -> list[Diagnostic]:
        t = ship.data["transport"]
        airport = str(t["arrival_airport"] or "").strip().upper()
        if t["customs_office_first_entry"] or not airport:
            return []
        if airport in getattr(config, "customs_offices", {}):
            return []  # an explicit entry in the site configuration wins (site data fills it)
        table = self.reference.offices
        assert table is not None
        row: OfficeRow | None = table.find(airport)
        if row is None:
            if filing not in OFFICE_FILINGS:
                return []
            return [diag("REF003", f"no customs office of first entry for airport {airport} in "
                         f"{table.file} (source: {table.source}); add a row for {airport}",
                         rule=RuleRef(spec=table.file, rule_id="reference.customs_offices"),
                         expected=f"a row airport={airport}", found="nothing",
                         xpath=f"/{filing}/activeBorderTransportMeans/customsOfficeOfFirstEntry")]
        t["customs_office_first_entry"] = row.office
        ship.lineage["transport.customs_office_first_entry"] = _lineage(
            row.file, row.line, row.raw, "customs_offices",
            f"office of first entry for {airport} ({table.source})")
        return []


def _value(node: Any, parts: list[str]) -> bool:
    for p in parts:
        if not isinstance(node, dict):
            return False
        node = node.get(p)
    return node is not None and node != "" and node != []
