"""``ensgate worker``: consume a RabbitMQ queue into a shared store with N processes (thin:
the work is in ``ensgate.connectors.broker``, ``docs/broker.md``)."""

from __future__ import annotations

import sys

import click


@click.command("worker")
@click.option("--broker", "broker_url", metavar="URL",
              help="RabbitMQ URL (amqp://user:pass@host:5672/vhost); default: serve.broker.")
@click.option("--store", "store_url", metavar="URL",
              help="The shared store (postgresql+psycopg://...; default: the configuration's "
                   "store); SQLite only for one worker.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes on this machine (default: one per core).")
@click.option("--queue", default="ensgate.in", show_default=True,
              help="Input queue (durable quorum queue; <queue>.dead is its dead-letter queue).")
@click.option("--dead-exchange", default="ensgate.dead", show_default=True,
              help="Direct exchange routing what cannot be processed to <queue>.dead.")
@click.option("--events-exchange", default="ensgate.events", show_default=True,
              help="Topic exchange the store's events are published to ('' for none).")
@click.option("--prefetch", type=click.IntRange(min=1), default=8, show_default=True,
              help="Deliveries a worker holds unacknowledged at most.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=4 << 20, show_default=True,
              help="A message body larger than this is dead-lettered (SRC002).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration file.")
def worker_cmd(broker_url: str | None, store_url: str | None, workers: int | None, queue: str,
               dead_exchange: str, events_exchange: str, prefetch: int, max_bytes: int,
               config_path: str | None) -> None:
    """Consume legacy messages from a RabbitMQ queue into the store, N processes sharing it;
    each message is acknowledged after the store committed it. Stops on SIGTERM/SIGINT."""
    from .config import load_config
    from .connectors.broker import BrokerSettings, run_workers
    from .diagnostics import EnsgateError
    from .service import load_settings

    try:
        store_url = store_url or load_config(config_path).store
        broker_url = broker_url or load_settings(config_path).broker
    except EnsgateError as exc:
        click.echo(f"ensgate: {exc}", err=True)
        sys.exit(2)
    if not broker_url or not store_url:
        click.echo("error: a broker (--broker or serve.broker) and a store (--store or store:)"
                   " are needed", err=True)
        sys.exit(2)
    if workers and workers > 1 and store_url.startswith("sqlite"):
        click.echo("error: several workers need a PostgreSQL store", err=True)
        sys.exit(2)
    settings = BrokerSettings(url=broker_url, queue=queue, dead_exchange=dead_exchange,
                              events_exchange=events_exchange,
                              prefetch=prefetch, max_bytes=max_bytes)
    sys.exit(run_workers(settings, store_url, workers=workers, config_path=config_path))


BROKER_COMMANDS = [worker_cmd]
