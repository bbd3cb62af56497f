"""Push mode of the simulator: deliver answers to the trader's inbound AS4 endpoint.

A worker thread sends each sealed answer with :class:`As4Client` (two-way TLS, retries with
the same MessageId, receipt checked against what was sent), so the HTTP request that carried
the filing is answered at once and the answer follows asynchronously, as from the real TI.
"""

from __future__ import annotations

import logging
import queue
import threading

import httpx

from ...seal import WireMessage
from ..as4 import As4Client, As4ConnectorError, As4Settings

log = logging.getLogger("ensgate.simulator")


class AnswerPusher:
    """Callable queue: ``pusher(wire)`` enqueues; a thread pushes in order."""

    def __init__(self, settings: As4Settings, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._client = As4Client(settings, transport=transport)
        self._queue: queue.Queue[WireMessage | None] = queue.Queue()
        self.delivered: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self._thread = threading.Thread(target=self._run, name="as4-pusher", daemon=True)
        self._thread.start()

    def __call__(self, wire: WireMessage) -> None:
        self._queue.put(wire)

    def join(self, timeout: float = 30.0) -> None:
        """Wait until everything queued so far was attempted (tests)."""
        done = threading.Event()
        self._queue.put(None)
        self._flush = done
        done.wait(timeout)

    def close(self) -> None:
        self.join()
        self._client.close()

    def _run(self) -> None:
        while True:
            wire = self._queue.get()
            if wire is None:
                flush = getattr(self, "_flush", None)
                if flush is not None:
                    flush.set()
                continue
            try:
                self._client.push(wire)
            except As4ConnectorError as exc:
                self.failed.append((wire.message_id, str(exc)))
                log.error("push of %s failed: %s", wire.message_id, exc)
            else:
                self.delivered.append(wire.message_id)
                log.info("pushed %s, receipt verified", wire.message_id)
