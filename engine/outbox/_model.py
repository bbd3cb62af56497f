"""What ``file`` and ``pull`` did, as results (frozen, for the CLI and the API)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..store import Alarm, AnswerExchange

#: Exit code of ``file``, ``pull``, ``report`` and ``rehearse`` while an alarm is open
#: (do-not-load, screening requested): it wins over every other outcome.
EXIT_ALARM = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Handed:
    """One filing handed over. ``outcome``: ``receipt`` (acknowledged), ``refused`` (ebMS
    error, receipt mismatch: the filing is rejected), ``unreachable`` (transport failure after
    the retries: it stays in flight and the next run sends it again with the same
    MessageId), ``changed`` (remade or claimed by another run between reading and claiming
    it: not sent), ``not-tried`` (the endpoint failed earlier in this run)."""

    lrn: str
    filing: str
    message_id: str
    outcome: str
    detail: str = ""
    resent: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FileReport:
    handed: tuple[Handed, ...]
    alarms: tuple[Alarm, ...]
    seconds: float

    def counts(self) -> dict[str, int]:
        return dict(Counter(h.outcome for h in self.handed))


@dataclass(frozen=True, slots=True, kw_only=True)
class Pulled:
    """One answer fetched: its type, MessageId, what it refers to, and whether it was new
    (``fresh``; a duplicate delivery is recorded once) and matched a filing."""

    action: str
    message_id: str
    ref_to_message_id: str | None
    lrn: str | None
    mrn: str | None
    errors: tuple[str, ...]
    fresh: bool
    matched: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PullReport:
    pulled: tuple[Pulled, ...]
    unmatched: tuple[AnswerExchange, ...]  # every answer in the store that matches no filing
    alarms: tuple[Alarm, ...]
