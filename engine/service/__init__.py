"""The service: ensgate running unattended inside an EDI hub (``ensgate serve``,
``docs/deployment.md``). Every input (watched folders, HTTP, a broker) hands its payloads to
:func:`ingest_payload`, which stores them idempotently by content hash."""

import asyncio
from collections.abc import Awaitable, Callable

from ._folders import FolderInput
from ._ingest import FilingMade, IngestOutcome, Rejected, ingest_payload
from ._logs import redact, setup_logging
from ._metrics import Metrics
from ._serve import Health, Input, Service, broker_input
from ._settings import ServeSettings, load_settings


def http_task(service: Service) -> Callable[[asyncio.Event], Awaitable[None]]:
    """The HTTP API as a service task (imports FastAPI only when asked for)."""
    from ._http import http_task as task

    return task(service)


__all__ = ["FilingMade", "FolderInput", "Health", "IngestOutcome", "Input", "Metrics",
           "Rejected", "ServeSettings", "Service", "broker_input", "http_task",
           "ingest_payload", "load_settings", "redact", "setup_logging"]
