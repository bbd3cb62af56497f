"""Running the registered rules on one ENS filing."""

from __future__ import annotations

from datetime import date

from ensgate.diagnostics import Diagnostic, SourcePos, diag

# The rule modules register their checks when imported: explicit, in this order.
from . import _consignment, _header, _parties, _places, _quality, _transport  # noqa: F401
from ._config import RuleConfig
from ._registry import RULES, LedgerView, RuleContext
from ._tree import Element, local_name

_DEFAULT_CONFIG = RuleConfig()


def check_rules(
    root: Element,
    *,
    message: str | None = None,
    config: RuleConfig | None = None,
    ledger: LedgerView | None = None,
    source_name: str = "",
    message_index: int | None = None,
) -> list[Diagnostic]:
    """Check an ENS filing (an lxml element in ``urn:wco:datamodel:eu:ics2:2``) against every
    registered ICS2 rule, condition and data-quality check that applies to its message.

    ``message`` defaults to the root element's local name (``IE3F26`` ...). A message no rule
    applies to yields no diagnostics. The ledger, when given, adds R3003 (LRN reuse) and the
    likely-code-81 check; it is only read, never written. Bad data never raises: a check that
    fails unexpectedly is reported as RUN001 and the other checks still run.
    """
    if not hasattr(root, "tag") and hasattr(root, "getroot"):
        root = root.getroot()  # an ElementTree was passed
    cfg = config or _DEFAULT_CONFIG
    name = message or local_name(root)
    ctx = RuleContext(root=root, message=name, config=cfg, ledger=ledger,
                      source_name=source_name, message_index=message_index,
                      today=cfg.today or date.today())
    out: list[Diagnostic] = []
    disabled = cfg.disabled_rules
    for info in RULES.values():
        if name not in info.applies_to or info.id in disabled:
            continue
        ctx.rule_id = info.id
        try:
            out.extend(info.check(ctx))
        except Exception as exc:  # a bug in a check must not end the run for other checks
            out.append(diag("RUN001", f"rule {info.id} failed: {exc!r}",
                            source=SourcePos(file=source_name, message=message_index),
                            ics2_rule=info.id))
    return out
