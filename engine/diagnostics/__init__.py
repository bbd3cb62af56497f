"""Diagnostics: the one error model of ensgate (imported by every stage, importing none)."""

from ._cascade import collapse_cascades
from ._catalogue import CATALOGUE, CodeInfo
from ._format import format_json_line, format_text
from ._make import ConfigError, EnsgateError, SpecError, diag, has_errors
from ._model import Diagnostic, RuleRef, Severity, SourcePos

__all__ = [
    "CATALOGUE",
    "CodeInfo",
    "ConfigError",
    "Diagnostic",
    "EnsgateError",
    "RuleRef",
    "Severity",
    "SourcePos",
    "SpecError",
    "collapse_cascades",
    "diag",
    "format_json_line",
    "format_text",
    "has_errors",
]
