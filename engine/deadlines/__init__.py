"""When ENS filings are due (``docs/deadlines.md``): rules as data (``deadlines.yaml``, after
Delegated Regulation (EU) 2015/2446 Art. 106 and the ICD's pre-loading / pre-arrival filing
types), applied to a filing's flight times. ``due_for(filing, transport)`` gives the due
time; ``urgency(due_at, now, at_risk)`` says late or at risk."""

from ._rules import (
    DeadlineRule,
    Deadlines,
    Due,
    default_deadlines,
    due_for,
    parse_deadlines,
    parse_duration,
    parse_time,
    urgency,
)

__all__ = [
    "DeadlineRule",
    "Deadlines",
    "Due",
    "default_deadlines",
    "due_for",
    "parse_deadlines",
    "parse_duration",
    "parse_time",
    "urgency",
]
