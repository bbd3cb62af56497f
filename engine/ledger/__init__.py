"""The ledger: what this engine has filed (LRNs, transport documents), for R3003 and the
likely-code-81 check. ``FilingLedger`` is the protocol; two implementations ship."""

from ._memory import InMemoryLedger
from ._protocol import FilingLedger, normalise_document, normalise_party
from ._sqlite import SqliteLedger

__all__ = [
    "FilingLedger",
    "InMemoryLedger",
    "SqliteLedger",
    "normalise_document",
    "normalise_party",
]
