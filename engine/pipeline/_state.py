"""What a unit of work (a window, one ``ingest`` call, a sweep) reads and writes: the state
interface, its records, the lifecycle tables, and the in-memory implementation.

The pipeline decides (``_unit``); a *state* only keeps. Two implementations: the shipment store
(``ensgate.store``, SQLAlchemy: SQLite or PostgreSQL) and :class:`MemoryState` here, for the
in-memory API (``translate``, ``translate_bytes``), which starts empty and forgets at the end.
Both run the same decisions, so a test of the policy on one holds for the other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..ledger import FilingLedger
from ..lifecycle import ALARM_STATES, SENT_STATES, STATES, UNSENT_STATES

# -- lifecycles: one table each, checked in Python (the columns are plain strings) ----------
SHIPMENT_STATES: dict[str, str] = {
    "pending": "waiting for data another message will bring (waiting_for says what)",
    "flight-only": "only flight manifest lines name this AWB so far (no FWB, FHL or FZB)",
    "filed": "its filing is made (see the filing's own state for what customs did)",
    "not-subject": "its route does not enter the ICS2 territory: no filing is due",
    "rejected": "its data has an error no further message can fix (diagnostics say which)",
    "needs-amendment": "data changed after its filing was sent: an amendment is due",
}

# The filing lifecycle is ensgate.lifecycle's (states, events, the transitions the ICD allows).
FILING_STATES: dict[str, str] = STATES
UNSENT_FILING_STATES = UNSENT_STATES - {"superseded"}  # a current filing that can be remade
SENT_FILING_STATES = SENT_STATES  # its LRN is used
ALARM_FILING_STATES = ALARM_STATES  # file, pull and report exit 4 while a filing is in one

MESSAGE_OUTCOMES: dict[str, str] = {
    "filed": "contributed to a filing",
    "rejected": "unusable, or its shipment failed (diagnostics say why)",
    "pending": "its shipment waits for more data",
    "not-ens": "a recognised message that is no ENS input (status, booking, ack...)",
    "not-subject": "its shipment does not enter the ICS2 territory",
    "supporting": "flight data for AWBs with no consignment data (yet)",
    "superseded": "an FWB replaced by a later one for the same AWB",
}


def check_state(table: dict[str, str], value: str) -> str:
    """``value`` if it is a state of ``table``, else ValueError (a bug, never data)."""
    if value not in table:
        raise ValueError(f"unknown state {value!r}; known: {', '.join(table)}")
    return value


# -- what a unit reads ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """Where a stored message can be read again with its original positions: the bytes the
    reader was given (a file, or a piece of a large Cargo-IMP file) and how it was called."""

    id: int
    file: str
    reader: str  # "detect" (format from content) | "cargo-imp-piece"
    line_offset: int = 0
    index_offset: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMessage:
    """A message kept from an earlier unit that feeds a shipment this unit touches."""

    id: int
    content_hash: str
    sources: tuple[int, ...]  # the source(s) to re-read (parts of one message may span files)
    anchor: str  # the ISO date that anchored year-less dates when it was first mapped
    received_at: datetime
    label: str
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredFiling:
    id: int
    lrn: str
    declarant: str
    filing: str  # IE3F20 ...
    state: str
    digest: str  # sha256 of the XML without its issue date
    document: str
    seq: int
    due_at: datetime | None = None  # when it must be lodged (ensgate.deadlines)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredShipment:
    id: int
    key: str
    state: str
    input_digest: str
    first_at: datetime | None
    filing: StoredFiling | None  # the current filing (not superseded), if any
    waiting_for: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A message feeding a shipment key: as master, houses or transport; ``used`` when the
    assembled shipment took it (a superseded FWB or flight lines of a key with no
    consignment data are not used)."""

    message_id: int
    key: str
    role: str
    used: bool


