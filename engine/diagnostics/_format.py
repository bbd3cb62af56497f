"""Human text and JSON-lines renderings of diagnostics."""

from __future__ import annotations

import json

from ._model import Diagnostic


def format_text(d: Diagnostic) -> str:
    return str(d)


def format_json_line(d: Diagnostic) -> str:
    return json.dumps(d.to_dict(), ensure_ascii=False, sort_keys=True)
