"""The rule registry: each ICS2 rule, condition or data-quality check is a small function
registered explicitly, with its id, title, the messages it applies to and how far it can be
checked offline.

Registration is explicit (``@rule(...)``) and happens when the rule modules are imported by
``_run.py``; nothing is discovered by magic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, Protocol, TypeVar, cast

from ensgate.diagnostics import Diagnostic, Severity, SourcePos, diag

from ._config import RuleConfig
from ._tree import Element, FilingIndex, SiblingPositions, readable_xpath

Offline = Literal["yes", "local store", "partly"]
_T = TypeVar("_T")


class LedgerView(Protocol):
    """What the rules read from the filing ledger (``ensgate.ledger.FilingLedger`` fits; the
    validate stage does not import the ledger package, which comes later in the pipeline)."""

    def lrn_used(self, declarant: str, lrn: str) -> bool: ...

    def document_used(self, declarant: str, number: str, *,
                      since: datetime | None = None) -> bool: ...


# -- message families (from the rule placement in dictionary/*.yaml) ------------------------
AIR_FILINGS: frozenset[str] = frozenset(
    {"IE3F20", "IE3F21", "IE3F22", "IE3F23", "IE3F24", "IE3F25", "IE3F26", "IE3F27", "IE3F28",
     "IE3F29", "IE3F32"}
)
"""The air ENS filings sent by economic operators (ICD v3.30)."""
ARRIVAL: frozenset[str] = frozenset({"IE3N06"})
"""The arrival notification."""
AIR_AMENDMENTS: frozenset[str] = frozenset(
    {"IE3A20", "IE3A21", "IE3A22", "IE3A23", "IE3A24", "IE3A26", "IE3A27", "IE3A28", "IE3A29",
     "IE3A32"}
)
"""Amendments of the air filings (only R3004 is run on them; no IE3A25 exists)."""
FULL_TRANSPORT: frozenset[str] = frozenset({"IE3F20", "IE3F21", "IE3F27", "IE3F28", "IE3F29"})
"""Filings whose active border transport means carries flight, routing and dates."""
MASTER_TRADE: frozenset[str] = frozenset({"IE3F20", "IE3F21", "IE3F27"})
"""Complete filings with master-level goods items, consignor/consignee, place of delivery."""
HOUSE_PLACES: frozenset[str] = frozenset(
    {"IE3F20", "IE3F22", "IE3F26", "IE3F27", "IE3F28", "IE3F29"}
)
"""Filings with house-level places of acceptance/delivery and routing of the consignment."""
HOUSE_DOCS: frozenset[str] = AIR_FILINGS - {"IE3F21"}
"""Filings with house consignments (IE3F21 is master-AWB only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleInfo:
    """One registered check. ``evidence`` uses the labels of rules.md ([V], [V-3p], [I])."""

    id: str
    title: str
    applies_to: frozenset[str]
    offline: Offline
    evidence: str
    codes: tuple[str, ...]
    check: Callable[[RuleContext], Iterable[Diagnostic]]


_RULES: dict[str, RuleInfo] = {}
RULES: Mapping[str, RuleInfo] = MappingProxyType(_RULES)
"""Every registered check by id, in registration order (read-only)."""


def rule(
    rule_id: str,
    *,
    title: str,
    applies_to: frozenset[str],
    offline: Offline = "yes",
    evidence: str = "[V]",
    codes: tuple[str, ...] = ("ICS001",),
) -> Callable[[Callable[[RuleContext], Iterable[Diagnostic]]],
              Callable[[RuleContext], Iterable[Diagnostic]]]:
    """Register ``fn`` as the check for ``rule_id`` (an id may be registered only once)."""

    def register(
        fn: Callable[[RuleContext], Iterable[Diagnostic]],
    ) -> Callable[[RuleContext], Iterable[Diagnostic]]:
        if rule_id in _RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        _RULES[rule_id] = RuleInfo(id=rule_id, title=title, applies_to=applies_to,
                                   offline=offline, evidence=evidence, codes=codes, check=fn)
        return fn

    return register


class RuleContext:
    """What a rule sees: the filing, its message name, the config, the ledger, and a helper
    that turns a finding on an element into a :class:`Diagnostic` with path and source line."""

    __slots__ = ("_memo", "_positions", "config", "index", "ledger", "message",
                 "message_index", "root", "rule_id", "source_name", "today")

    def __init__(self, *, root: Element, message: str, config: RuleConfig,
                 ledger: LedgerView | None, source_name: str, message_index: int | None,
                 today: date) -> None:
        self.root = root
        self.message = message
        self.config = config
        self.ledger = ledger
        self.source_name = source_name
        self.message_index = message_index
        self.today = today
        self.index = FilingIndex(root)
        self.rule_id = ""
        self._memo: dict[str, Any] = {}
        self._positions = SiblingPositions()

    def memo(self, key: str, compute: Callable[[], _T]) -> _T:
        """A value shared by several rules of one run (e.g. the party addresses), computed
        once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(_T, self._memo[key])

    def fail(
        self,
        code: str,
        element: Element,
        message: str,
        *,
        expected: object = None,
        found: object = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A diagnostic for the running rule, pointing at ``element``."""
        return diag(
            code,
            message,
            severity=severity,
            source=SourcePos(file=self.source_name, message=self.message_index,
                             line=_line(element)),
            xpath=readable_xpath(element, self._positions),
            expected=expected,
            found=found,
            ics2_rule=self.rule_id,
        )


def _line(element: Element) -> int | None:
    """Source line of the element, else of its nearest ancestor that has one (elements added
    to a tree after parsing have none)."""
    current = element
    while current is not None:
        line = current.sourceline
        if line:
            return int(line)
        current = current.getparent()
    return None