# -- what a unit writes ---------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class NewMessage:
    """A message first seen in this unit (``ref`` is its index in the unit's list)."""

    ref: int
    content_hash: str
    sources: tuple[int, ...]  # indexes into UnitChanges.sources
    file: str
    index: int
    first_line: int
    format: str
    kind: str
    version: str
    key: str
    label: str
    anchor: str
    outcome: str = "pending"
    diagnostics: list[str] = field(default_factory=list)  # JSON lines


@dataclass(slots=True, kw_only=True)
class NewSource:
    ref: int
    content_hash: str
    file: str
    reader: str
    line_offset: int
    index_offset: int
    body: bytes


@dataclass(slots=True, kw_only=True)
class FilingChange:
    """A filing made or remade (``id`` None: new) or superseded."""

    id: int | None
    key: str
    lrn: str
    declarant: str
    filing: str
    document: str
    master_document: str
    seq: int
    state: str
    xml: bytes
    digest: str
    diagnostics: list[str]  # JSON lines
    issued: datetime
    due_at: datetime | None = None  # when it must be lodged (ensgate.deadlines)


@dataclass(slots=True, kw_only=True)
class ShipmentChange:
    key: str
    state: str
    shape: str
    mawb: str
    houses: list[str]
    waiting_for: str
    due_at: datetime | None
    reason: str
    route: dict[str, Any]
    input_digest: str
    first_at: datetime | None
    last_at: datetime | None
    diagnostics: list[str]  # JSON lines


@dataclass(slots=True, kw_only=True)
class Event:
    key: str | None
    kind: str
    from_state: str | None
    to_state: str | None
    cause: str
    filing_lrn: str | None = None
    message_ref: int | None = None  # new message (index in the unit)
    message_id: int | None = None  # stored message


@dataclass(slots=True, kw_only=True)
class Export:
    """A file the unit's results put in (or take out of) the output folder: ``kind`` filing |
    reject | not-ens | shipment-reject; ``item`` the path under the folder; ``remove`` True
    when the file must go (a superseded filing, a reject that was fixed)."""

    item: str
    kind: str
    remove: bool = False
    content: bytes | None = None  # known in the unit; None: made from the store when written
    filing_lrn: str | None = None
    message_ref: int | None = None
    message_id: int | None = None
    shipment_key: str | None = None


@dataclass(slots=True, kw_only=True)
class AmendmentChange:
    """A registered filing's data changed (same filing type): the store builds the amendment
    (IE3Axx) of ``corrected`` against the filing's MRN and queues it, or records why R3024
    refuses it."""

    key: str
    filing_id: int
    lrn: str
    corrected: bytes


@dataclass(slots=True, kw_only=True)
class UnitChanges:
    """Everything one unit writes, applied in one transaction."""

    now: datetime
    sources: list[NewSource] = field(default_factory=list)
    messages: list[NewMessage] = field(default_factory=list)
    links: dict[str, list[tuple[int | None, int | None, str, bool]]] = field(
        default_factory=dict)  # key -> (stored id | None, new ref | None, role, used); all
    # links of each touched key are rewritten
    outcomes: dict[int, tuple[str, list[str]]] = field(default_factory=dict)  # stored id ->
    shipments: list[ShipmentChange] = field(default_factory=list)
    filings: list[FilingChange] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)  # filing ids
    due_times: dict[int, datetime | None] = field(default_factory=dict)  # filing id -> due
    # time, for a kept filing whose flight times changed (its XML did not)
    events: list[Event] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    amendments: list[AmendmentChange] = field(default_factory=list)


