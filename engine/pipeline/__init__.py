"""The batch pipeline: files in, ENS filings and rejects out (in memory here; kept and
joined over time by the shipment store, ``ensgate.store``)."""

from ._batch import (
    BatchResult,
    Filing,
    NotSubject,
    PendingShipment,
    Reject,
    TranslateOptions,
    translate_bytes,
    translate_messages,
)
from ._enrich import Enrichment
from ._inputs import iter_input_files, read_file, read_messages
from ._output import summarise, write_atomic, write_batch
from ._policy import FLIGHT_TIMES, HOUSE_DATA, Decision, Policy, Schedule
from ._sources import MessageCache, SourcePiece
from ._state import (
    ALARM_FILING_STATES,
    FILING_STATES,
    MESSAGE_OUTCOMES,
    SENT_FILING_STATES,
    SHIPMENT_STATES,
    UNSENT_FILING_STATES,
    MemoryState,
    UnitState,
)
from ._stream import iter_pieces, iter_source_pieces, plan_pieces, translate
from ._unit import Unit, UnitReport

__all__ = [
    "ALARM_FILING_STATES",
    "FILING_STATES",
    "FLIGHT_TIMES",
    "HOUSE_DATA",
    "MESSAGE_OUTCOMES",
    "SENT_FILING_STATES",
    "SHIPMENT_STATES",
    "UNSENT_FILING_STATES",
    "BatchResult",
    "Decision",
    "Enrichment",
    "Filing",
    "MemoryState",
    "MessageCache",
    "NotSubject",
    "PendingShipment",
    "Policy",
    "Reject",
    "Schedule",
    "SourcePiece",
    "TranslateOptions",
    "Unit",
    "UnitReport",
    "UnitState",
    "iter_input_files",
    "iter_pieces",
    "iter_source_pieces",
    "plan_pieces",
    "read_file",
    "read_messages",
    "summarise",
    "translate",
    "translate_bytes",
    "translate_messages",
    "write_atomic",
    "write_batch",
]
