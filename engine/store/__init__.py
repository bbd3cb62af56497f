"""The shipment store: one database behind every run (``docs/store.md``).

``Store.open(url)`` (SQLite file, or PostgreSQL for production) brings the schema to the
current revision; ``store.translate(paths, out)`` runs a batch over it (crash-safe, each window
one transaction, exports through an outbox); ``store.ingest(bytes, name)`` takes one message
at a time and gives the same filings as a batch; ``store.sweep(now)`` takes the decisions due
by the clock; ``store.status(key)`` / ``store.report()`` answer what happened.
"""

from ._exchanges import Alarm, AnswerExchange, OutboxItem, SentExchange
from ._queries import FilingRow
from ._store import IngestResult, MessageOutcome, ShipmentOutcome, Store, translate_to_folder
from ._trader import TraderItem

__all__ = ["Alarm", "AnswerExchange", "FilingRow", "IngestResult", "MessageOutcome",
           "OutboxItem", "SentExchange", "ShipmentOutcome", "Store", "TraderItem",
           "translate_to_folder"]
