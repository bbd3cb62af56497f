"""The service's logs: one JSON object a line when stderr is not a terminal (a journal, a
container log), plain text on a terminal. Each line carries the shipment key, LRN, AS4
MessageId and file when the record has them (``extra={"key": ..., "lrn": ...}``).

No secret reaches a line: passwords in URLs (``scheme://user:PASSWORD@host``) are masked and
every value registered with :func:`redact` (API keys, broker and store passwords) is
replaced by ``***`` in the message and in the fields, whatever logger wrote it."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s]+)(@)", re.I)
_FIELDS = ("key", "lrn", "message_id", "file", "input", "sink")
_SECRETS: set[str] = set()


def redact(secret: str) -> None:
    """Never write ``secret`` to a log line (short values are not registered: they would
    mask ordinary words)."""
    if len(secret) >= 6:
        _SECRETS.add(secret)


def scrub(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1***\3", text)
    for s in _SECRETS:
        if s in text:
            text = text.replace(s, "***")
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": scrub(record.getMessage())}
        for f in _FIELDS:
            value = getattr(record, f, None)
            if value:
                out[f] = scrub(str(value))
        if record.exc_info:
            out["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{f}={getattr(record, f)}" for f in _FIELDS
                          if getattr(record, f, None))
        line = f"{record.levelname.lower():7} {record.name}: {record.getMessage()}"
        if fields:
            line += f"  [{fields}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


def setup_logging(stream: TextIO | None = None, *, json_lines: bool | None = None,
                  level: int = logging.INFO) -> logging.Handler:
    """One handler on the root logger: JSON lines unless ``stream`` is a terminal."""
    target = stream or sys.stderr
    as_json = not target.isatty() if json_lines is None else json_lines
    handler = logging.StreamHandler(target)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_ensgate", False)]:
        root.removeHandler(old)
    handler._ensgate = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
