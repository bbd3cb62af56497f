"""``ensgate file``, ``ensgate pull``: the store's outbox over AS4 (thin: the work is in
``ensgate.outbox``; ``rehearse`` runs the whole path against an in-process simulator).

Exit codes: 0 done, 1 something was refused (ebMS error, IE3N99), 2 usage or configuration
error, 3 endpoint unreachable or TLS failure (what was in flight stays so, and the next run
sends it again with the same MessageId), 4 an alarm is open (do-not-load, screening
requested): it wins over every other code.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from .cli_as4 import _connector, _connector_options, _fail, _show_answer
from .diagnostics import EnsgateError


def _open_store(url: str | None, config_path: str | None = None) -> Any:
    from .config import load_config
    from .store import Store

    try:
        config = load_config(config_path)
        store = Store.open(url or config.store or "sqlite:///ensgate.db", config=config)
    except EnsgateError as exc:
        _fail(str(exc), 2)
        raise  # unreachable
    click.get_current_context().call_on_close(store.close)
    return store


def deliver_to_sinks(store: Any) -> None:
    """Hand the state changes recorded so far to the configured sinks (``sinks:``); a sink
    that fails keeps its events for the next run (said on stderr, the exit code unchanged)."""
    from .sinks import deliver_events

    for r in deliver_events(store):
        if r.error:
            click.echo(f"ensgate: sink {r.sink}: {r.delivered} event(s) delivered, then "
                       f"{r.error}; the rest is kept for the next run", err=True)


_config_option = click.option(
    "--config", "config_path", type=click.Path(exists=True, dir_okay=False),
    help="Site configuration YAML (its store: and sinks:).")


def print_alarms(alarms: Iterable[Any]) -> bool:
    """Print each open alarm on stderr and stdout; True when there is one."""
    from .outbox import describe_alarm

    found = False
    for alarm in alarms:
        found = True
        line = describe_alarm(alarm)
        click.echo(line)
        click.echo(f"ensgate: {line}", err=True)
    return found


def print_unmatched(answers: Iterable[Any]) -> None:
    for a in answers:
        click.echo(f"unmatched  {a.action}  MessageId {a.message_id}"
                   f"{f'  RefToMessageId {a.ref_to_message_id}' if a.ref_to_message_id else ''}"
                   f"{f'  LRN {a.lrn}' if a.lrn else ''}{f'  MRN {a.mrn}' if a.mrn else ''}"
                   "  (kept in the store, matches no filing)")


@click.command("file")
@_connector_options
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Filings in flight at once, over one AS4 client (its connections reused).")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Resends (same MessageId) on transport failures.")
@_config_option
def file_cmd(endpoint: str, certs: Path, party_id: str | None, store: str | None,
             customs_seal: str | None, concurrency: int, retries: int,
             config_path: str | None) -> None:
    """Seal and submit every filing the store holds ready, in due order, and send again
    (same MessageId) any a crash left in flight; record each receipt."""
    from .outbox import EXIT_ALARM, file_due, file_trader_messages

    db = _open_store(store, config_path)
    conn = _connector(endpoint, certs, party_id, db, customs_seal, retries)
    report = file_due(db, conn, concurrency=concurrency, endpoint=endpoint)  # type: ignore[arg-type]
    # then the trader messages queued about lodged filings (amendments, invalidations,
    # answers to referrals), unless the endpoint already failed
    if not report.counts().get("unreachable"):
        report = dataclasses.replace(report, handed=report.handed + file_trader_messages(
            db, conn, endpoint=endpoint),  # type: ignore[arg-type]
            alarms=tuple(db.open_alarms()))
    for h in report.handed:
        again = " (resent)" if h.resent else ""
        click.echo(f"{h.outcome:<11} {h.lrn}  {h.filing}  {h.message_id or '-'}{again}"
                   f"{f'  {h.detail}' if h.outcome != 'receipt' and h.detail else ''}")
    counts = report.counts()
    click.echo(f"{len(report.handed)} filings in {report.seconds:.2f} s: " + (", ".join(
        f"{n} {k}" for k, n in sorted(counts.items())) or "nothing due"))
    deliver_to_sinks(db)
    if print_alarms(report.alarms):
        sys.exit(EXIT_ALARM)
    if counts.get("unreachable"):
        sys.exit(3)
    sys.exit(1 if counts.get("refused") else 0)


@click.command("pull")
@_connector_options
@_config_option
def pull_cmd(endpoint: str, certs: Path, party_id: str | None, store: str | None,
             customs_seal: str | None, config_path: str | None) -> None:
    """Pull every answer waiting on our MPC (signed PullRequests until it is empty), record
    each in the store (matched by RefToMessageId, LRN, MRN) before its receipt goes back."""
    from .connectors.as4 import Answer, As4ConnectorError
    from .outbox import EXIT_ALARM, pull_answers

    db = _open_store(store, config_path)
    conn = _connector(endpoint, certs, party_id, db, customs_seal)
    try:
        report = pull_answers(db, conn)  # type: ignore[arg-type]
    except As4ConnectorError as exc:
        deliver_to_sinks(db)
        _fail(str(exc), 3)
        return
    deliver_to_sinks(db)
    bad = False
    for p in report.pulled:
        shown = Answer(message_id=p.message_id, ref_to_message_id=p.ref_to_message_id,
                       action=p.action, lrn=p.lrn, mrn=p.mrn, errors=p.errors, xml=b"")
        bad = (_show_answer(shown) and p.fresh) or bad
    if not report.pulled:
        click.echo("nothing waiting (EBMS:0006 EmptyMessagePartitionChannel)")
    print_unmatched(report.unmatched)
    if print_alarms(report.alarms):
        sys.exit(EXIT_ALARM)
    sys.exit(1 if bad else 0)


def _scenario_names() -> list[str]:
    from .answers import Scenario

    return [s.value for s in Scenario]


@click.command("rehearse")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--store", "store_url", metavar="URL",
              help="Shipment store (default: the configuration's store, demo profile "
                   "sqlite:///ensgate.db here).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out",
              show_default=True, help="Folder for filings (named by LRN) and rejects/.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration YAML.")
@click.option("--scenario", type=click.Choice(_scenario_names()),
              default="accept", show_default=True,
              help="What the simulated customs does after registering (IE3N03, IE3Q01...).")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True)
def rehearse_cmd(inputs: tuple[str, ...], store_url: str | None, out_dir: str,
                 config_path: str | None, scenario: str, concurrency: int) -> None:
    """The whole path on this machine: demo certificates made on the fly, the ICS2 simulator
    in-process on loopback (two-way TLS), translate -> file -> pull; prints every shipment's
    filings with their states and MRNs."""
    from rich.console import Console
    from rich.table import Table

    from .answers import Scenario
    from .config import load_config
    from .outbox import EXIT_ALARM, rehearse
    from .pipeline import TranslateOptions
    from .store import Store

    try:
        config = load_config(config_path)
        url = store_url or config.store or "sqlite:///ensgate.db"
        with Store.open(url, config=config) as store:
            done = rehearse(inputs, store, out=Path(out_dir),
                            options=TranslateOptions(config=config),
                            scenario=Scenario(scenario), concurrency=concurrency)
            deliver_to_sinks(store)
    except EnsgateError as exc:
        _fail(str(exc), 2)
        return
    t = done.translated
    click.echo(f"translate: {t.get('messages_in', 0)} messages, {t.get('messages_filed', 0)} "
               f"filed, {t.get('messages_rejected', 0)} rejected (see {out_dir}/rejects/), "
               f"{t.get('messages_pending', 0)} pending, {t.get('messages_duplicate', 0)} "
               f"duplicates")
    counts = done.filed.counts()
    click.echo(f"file: {len(done.filed.handed)} filings to the simulator at {done.endpoint} "
               f"in {done.filed.seconds:.2f} s" + "".join(
                   f", {n} {k}" for k, n in sorted(counts.items())))
    click.echo(f"pull: {len(done.pulled.pulled)} answers (" + (", ".join(
        f"{n} {a}" for a, n in sorted(Counter(p.action for p in done.pulled.pulled).items()))
        or "none") + ")")
    table = Table(title="shipments filed", caption=f"store {url.split('@')[-1]}")
    for col in ("AWB", "filing", "LRN", "state", "MRN"):
        table.add_column(col)
    for f in sorted(done.filings, key=lambda f: (f.shipment, f.lrn)):
        table.add_row(f.shipment, f.filing, f.lrn, f.state, f.mrn or "")
    Console(soft_wrap=True, highlight=False).print(table)
    print_unmatched(done.pulled.unmatched)
    if print_alarms(done.pulled.alarms):
        sys.exit(EXIT_ALARM)
    if counts.get("unreachable"):
        sys.exit(3)
    sys.exit(1 if counts.get("refused") or any(f.state == "rejected" for f in done.filings)
             else 0)


OUTBOX_COMMANDS = (file_cmd, pull_cmd, rehearse_cmd)
