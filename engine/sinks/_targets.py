"""The two kinds of sink: a JSON-lines file and a webhook. Each takes a batch of event
records and says how many of them it delivered (from the first, in order)."""

from __future__ import annotations

import json
import logging
import os
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from ..config import SinkConfig

log = logging.getLogger("ensgate.sinks")


class Sink(Protocol):
    name: str
    batch: int  # events per delivery (and per cursor commit)

    def deliver(self, records: Sequence[dict[str, Any]]) -> tuple[int, str]:
        """Deliver ``records`` in order: (how many were delivered, the error that stopped
        the rest or "")."""
        ...


def line_of(record: dict[str, Any]) -> bytes:
    """One event as one JSON line (sorted keys: the same event gives the same bytes)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode() + b"\n"


@dataclass(slots=True, kw_only=True)
class JsonlSink:
    """Appends one line per event to ``path``. Each batch is one ``write`` to a file opened
    for appending, then ``fsync``: a killed process leaves whole lines. The file is its own
    second cursor: events whose id is not above the last line's are not written again (a
    crash between the write and the store's commit writes nothing twice), and a torn last
    line (a power loss mid-write) is cut off before appending."""

    name: str
    path: Path
    batch: int = 500

    def deliver(self, records: Sequence[dict[str, Any]]) -> tuple[int, str]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            last = self._last_id()
            fresh = [r for r in records if int(r["id"]) > last]
            if fresh:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    data = b"".join(line_of(r) for r in fresh)
                    while data:
                        done = os.write(fd, data)
                        data = data[done:]
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            return 0, f"{self.path}: {exc.strerror or exc}"
        return len(records), ""

    def _last_id(self) -> int:
        """The id of the file's last complete line (0: empty or none); cuts a torn tail."""
        try:
            with self.path.open("rb+") as f:
                size = f.seek(0, os.SEEK_END)
                if size == 0:
                    return 0
                chunk = min(size, 65536)
                f.seek(size - chunk)
                tail = f.read(chunk)
                if not tail.endswith(b"\n"):
                    cut = tail.rfind(b"\n")
                    keep = size - chunk + cut + 1 if cut >= 0 else 0
                    log.warning("sink %s: torn last line of %s cut (%d bytes)", self.name,
                                self.path, size - keep)
                    f.truncate(keep)
                    os.fsync(f.fileno())
                    tail = tail[:cut + 1] if cut >= 0 else b""
                lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
                if not lines[-1]:
                    return 0
                return int(json.loads(lines[-1])["id"])
        except FileNotFoundError:
            return 0


@dataclass(slots=True, kw_only=True)
class WebhookSink:
    """POSTs each event as JSON to ``url``, with its event id as ``Idempotency-Key`` (and in
    the body): delivery is at least once, the receiver drops repeats by that key. A 2xx is
    delivered; a timeout, a connection error, 408, 429 or 5xx is retried ``retries`` times
    with doubling backoff; anything else (or running out of retries) stops the batch, to be
    tried again at the next call (events are delivered in order, none skipped)."""

    name: str
    url: str
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    verify: Any = True
    sleep: Callable[[float], None] = time.sleep
    client: httpx.Client | None = None
    batch: int = 50  # the cursor is committed after each 50 events: a crash resends <= 50

    def deliver(self, records: Sequence[dict[str, Any]]) -> tuple[int, str]:
        if self.client is None:  # one client (kept-alive connection) for the sink's calls
            self.client = httpx.Client(timeout=self.timeout, verify=self.verify)
        for n, record in enumerate(records):
            error = self._post(self.client, record)
            if error:
                return n, error
        return len(records), ""

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def _post(self, client: httpx.Client, record: dict[str, Any]) -> str:
        headers = {**self.headers, "Content-Type": "application/json",
                   "Idempotency-Key": f"ensgate-event-{record['id']}"}
        body = line_of(record)[:-1]
        wait = self.backoff
        error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(wait)
                wait = min(wait * 2, self.max_backoff)
            try:
                answer = client.post(self.url, content=body, headers=headers,
                                     timeout=self.timeout)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if 200 <= answer.status_code < 300:
                return ""
            error = f"HTTP {answer.status_code}"
            if answer.status_code not in (408, 429) and answer.status_code < 500:
                break  # refused: retrying now will not help
        log.warning("sink %s: event %s not delivered to %s: %s", self.name, record["id"],
                    self.url, error)  # the headers (credentials) are never logged
        return error


def build_sink(conf: SinkConfig, *, base: Path | None = None) -> Sink:
    """The sink a ``sinks:`` entry describes (a relative path is taken from ``base``)."""
    if conf.kind == "jsonl":
        path = Path(conf.path or "")
        return JsonlSink(name=conf.name, path=path if path.is_absolute() or base is None
                         else base / path)
    verify: Any = True  # the system's trust store
    if conf.ca:
        verify = ssl.create_default_context(cafile=conf.ca)
    return WebhookSink(name=conf.name, url=conf.url or "", timeout=conf.timeout,
                       retries=conf.retries, backoff=conf.backoff,
                       max_backoff=conf.max_backoff, headers=dict(conf.headers),
                       verify=verify)
