"""One payload in, as a hub hands it over (a watched file, an HTTP body, a queue message):
stored, decided and reported. Idempotent by content hash: the store skips a message it holds
already (``Store.ingest``), so a payload handed over twice (a redelivery, a file resumed after
a crash) stores and files nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..diagnostics import Diagnostic
from ..pipeline import TranslateOptions
from ..store import IngestResult, Store

FILED_ACTIONS = frozenset({"filed", "remade"})


@dataclass(frozen=True, slots=True, kw_only=True)
class FilingMade:
    """A filing the payload made (or remade in place before it was sent)."""

    key: str  # the shipment's master AWB, normalised
    lrn: str
    filing: str  # filing type, e.g. F23
    action: str  # filed | remade


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A message of the payload that was rejected (or is not ENS input), with why."""

    label: str  # file#n (FWB/17 160-52817343)
    outcome: str  # rejected | not-ens
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestOutcome:
    """What one payload did: messages stored, duplicates skipped, filings made, rejects with
    their diagnostics, and the outcome count of the stored messages."""

    name: str
    stored: int
    duplicates: int
    filings: tuple[FilingMade, ...] = ()
    rejects: tuple[Rejected, ...] = ()
    outcomes: tuple[tuple[str, int], ...] = ()  # (outcome, count), sorted
    shipments: tuple[tuple[str, str], ...] = ()  # (key, action), in the unit's order

    @property
    def failed(self) -> bool:
        """True when nothing of the payload was kept as ENS data: every message stored was
        rejected (an unreadable file, a payload of errors). Duplicates are not failures."""
        return self.stored > 0 and dict(self.outcomes).get("rejected", 0) == self.stored

    def to_dict(self) -> dict[str, Any]:
        """JSON form (HTTP answers, reason files, broker events); diagnostics as the CLI's
        JSON lines give them."""
        return {
            "name": self.name,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "outcomes": dict(self.outcomes),
            "filings": [{"key": f.key, "lrn": f.lrn, "filing": f.filing, "action": f.action}
                        for f in self.filings],
            "rejects": [{"message": r.label, "outcome": r.outcome,
                         "diagnostics": [d.to_dict() for d in r.diagnostics]}
                        for r in self.rejects],
            "shipments": [{"key": k, "action": a} for k, a in self.shipments],
        }


def outcome_of(name: str, result: IngestResult) -> IngestOutcome:
    """The service's view of a store ``IngestResult``."""
    return IngestOutcome(
        name=name, stored=result.stored, duplicates=result.skipped,
        filings=tuple(FilingMade(key=s.key, lrn=s.lrn, filing=s.filing, action=s.action)
                      for s in result.shipments if s.action in FILED_ACTIONS),
        rejects=tuple(Rejected(label=m.label, outcome=m.outcome, diagnostics=m.diagnostics)
                      for m in result.messages if m.outcome in ("rejected", "not-ens")),
        outcomes=tuple(sorted(result.outcomes.items())),
        shipments=tuple((s.key, s.action) for s in result.shipments))


def ingest_payload(store: Store, *, name: str, data: bytes,
                   options: TranslateOptions | None = None,
                   now: datetime | None = None) -> IngestOutcome:
    """Store one payload (one message or a file of several) and decide every shipment it
    touches, in one transaction; ``name`` is the file name its diagnostics cite. Handing the
    same payload over again stores nothing and files nothing (``duplicates`` counts it)."""
    return outcome_of(name, store.ingest(data, name, now=now, options=options))
