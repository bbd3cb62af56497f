"""The ledger: what this engine has filed (LRNs, transport documents), for R3003 and the
likely-code-81 check, and the customs answers received per filing. ``FilingLedger`` and
``AnswerLedger`` are the protocols; two implementations ship, each fitting both."""

from ._memory import InMemoryLedger
from ._protocol import (
    AnswerLedger,
    AnswerRecord,
    FilingLedger,
    normalise_document,
    normalise_party,
)
from ._sqlite import SqliteLedger

__all__ = [
    "AnswerLedger",
    "AnswerRecord",
    "FilingLedger",
    "InMemoryLedger",
    "SqliteLedger",
    "normalise_document",
    "normalise_party",
]
