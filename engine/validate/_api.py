"""The three verbs of validation, as in xmlschema: ``iter_errors`` yields every finding
lazily, ``validate`` raises the first error, ``is_valid`` answers yes or no. One engine:
hardened parse -> XSD -> ICS2 rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..diagnostics import Diagnostic, EnsgateError
from ._schema import SchemaSet, check_schema, parse_ens_xml
from .rules import RuleConfig, check_rules


class EnsValidationError(EnsgateError):
    """Raised by :func:`validate` with the first error found (``diagnostic``)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


def iter_errors(data: bytes, *, source_name: str = "", schemas: SchemaSet | None = None,
                config: RuleConfig | None = None) -> Iterator[Diagnostic]:
    """Every diagnostic for an ENS document (errors and warnings), in pipeline order."""
    tree, diags = parse_ens_xml(data, source_name=source_name)
    yield from diags
    if tree is None:
        return
    yield from check_schema(tree, schemas=schemas, source_name=source_name)
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    yield from check_rules(root, config=config, source_name=source_name)


def validate(data: bytes, **kwargs: object) -> None:
    """Raise :class:`EnsValidationError` for the first error; warnings do not raise."""
    for d in iter_errors(data, **kwargs):  # type: ignore[arg-type]
        if d.is_error:
            raise EnsValidationError(d)


def is_valid(data: bytes, **kwargs: object) -> bool:
    return not any(d.is_error for d in iter_errors(data, **kwargs))  # type: ignore[arg-type]


def validate_file(path: Path, *,
                  postcode_optional: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """All diagnostics for one ENS XML file (unreadable file -> one SRC001)."""
    from ..diagnostics import SourcePos, diag

    try:
        data = path.read_bytes()
    except OSError as exc:
        return [diag("SRC001", f"cannot read file: {exc.strerror}",
                     source=SourcePos(file=str(path)))]
    config = RuleConfig(postcode_optional_countries=postcode_optional)
    return list(iter_errors(data, source_name=str(path), config=config))
