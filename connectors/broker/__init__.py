"""RabbitMQ in and out (aio-pika, ``docs/broker.md``): ``BrokerInput`` consumes legacy
messages from a durable queue into the shipment store, acknowledging each only after the
store committed it, and dead-letters what cannot be processed with its diagnostics;
``AmqpEventSink`` publishes the store's events to a topic exchange with publisher confirms;
``run_workers`` is ``ensgate worker``: N processes sharing the queue and a PostgreSQL store.
"""

from ._events import AmqpEventSink
from ._input import BrokerInput, BrokerSettings, Disposition, declare_topology
from ._worker import run_workers, worker_main

__all__ = ["AmqpEventSink", "BrokerInput", "BrokerSettings", "Disposition",
           "declare_topology", "run_workers", "worker_main"]
