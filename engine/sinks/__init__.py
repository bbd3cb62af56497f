"""Event sinks (``sinks:`` in the configuration, docs/configuration.md): every state change
the store records (its events table: filings registered with their MRN, Do-Not-Load,
requests, shipments pending or filed...) goes to JSON-lines files and webhooks, so legacy
systems learn of it. Delivery goes through an outbox in the store (a cursor per sink, moved
after delivery): at least once, in order, with the event id as idempotency key."""

from ._deliver import LEASE, SinkReport, deliver_events, sinks_of
from ._targets import JsonlSink, Sink, WebhookSink, build_sink, line_of

__all__ = ["LEASE", "JsonlSink", "Sink", "SinkReport", "WebhookSink", "build_sink",
           "deliver_events", "line_of", "sinks_of"]
