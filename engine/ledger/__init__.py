"""The ledger protocols: what has been filed (LRNs, transport documents), for R3003 and the
likely-code-81 check, and the customs answers received per filing. ``FilingLedger`` and
``AnswerLedger`` are the protocols; :class:`InMemoryLedger` fits both (the ICS2 simulator's
registry, in-memory runs). The trader's own record is the shipment store (``ensgate.store``),
which answers the same questions from its filings (an LRN is used once its filing was sent)."""

from ._memory import InMemoryLedger
from ._protocol import (
    AnswerLedger,
    AnswerRecord,
    FilingLedger,
    normalise_document,
    normalise_party,
)

__all__ = [
    "AnswerLedger",
    "AnswerRecord",
    "FilingLedger",
    "InMemoryLedger",
    "normalise_document",
    "normalise_party",
]
