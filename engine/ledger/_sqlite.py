"""SQLite filing ledger: one file, shared safely by concurrent batch runs.

Each write is one ``BEGIN IMMEDIATE`` transaction, and the (declarant, LRN) pair is the
table's primary key, so two processes recording the same LRN cannot both succeed. WAL mode
lets readers work while a writer holds the lock; ``timeout`` is how long a writer waits.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from ._protocol import AnswerRecord, normalise_document, normalise_party, utc_instant

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS filings (
        declarant TEXT NOT NULL,
        lrn TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        PRIMARY KEY (declarant, lrn))""",
    """CREATE TABLE IF NOT EXISTS documents (
        declarant TEXT NOT NULL,
        number TEXT NOT NULL,
        lrn TEXT NOT NULL,
        filed_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS documents_key ON documents (declarant, number, filed_at)",
    """CREATE TABLE IF NOT EXISTS answers (
        declarant TEXT NOT NULL,
        lrn TEXT NOT NULL,
        message_type TEXT NOT NULL,
        mrn TEXT,
        received_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS answers_key ON answers (declarant, lrn, received_at)",
)


def _stamp(value: datetime) -> str:
    """Fixed-width UTC ISO text, so that string order is time order."""
    return utc_instant(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SqliteLedger:
    """A :class:`FilingLedger` in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    self._db.execute(statement)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def lrn_used(self, declarant: str, lrn: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM filings WHERE declarant = ? AND lrn = ?",
                (normalise_party(declarant), lrn.strip()),
            ).fetchone()
        return row is not None

    def record(self, declarant: str, lrn: str, document_numbers: Iterable[str],
               filed_at: datetime) -> bool:
        party, key, when = normalise_party(declarant), lrn.strip(), _stamp(filed_at)
        docs = [d for d in (normalise_document(n) for n in document_numbers) if d]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO filings (declarant, lrn, filed_at) VALUES (?, ?, ?)",
                    (party, key, when),
                )
                if cur.rowcount == 0:
                    self._db.execute("ROLLBACK")
                    return False
                self._db.executemany(
                    "INSERT INTO documents (declarant, number, lrn, filed_at) "
                    "VALUES (?, ?, ?, ?)",
                    [(party, d, key, when) for d in docs],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return True

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool:
        params: tuple[str, ...] = (normalise_party(declarant), normalise_document(number))
        sql = "SELECT 1 FROM documents WHERE declarant = ? AND number = ?"
        if since is not None:
            sql += " AND filed_at >= ?"
            params = (*params, _stamp(since))
        with self._lock:
            row = self._db.execute(sql + " LIMIT 1", params).fetchone()
        return row is not None

    def record_answer(self, declarant: str, lrn: str, message_type: str, mrn: str | None,
                      received_at: datetime) -> None:
        row = (normalise_party(declarant), lrn.strip(), message_type, mrn, _stamp(received_at))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO answers (declarant, lrn, message_type, mrn, received_at) "
                    "VALUES (?, ?, ?, ?, ?)", row)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def answers_for(self, declarant: str, lrn: str) -> list[AnswerRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT declarant, lrn, message_type, mrn, received_at FROM answers "
                "WHERE declarant = ? AND lrn = ? ORDER BY received_at, rowid",
                (normalise_party(declarant), lrn.strip()),
            ).fetchall()
        return [AnswerRecord(declarant=d, lrn=n, message_type=t, mrn=m,
                             received_at=datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ")
                             .replace(tzinfo=UTC))
                for d, n, t, m, at in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
