"""What the simulated customs remembers, in memory or journalled to a file.

``CustomsRegistry`` is the simulator's ledger (LRNs and transport documents per sender, the
answers sent: ``FilingLedger`` + ``AnswerLedger``) plus the registered filings by MRN with
their state and current dataset (for amendments, invalidation, consultation). With a
``journal`` path every change is appended as one JSON line, flushed and fsynced before the
call returns, and the file is replayed on open: a restarted simulator keeps its ledger. A
torn last line (a crash mid-write) is ignored on replay; nothing answered was lost since the
answer is sent only after the journal write returns.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..ledger import AnswerRecord, InMemoryLedger, normalise_document, normalise_party


@dataclass(frozen=True, kw_only=True)
class Registration:
    """A filing the simulated customs registered: its MRN, who filed it (sender EORI), its
    LRN, the filing type (IE3F20 ...), the current dataset (the filing or its last accepted
    amendment) and its state (registered, amended, invalidated, do-not-load ...)."""

    mrn: str
    sender: str
    lrn: str
    message: str
    xml: bytes
    state: str
    master: str | None = None
    houses: tuple[str, ...] = ()


class CustomsRegistry:
    """Thread-safe; see the module text. ``journal``: a file path (created when missing)."""

    def __init__(self, journal: str | Path | None = None) -> None:
        self._ledger = InMemoryLedger()
        self._lock = threading.Lock()
        self._filings: dict[str, Registration] = {}
        self._sent: dict[str, list[tuple[str, bytes]]] = {}  # MRN -> (type, XML) sent
        self._journal = Path(journal) if journal is not None else None
        self._file: Any = None
        if self._journal is not None:
            self._replay(self._journal)
            self._file = open(self._journal, "a", encoding="utf-8")  # noqa: SIM115

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- journal --------------------------------------------------------------------------
    def _write(self, entry: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def _replay(self, path: Path) -> None:
        if not path.is_file():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line
            op = entry.get("op")
            when = datetime.fromisoformat(entry["at"]) if "at" in entry else None
            if op == "record" and when is not None:
                self._ledger.record(entry["sender"], entry["lrn"], entry["documents"], when)
            elif op == "answer" and when is not None:
                self._ledger.record_answer(entry["sender"], entry["lrn"], entry["type"],
                                           entry.get("mrn"), when)
            elif op == "register":
                self._filings[entry["mrn"]] = Registration(
                    mrn=entry["mrn"], sender=entry["sender"], lrn=entry["lrn"],
                    message=entry["message"], xml=base64.b64decode(entry["xml"]),
                    state=entry["state"], master=entry.get("master"),
                    houses=tuple(entry.get("houses") or ()))
            elif op == "sent":
                self._sent.setdefault(entry["mrn"], []).append(
                    (entry["type"], base64.b64decode(entry["xml"])))
            elif op == "state" and entry["mrn"] in self._filings:
                reg = self._filings[entry["mrn"]]
                xml = base64.b64decode(entry["xml"]) if entry.get("xml") else reg.xml
                self._filings[entry["mrn"]] = replace(reg, state=entry["state"], xml=xml)

    # -- FilingLedger + AnswerLedger -------------------------------------------------------
    def lrn_used(self, declarant: str, lrn: str) -> bool:
        return self._ledger.lrn_used(declarant, lrn)

    def record(self, declarant: str, lrn: str, document_numbers: Iterable[str],
               filed_at: datetime) -> bool:
        docs = list(document_numbers)
        with self._lock:
            if not self._ledger.record(declarant, lrn, docs, filed_at):
                return False
            self._write({"op": "record", "sender": declarant, "lrn": lrn, "documents": docs,
                         "at": filed_at.isoformat()})
            return True

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool:
        return self._ledger.document_used(declarant, number, since=since)

    def record_answer(self, declarant: str, lrn: str, message_type: str, mrn: str | None,
                      received_at: datetime) -> None:
        with self._lock:
            self._ledger.record_answer(declarant, lrn, message_type, mrn, received_at)
            self._write({"op": "answer", "sender": declarant, "lrn": lrn, "type": message_type,
                         "mrn": mrn, "at": received_at.isoformat()})

    def answers_for(self, declarant: str, lrn: str) -> list[AnswerRecord]:
        return self._ledger.answers_for(declarant, lrn)

    # -- registrations ---------------------------------------------------------------------
    def register(self, reg: Registration) -> None:
        with self._lock:
            self._filings[reg.mrn] = reg
            self._write({"op": "register", "mrn": reg.mrn, "sender": reg.sender,
                         "lrn": reg.lrn, "message": reg.message, "state": reg.state,
                         "master": reg.master, "houses": list(reg.houses),
                         "xml": base64.b64encode(reg.xml).decode("ascii")})

    def update(self, mrn: str, *, state: str, xml: bytes | None = None) -> Registration:
        """Set the state (and, for an accepted amendment, the new dataset) of ``mrn``."""
        with self._lock:
            reg = replace(self._filings[mrn], state=state,
                          xml=xml if xml is not None else self._filings[mrn].xml)
            self._filings[mrn] = reg
            entry: dict[str, Any] = {"op": "state", "mrn": mrn, "state": state}
            if xml is not None:
                entry["xml"] = base64.b64encode(xml).decode("ascii")
            self._write(entry)
            return reg

    def remember_sent(self, mrn: str, message_type: str, xml: bytes) -> None:
        """Keep an answer sent about ``mrn`` (a consultation returns them, ICD 3.1.9)."""
        with self._lock:
            self._sent.setdefault(mrn, []).append((message_type, xml))
            self._write({"op": "sent", "mrn": mrn, "type": message_type,
                         "xml": base64.b64encode(xml).decode("ascii")})

    def sent_about(self, mrn: str) -> list[tuple[str, bytes]]:
        """The answers sent about ``mrn`` (type, XML), oldest first."""
        with self._lock:
            return list(self._sent.get(mrn, []))

    def registration(self, mrn: str) -> Registration | None:
        with self._lock:
            return self._filings.get(mrn.strip())

    def find(self, *, sender: str, mrn: str | None = None,
             document: str | None = None) -> list[Registration]:
        """The registrations of ``sender`` with this MRN or naming this master or house
        document (ICD 3.1.9: a consultation returns only what was exchanged with its
        sender)."""
        party = normalise_party(sender)
        doc = normalise_document(document) if document else None
        with self._lock:
            regs = list(self._filings.values())
        out = []
        for r in regs:
            if normalise_party(r.sender) != party:
                continue
            named = {normalise_document(d) for d in (r.master, *r.houses) if d}
            if (mrn and r.mrn == mrn) or (doc and doc in named):
                out.append(r)
        return out
