"""ICS2 rules and conditions (R3xxx / C3xxx) and goods-description quality (DQxxx) as code.

Checks run on the ENS XML itself (an lxml tree in ``urn:wco:datamodel:eu:ics2:2``), so any
filing can be checked, not only those ensgate made. ``RULES`` lists every check with its id,
title, messages, offline status and evidence; ``docs/ics2-rules.md`` gives the full table.
"""

from ._config import RuleConfig
from ._registry import (
    AIR_AMENDMENTS,
    AIR_FILINGS,
    ARRIVAL,
    RULES,
    LedgerView,
    RuleContext,
    RuleInfo,
)
from ._run import check_rules
from ._stopwords import SHIPPED_STOPWORDS, StopWords, TextVerdict, Verdict, load_stopwords
from ._tables import EU_MEMBER_STATES, NS

__all__ = [
    "AIR_AMENDMENTS",
    "AIR_FILINGS",
    "ARRIVAL",
    "EU_MEMBER_STATES",
    "NS",
    "RULES",
    "SHIPPED_STOPWORDS",
    "LedgerView",
    "RuleConfig",
    "RuleContext",
    "RuleInfo",
    "StopWords",
    "TextVerdict",
    "Verdict",
    "check_rules",
    "load_stopwords",
]
