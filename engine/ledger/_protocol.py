"""The filing ledger: what this engine has filed, so that reuse can be caught before customs.

ICS2 makes the LRN unique per declarant (R3003) and rejects a master transport document
reference reused by the same declarant within a period (lifecycle code 81). Customs' own
history is not visible, so the engine keeps its own: LRNs and document numbers used, per
declarant (``declarant/identificationNumber``). Whether a rejected filing frees its LRN is
not stated in any source read, so an LRN once recorded stays used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class FilingLedger(Protocol):
    """Store of (declarant, LRN) pairs and transport document numbers already filed."""

    def lrn_used(self, declarant: str, lrn: str) -> bool:
        """True if this declarant already filed with this LRN."""
        ...

    def record(self, declarant: str, lrn: str, document_numbers: Iterable[str],
               filed_at: datetime) -> bool:
        """Record a filing; False (and nothing stored) if the LRN was already used by this
        declarant. Atomic: two concurrent writers cannot both record the same LRN."""
        ...

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool:
        """True if this declarant filed this transport document number (at or after
        ``since`` when given)."""
        ...


@dataclass(frozen=True, kw_only=True)
class AnswerRecord:
    """One customs answer about a filing: its message type (IE3R01, IE3N99 ...), the MRN it
    carries (None for an IE3N99) and when it was received (UTC)."""

    declarant: str
    lrn: str
    message_type: str
    mrn: str | None
    received_at: datetime


@runtime_checkable
class AnswerLedger(Protocol):
    """Store of the customs answers per (declarant, LRN), kept beside the filings: who was
    told what about which filing (the MRN of an IE3R01, a rejection, a referral). Separate
    from :class:`FilingLedger` so that existing filing ledgers keep conforming."""

    def record_answer(self, declarant: str, lrn: str, message_type: str, mrn: str | None,
                      received_at: datetime) -> None:
        """Record one answer (answers are never merged: the same answer twice is two rows)."""
        ...

    def answers_for(self, declarant: str, lrn: str) -> list[AnswerRecord]:
        """The answers recorded for this filing, oldest first (empty when none)."""
        ...


def normalise_party(declarant: str) -> str:
    """Declarant key: upper case, no white space (``de 123`` and ``DE123`` are one party)."""
    return "".join(declarant.split()).upper()


def normalise_document(number: str) -> str:
    """Document key: upper case, no white space [I: dashes are kept, so ``020-12345675`` and
    ``02012345675`` are different keys]."""
    return "".join(number.split()).upper()


def utc_instant(value: datetime) -> datetime:
    """Aware UTC instant; a naive value is read as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
