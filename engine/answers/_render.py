"""Answer XML from the Jinja templates in ``ensgate.templates`` (IE3R01.xml.j2 ...).

Jinja, like the ENS filings, rather than lxml builders: the element trees stay readable as
XML next to the filing templates, share their macros (date-time wrapper, transport document),
and a deployment can override one answer with its own template folder. Values are escaped
(autoescape) and a missing name fails loudly (StrictUndefined), as in ``ensgate.render``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..render import template_environment
from ._model import ANSWER_TYPES


class AnswerRenderer:
    """Renders one answer message; ``template_dir`` is searched before the packaged templates.
    Build one per process (templates are compiled once and cached by Jinja)."""

    def __init__(self, *, template_dir: str | Path | None = None) -> None:
        # the filings' environment: same escaping, strictness and macros (pretty output here)
        self._env = template_environment(template_dir, pretty=True)

    def render(self, message_type: str, **context: Any) -> bytes:
        """UTF-8 XML of ``message_type`` (one of ``ANSWER_TYPES``) with ``context`` as the
        template's names. ValueError for a message type without a template."""
        if message_type not in ANSWER_TYPES:
            raise ValueError(f"no answer template for {message_type!r}; "
                             f"known: {', '.join(ANSWER_TYPES)}")
        template = self._env.get_template(f"{message_type}.xml.j2")
        return template.render(**context).encode("utf-8")
