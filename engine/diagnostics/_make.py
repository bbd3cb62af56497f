"""Building diagnostics from the catalogue, and the few exceptions ensgate raises.

Exception tree (bad *data* never raises; these are for unusable set-up)::

    EnsgateError
    ├── ConfigError        configuration file or environment is unusable
    └── SpecError          a mapping spec is unusable (carries its diagnostics)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._catalogue import CATALOGUE
from ._model import Diagnostic, RuleRef, Severity, SourcePos


def diag(
    code: str,
    message: str | None = None,
    *,
    severity: Severity | None = None,
    source: SourcePos | None = None,
    rule: RuleRef | None = None,
    xpath: str | None = None,
    expected: Any = None,
    found: Any = None,
    ics2_rule: str | None = None,
    **context: Any,
) -> Diagnostic:
    """Make a :class:`Diagnostic` for a catalogued ``code``; the title is the default text."""
    info = CATALOGUE[code]
    return Diagnostic(
        code=code,
        severity=info.severity if severity is None else severity,
        message=message or info.title,
        source=source,
        rule=rule,
        xpath=xpath,
        expected=None if expected is None else str(expected),
        found=None if found is None else str(found),
        ics2_rule=ics2_rule,
        context=tuple((k, str(v)) for k, v in context.items()),
    )


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity >= Severity.ERROR for d in diagnostics)


class EnsgateError(Exception):
    """Base of every exception ensgate raises on purpose."""


class ConfigError(EnsgateError):
    """The configuration cannot be used."""


class SpecError(EnsgateError):
    """A mapping spec cannot be used; ``diagnostics`` says why, with spec file and line."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
