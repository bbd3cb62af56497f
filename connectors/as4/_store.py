"""What the AS4 connector sent and what came back: one SQLite file. And what an AS4 receiver
answered, by MessageId (duplicate detection that survives a restart).

Kept in the connector rather than in ``engine/ledger`` (the ledger answers "was this LRN
used?"; this store answers "which AS4 message carried it, did customs receive it, what did
they answer?"). ``ensgate send`` and ``ensgate pull`` run as separate processes, so the store
is what joins an answer (by RefToMessageId or LRN) to the filing that caused it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from ._asgi import HttpReply

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sent (
        message_id TEXT PRIMARY KEY,
        lrn TEXT NOT NULL,
        action TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        receipt TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS answers (
        message_id TEXT PRIMARY KEY,
        ref_to_message_id TEXT,
        action TEXT NOT NULL,
        lrn TEXT,
        mrn TEXT,
        errors TEXT NOT NULL DEFAULT '',
        received_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS answers_ref ON answers (ref_to_message_id)",
    "CREATE INDEX IF NOT EXISTS answers_lrn ON answers (lrn)",
)


@dataclass(frozen=True, kw_only=True)
class SentRecord:
    message_id: str
    lrn: str
    action: str
    endpoint: str
    sent_at: str
    receipt: str  # "ok" | "error" | "" (not yet known)
    detail: str


@dataclass(frozen=True, kw_only=True)
class AnswerRecord:
    message_id: str
    ref_to_message_id: str | None
    action: str
    lrn: str | None
    mrn: str | None
    errors: str
    received_at: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SentStore:
    """SQLite store of sent messages and received answers (``":memory:"`` for tests)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            for stmt in _SCHEMA:
                self._db.execute(stmt)

    def close(self) -> None:
        self._db.close()

    def record_sent(self, *, message_id: str, lrn: str, action: str, endpoint: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO sent (message_id, lrn, action, endpoint, sent_at) "
                "VALUES (?, ?, ?, ?, ?)", (message_id, lrn, action, endpoint, _now()))

    def record_receipt(self, message_id: str, *, ok: bool, detail: str = "") -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE sent SET receipt = ?, detail = ? WHERE message_id = ?",
                             ("ok" if ok else "error", detail, message_id))

    def record_answer(self, *, message_id: str, ref_to_message_id: str | None, action: str,
                      lrn: str | None, mrn: str | None, errors: str = "") -> bool:
        """False if this answer (by MessageId) was recorded before: a duplicate delivery."""
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO answers (message_id, ref_to_message_id, action, lrn, "
                "mrn, errors, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (message_id, ref_to_message_id, action, lrn, mrn, errors, _now()))
            return cur.rowcount == 1

    def sent(self, message_id: str) -> SentRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT message_id, lrn, action, endpoint, sent_at, receipt, detail FROM sent "
                "WHERE message_id = ?", (message_id,)).fetchone()
        return None if row is None else SentRecord(
            message_id=row[0], lrn=row[1], action=row[2], endpoint=row[3], sent_at=row[4],
            receipt=row[5], detail=row[6])

    def answers_for(self, message_id: str, *, lrn: str | None = None) -> list[AnswerRecord]:
        """Answers referring to a sent message (by RefToMessageId, or by its LRN)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT message_id, ref_to_message_id, action, lrn, mrn, errors, received_at "
                "FROM answers WHERE ref_to_message_id = ? OR (lrn IS NOT NULL AND lrn = ?) "
                "ORDER BY received_at", (message_id, lrn or "\x00")).fetchall()
        return [AnswerRecord(message_id=r[0], ref_to_message_id=r[1], action=r[2], lrn=r[3],
                             mrn=r[4], errors=r[5], received_at=r[6]) for r in rows]


class ReceivedStore(Protocol):
    """Duplicate detection of an AS4 receiver: the answer given to each MessageId processed
    (ICD table 19, DuplicateDetection). Two verbs, so that the project store can take it over.
    """

    def reply_for(self, message_id: str) -> HttpReply | None:
        """The answer given to ``message_id`` when it was processed, or None."""
        ...

    def remember(self, message_id: str, reply: HttpReply) -> None:
        """Record the answer given to a processed message (durably, for a file store)."""
        ...


class MemoryReceivedStore:
    """The last ``limit`` MessageIds, in memory: forgotten on a restart."""

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, HttpReply] = OrderedDict()
        self._lock = threading.Lock()

    def reply_for(self, message_id: str) -> HttpReply | None:
        with self._lock:
            reply = self._seen.get(message_id)
            if reply is not None:
                self._seen.move_to_end(message_id)
            return reply

    def remember(self, message_id: str, reply: HttpReply) -> None:
        with self._lock:
            self._seen[message_id] = reply
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)


class SqliteReceivedStore:
    """Every MessageId processed and the answer given, in one SQLite file: a receiver
    restarted on the same file answers a resend with the same receipt and processes nothing
    twice. Each answer is committed before it is returned to the sender."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("""CREATE TABLE IF NOT EXISTS received (
                message_id TEXT PRIMARY KEY,
                status INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                body BLOB NOT NULL,
                received_at TEXT NOT NULL)""")

    def close(self) -> None:
        self._db.close()

    def reply_for(self, message_id: str) -> HttpReply | None:
        with self._lock:
            row = self._db.execute("SELECT status, content_type, body FROM received WHERE "
                                   "message_id = ?", (message_id,)).fetchone()
        if row is None:
            return None
        return HttpReply(status=int(row[0]), content_type=str(row[1]), body=bytes(row[2]))

    def remember(self, message_id: str, reply: HttpReply) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR IGNORE INTO received (message_id, status, content_type, "
                             "body, received_at) VALUES (?, ?, ?, ?, ?)",
                             (message_id, reply.status, reply.content_type, reply.body, _now()))
