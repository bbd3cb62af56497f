"""The service: ensgate running unattended inside an EDI hub (``ensgate serve``,
``docs/deployment.md``). Every input (watched folders, HTTP, a broker) hands its payloads to
:func:`ingest_payload`, which stores them idempotently by content hash."""

from ._ingest import FilingMade, IngestOutcome, Rejected, ingest_payload

__all__ = ["FilingMade", "IngestOutcome", "Rejected", "ingest_payload"]
