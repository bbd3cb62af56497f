"""Prometheus metrics of one service (``GET /metrics``): counters kept as work happens
(messages in, rejects by code, filings handed over by outcome, answers by type, ingest
latency) and gauges read from the store at each scrape (filings by state, due and overdue
filings), so a restart or another worker's work shows in them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ._ingest import IngestOutcome


class _StoreCollector(Collector):
    def __init__(self, report: Callable[[], dict[str, Any]]) -> None:
        self.report = report

    def collect(self) -> Iterator[GaugeMetricFamily]:
        rep = self.report()
        by_state = GaugeMetricFamily("ensgate_filings", "Filings in the store by state",
                                     labels=["state"])
        for state, n in sorted(rep.get("filings", {}).items()):
            by_state.add_metric([state], n)
        yield by_state
        urgency = [d.get("urgency") for d in rep.get("deadlines") or ()]
        due = GaugeMetricFamily("ensgate_filings_deadline",
                                "Filings not lodged yet that are late (overdue) or at risk "
                                "(due soon)", labels=["urgency"])
        for standing in ("late", "at-risk"):
            due.add_metric([standing], urgency.count(standing))
        yield due
        pend = GaugeMetricFamily("ensgate_shipments_pending", "Shipments waiting for data")
        pend.add_metric([], len(rep.get("pending", ())))
        yield pend


class Metrics:
    """The service's registry (one per service, not the process-global one)."""

    def __init__(self, report: Callable[[], dict[str, Any]] | None = None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter("ensgate_messages_in", "Messages received, by input and "
                                   "what became of them", ["input", "result"], registry=r)
        self.rejects = Counter("ensgate_rejects", "Rejected messages by diagnostic code",
                               ["code"], registry=r)
        self.filings_made = Counter("ensgate_filings_made", "Filings made or remade",
                                    ["filing"], registry=r)
        self.handed = Counter("ensgate_filings_handed", "Filings handed to customs, by "
                              "outcome", ["outcome"], registry=r)
        self.answers = Counter("ensgate_answers", "Customs answers pulled, by type",
                               ["type"], registry=r)
        self.ingest_seconds = Histogram("ensgate_ingest_seconds",
                                        "Time to store and decide one payload", ["input"],
                                        registry=r)
        self.errors = Counter("ensgate_task_errors", "Scheduled tasks that failed",
                              ["task"], registry=r)
        if report is not None:
            r.register(_StoreCollector(report))

    def count_ingest(self, source: str, out: IngestOutcome, seconds: float) -> None:
        self.ingest_seconds.labels(source).observe(seconds)
        for outcome, n in out.outcomes:
            self.messages_in.labels(source, outcome).inc(n)
        if out.duplicates:
            self.messages_in.labels(source, "duplicate").inc(out.duplicates)
        for rej in out.rejects:
            codes = {d.code for d in rej.diagnostics if d.is_error} or {"none"}
            for code in codes:
                self.rejects.labels(code).inc()
        for f in out.filings:
            self.filings_made.labels(f.filing).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
