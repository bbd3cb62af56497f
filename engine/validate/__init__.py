"""Validation of ENS XML: XSD (schema stage) and ICS2 rules and conditions."""

from ._api import EnsValidationError, is_valid, iter_errors, validate, validate_file
from ._schema import MAX_ENS_XML_BYTES, SchemaSet, check_schema, parse_ens_xml
from .rules import RULES, RuleConfig, check_rules

__all__ = [
    "MAX_ENS_XML_BYTES",
    "RULES",
    "EnsValidationError",
    "RuleConfig",
    "SchemaSet",
    "check_rules",
    "check_schema",
    "is_valid",
    "iter_errors",
    "parse_ens_xml",
    "validate",
    "validate_file",
]
