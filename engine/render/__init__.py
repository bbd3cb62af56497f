"""Render: ENS dataset -> ENS XML, one Jinja template per filing type (``ensgate.templates``).

Templates hold no business logic (structure, loops and presence tests only): every value is
decided by the mapping stage. A missing mandatory value renders nothing, so the schema stage
reports it with its XPath.
"""

from ._filings import FILINGS, FilingInfo, normalise_filing_code
from ._renderer import Renderer, RenderError, template_environment

__all__ = [
    "FILINGS",
    "FilingInfo",
    "RenderError",
    "Renderer",
    "normalise_filing_code",
    "template_environment",
]
