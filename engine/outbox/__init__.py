"""The outbox: hand the store's due filings to customs and bring their answers back
(``ensgate file``, ``ensgate pull``, ``ensgate rehearse``; ``docs/filing.md``).

``file_due(store, connector)`` seals and submits every ready filing in due order and sends
again what a crash left in flight, with the same MessageId; ``pull_answers(store, connector)``
fetches every answer, records it before acknowledging it, and moves the filings on. Open
alarms (do-not-load, screening requested) come back with each report; the CLI exits
:data:`EXIT_ALARM` while one is open.
"""

from ._actions import (
    Queued,
    queue_arrival,
    queue_information_answer,
    queue_invalidation,
    queue_screening_answer,
)
from ._alarms import describe_alarm
from ._file import file_due
from ._model import EXIT_ALARM, FileReport, Handed, Pulled, PullReport
from ._pull import pull_answers
from ._rehearse import Rehearsal, rehearse
from ._trader import file_trader_messages

__all__ = [
    "EXIT_ALARM",
    "FileReport",
    "Handed",
    "PullReport",
    "Pulled",
    "Queued",
    "Rehearsal",
    "describe_alarm",
    "file_due",
    "file_trader_messages",
    "pull_answers",
    "queue_arrival",
    "queue_information_answer",
    "queue_invalidation",
    "queue_screening_answer",
    "rehearse",
]
