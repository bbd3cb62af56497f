"""In-memory filing ledger (tests, one-shot runs)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

from ._protocol import AnswerRecord, normalise_document, normalise_party, utc_instant


class InMemoryLedger:
    """A :class:`FilingLedger` kept in a dict; thread-safe, gone when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lrns: dict[tuple[str, str], datetime] = {}
        self._documents: dict[tuple[str, str], list[datetime]] = {}
        self._answers: dict[tuple[str, str], list[AnswerRecord]] = {}

    def lrn_used(self, declarant: str, lrn: str) -> bool:
        with self._lock:
            return (normalise_party(declarant), lrn.strip()) in self._lrns

    def record(self, declarant: str, lrn: str, document_numbers: Iterable[str],
               filed_at: datetime) -> bool:
        party, when = normalise_party(declarant), utc_instant(filed_at)
        key = (party, lrn.strip())
        with self._lock:
            if key in self._lrns:
                return False
            self._lrns[key] = when
            for number in document_numbers:
                doc = normalise_document(number)
                if doc:
                    self._documents.setdefault((party, doc), []).append(when)
            return True

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool:
        key = (normalise_party(declarant), normalise_document(number))
        with self._lock:
            times = self._documents.get(key, [])
            if since is None:
                return bool(times)
            floor = utc_instant(since)
            return any(t >= floor for t in times)

    def record_answer(self, declarant: str, lrn: str, message_type: str, mrn: str | None,
                      received_at: datetime) -> None:
        party, key = normalise_party(declarant), lrn.strip()
        record = AnswerRecord(declarant=party, lrn=key, message_type=message_type, mrn=mrn,
                              received_at=utc_instant(received_at))
        with self._lock:
            self._answers.setdefault((party, key), []).append(record)

    def answers_for(self, declarant: str, lrn: str) -> list[AnswerRecord]:
        with self._lock:
            found = list(self._answers.get((normalise_party(declarant), lrn.strip()), []))
        return sorted(found, key=lambda r: r.received_at)  # stable: same instant keeps order
