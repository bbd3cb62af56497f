"""ensgate: legacy air-cargo messages to validated EU ICS2 Entry Summary Declarations.

The public API is what ``__all__`` lists; everything else lives in private modules and may
change. A typical use::

    from ensgate import translate, TranslateOptions
    result = translate(["samples/"])
    # validation alone: from ensgate.validate import validate, iter_errors, is_valid
    for filing in result.filings:
        print(filing.lrn, filing.filing)
"""

from ._version import __version__
from .config import EnsgateConfig, PartyConfig, load_config
from .diagnostics import (
    ConfigError,
    Diagnostic,
    EnsgateError,
    RuleRef,
    Severity,
    SourcePos,
    SpecError,
)
from .mapping import Lineage
from .mapping._spec import MappingSpec, compile_spec, load_spec
from .pipeline import (
    BatchResult,
    Filing,
    Reject,
    TranslateOptions,
    translate,
    translate_bytes,
    write_batch,
)
from .validate import EnsValidationError

_LAZY = {"Store": "ensgate.store", "IngestResult": "ensgate.store",
         "translate_to_folder": "ensgate.store"}


def __getattr__(name: str) -> object:
    """The store's names load SQLAlchemy on first use, not with ``import ensgate``."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ensgate' has no attribute {name!r}")


__all__ = [
    "BatchResult",
    "ConfigError",
    "Diagnostic",
    "EnsValidationError",
    "EnsgateConfig",
    "EnsgateError",
    "Filing",
    "IngestResult",
    "Lineage",
    "MappingSpec",
    "PartyConfig",
    "Reject",
    "RuleRef",
    "Severity",
    "SourcePos",
    "SpecError",
    "Store",
    "TranslateOptions",
    "__version__",
    "compile_spec",
    "load_config",
    "load_spec",
    "translate",
    "translate_bytes",
    "translate_to_folder",
    "write_batch",
]
