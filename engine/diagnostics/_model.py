"""The one error model every stage speaks.

A stage never raises on bad *data*: it yields :class:`Diagnostic` records and the caller
decides what is fatal. Each record carries where the problem is in the source message
(:class:`SourcePos`), which mapping rule was running (:class:`RuleRef`), where it lands in the
ENS XML (``xpath``) and what was expected versus found.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Ordered so that ``max()`` over a batch gives the worst one."""

    INFO = 10
    WARNING = 20
    ERROR = 30
    FATAL = 40

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcePos:
    """A place in a source file: file, message index in the file (0-based), line and column
    (1-based, counted in the file), and for segment formats the segment index and byte offset."""

    file: str = ""
    message: int | None = None
    line: int | None = None
    column: int | None = None
    segment: int | None = None
    offset: int | None = None
    xpath: str | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.message is not None:
            parts.append(f"msg {self.message + 1}")
        if self.line is not None:
            parts.append(f"line {self.line}" + (f" col {self.column}" if self.column else ""))
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
        if self.xpath:
            parts.append(self.xpath)
        return ":".join(parts[:1]) + ("" if len(parts) == 1 else " " + ", ".join(parts[1:]))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (
            ("file", self.file), ("message", self.message), ("line", self.line),
            ("column", self.column), ("segment", self.segment), ("offset", self.offset),
            ("xpath", self.xpath)) if v not in (None, "")}


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleRef:
    """A mapping rule: the spec file, the line of the rule in it, and the rule id (the target
    dataset field, or a named rule)."""

    spec: str
    line: int | None = None
    rule_id: str = ""

    def __str__(self) -> str:
        loc = f"{self.spec}:{self.line}" if self.line else self.spec
        return f"{loc} [{self.rule_id}]" if self.rule_id else loc

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "line": self.line, "rule_id": self.rule_id}


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding. ``code`` comes from :mod:`ensgate.diagnostics` ``CATALOGUE``."""

    code: str
    severity: Severity
    message: str
    source: SourcePos | None = None
    rule: RuleRef | None = None
    xpath: str | None = None
    expected: str | None = None
    found: str | None = None
    ics2_rule: str | None = None
    context: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity >= Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
        }
        if self.source is not None:
            out["source"] = self.source.to_dict()
        if self.rule is not None:
            out["rule"] = self.rule.to_dict()
        for key in ("xpath", "expected", "found", "ics2_rule"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.context:
            out["context"] = dict(self.context)
        return out

    def __str__(self) -> str:
        head = f"{self.severity!s:7} {self.code} {self.message}"
        bits = []
        if self.source is not None:
            bits.append(f"at {self.source}")
        if self.rule is not None:
            bits.append(f"rule {self.rule}")
        if self.xpath:
            bits.append(f"xpath {self.xpath}")
        if self.expected is not None or self.found is not None:
            bits.append(f"expected {self.expected!r}, found {self.found!r}")
        return head + ("" if not bits else "\n        " + "; ".join(bits))