class UnitState(Protocol):
    """What the pipeline asks of a state. Every call of one unit happens inside one
    transaction of the store (``ensgate.store`` opens it and commits after ``apply``)."""

    def claim(self, hashes: list[str]) -> list[bool]:
        """For each content hash, True if it is new (and now reserved for this unit), False
        if a message with it is already kept: a duplicate."""
        ...

    def lock(self, keys: list[str]) -> dict[str, StoredShipment]:
        """Lock the shipments of ``keys`` for this unit (creating rows as needed, in sorted
        key order) and return those that existed before."""
        ...

    def links(self, keys: Collection[str]) -> list[Link]:
        """Every stored link of these keys."""
        ...

    def messages(self, ids: Collection[int]) -> dict[int, StoredMessage]:
        ...

    def other_links(self, message_ids: Collection[int], keys: Collection[str]
                    ) -> list[tuple[int, bool, str, str | None]]:
        """Links of these messages to keys outside ``keys``: (message id, used, role,
        shipment state)."""
        ...

    def source(self, source_id: int) -> tuple[SourceRef, bytes]:
        ...

    def prefetch(self, lrns: Collection[str], documents: Collection[str]) -> None:
        """What the unit will ask about these LRNs and documents, read in one go (the
        answers below may come from it)."""
        ...

    def lrn_holder(self, declarant: str, lrn: str) -> tuple[str, int, str] | None:
        """(shipment key, filing id, filing state) of the filing holding this LRN, or None.
        ``declarant`` is normalised (``ensgate.ledger.normalise_party``)."""
        ...

    def sent_count(self, declarant: str, document: str, filing: str) -> int:
        """How many filings of this document and type this declarant has sent."""
        ...

    def document_used(self, declarant: str, number: str, *, since: datetime | None,
                      exclude_key: str) -> bool:
        ...

    def apply(self, changes: UnitChanges) -> dict[int, int]:
        """Write the unit's changes; returns new message ref -> id."""
        ...


class MemoryState:
    """The in-memory state of one in-memory run: empty at the start, nothing kept after.

    An optional ``ledger`` (an ``ensgate.ledger.FilingLedger``) stands for the filings made
    before: its LRNs and documents count as used, and the run's filings are recorded in it."""

    def __init__(self, ledger: FilingLedger | None = None) -> None:
        self.ledger = ledger
        self._hashes: set[str] = set()
        self._next = 0

    def claim(self, hashes: list[str]) -> list[bool]:
        out = []
        for h in hashes:
            out.append(h not in self._hashes)
            self._hashes.add(h)
        return out

    def lock(self, keys: list[str]) -> dict[str, StoredShipment]:
        return {}

    def links(self, keys: Collection[str]) -> list[Link]:
        return []

    def messages(self, ids: Collection[int]) -> dict[int, StoredMessage]:
        return {}

    def other_links(self, message_ids: Collection[int], keys: Collection[str]
                    ) -> list[tuple[int, bool, str, str | None]]:
        return []

    def source(self, source_id: int) -> tuple[SourceRef, bytes]:
        raise KeyError(source_id)  # nothing is kept, so nothing is asked for

    def prefetch(self, lrns: Collection[str], documents: Collection[str]) -> None:
        pass

    def lrn_holder(self, declarant: str, lrn: str) -> tuple[str, int, str] | None:
        if self.ledger is not None and self.ledger.lrn_used(declarant, lrn):
            return ("", 0, "sent")
        return None

    def sent_count(self, declarant: str, document: str, filing: str) -> int:
        return 0

    def document_used(self, declarant: str, number: str, *, since: datetime | None,
                      exclude_key: str) -> bool:
        return self.ledger is not None and self.ledger.document_used(declarant, number,
                                                                     since=since)

    def apply(self, changes: UnitChanges) -> dict[int, int]:
        if self.ledger is not None:
            for f in changes.filings:
                if f.id is None:
                    self.ledger.record(f.declarant, f.lrn, _documents(changes, f),
                                       f.issued)
        ids = {}
        for m in changes.messages:
            self._next += 1
            ids[m.ref] = self._next
        return ids


def _documents(changes: UnitChanges, f: FilingChange) -> Iterable[str]:
    ship = next((s for s in changes.shipments if s.key == f.key), None)
    yield f.master_document
    if ship is not None:
        yield from ship.houses

