"""``ensgate serve``: run unattended (thin: the work is in ``ensgate.service``;
``docs/deployment.md``)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import click

from .diagnostics import EnsgateError


@click.command("serve")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration YAML (store:, sinks:, and the serve: section).")
@click.option("--store", metavar="URL", help="Shipment store (default: the configuration's).")
@click.option("--http", metavar="HOST:PORT", help="Serve the HTTP API here (serve.http).")
@click.option("--watch", multiple=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Watch this folder for files (repeatable; serve.watch).")
@click.option("--broker", metavar="URL", help="Consume legacy messages from this broker "
                                              "(serve.broker).")
def serve_cmd(config_path: str | None, store: str | None, http: str | None,
              watch: tuple[str, ...], broker: str | None) -> None:
    """Run until SIGTERM: ingest from the inputs, file what is due, pull answers, deliver
    events, answer health and metrics. Stopping finishes the work in hand; a restart
    resumes from the store."""
    from .config import load_config
    from .service import load_settings, setup_logging
    from .store import Store

    setup_logging()
    try:
        config = load_config(config_path)
        settings = load_settings(config_path).with_options(http=http, watch=watch,
                                                           broker=broker)
        db = Store.open(store or config.store or "sqlite:///ensgate.db", config=config)
    except EnsgateError as exc:
        click.echo(f"ensgate: {exc}", err=True)
        raise SystemExit(2) from None
    try:
        connector = None
        if settings.endpoint:
            from .connectors import get_connector

            connector = get_connector(
                "as4", endpoint=settings.endpoint, certs=settings.certs or Path("certs"),
                party_id=settings.party_id, store=db, customs_seal=settings.customs_seal)
        asyncio.run(_serve(db, settings, connector))
    except EnsgateError as exc:
        click.echo(f"ensgate: {exc}", err=True)
        raise SystemExit(2) from None
    finally:
        db.close()


async def _serve(db: object, settings: object, connector: object) -> None:
    from .service import Service, http_task

    service = Service(db, settings, connector=connector)  # type: ignore[arg-type]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.stop.set)
    extra = () if service.settings.http is None else (http_task(service),)
    await service.run(extra)


@click.group("apikey")
def apikey_group() -> None:
    """Keys of the HTTP API (the store keeps their sha256 only)."""


@apikey_group.command("add")
@click.argument("name")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--store", metavar="URL", help="Shipment store (default: the configuration's).")
def apikey_add(name: str, config_path: str | None, store: str | None) -> None:
    """Make a key for NAME and print it: the only time it is shown."""
    from .config import load_config
    from .store import Store

    try:
        config = load_config(config_path)
        with Store.open(store or config.store or "sqlite:///ensgate.db", config=config) as db:
            click.echo(db.add_api_key(name))
    except EnsgateError as exc:
        click.echo(f"ensgate: {exc}", err=True)
        raise SystemExit(2) from None


@apikey_group.command("revoke")
@click.argument("name")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--store", metavar="URL", help="Shipment store (default: the configuration's).")
def apikey_revoke(name: str, config_path: str | None, store: str | None) -> None:
    """Revoke NAME's key."""
    from .config import load_config
    from .store import Store

    config = load_config(config_path)
    with Store.open(store or config.store or "sqlite:///ensgate.db", config=config) as db:
        if not db.revoke_api_key(name):
            click.echo(f"ensgate: no valid key named {name!r}", err=True)
            raise SystemExit(1)


SERVE_COMMANDS = [serve_cmd, apikey_group]
