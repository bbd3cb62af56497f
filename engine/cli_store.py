"""``ensgate status``, ``ensgate report``, ``ensgate store upgrade|current``, and the progress
display of ``translate`` (thin: the work is in ``ensgate.store``).

Exit codes: 0 done, 1 nothing found (status), 2 usage or configuration error, 4 (report) an
alarm is open (do-not-load, screening requested).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .config import load_config
from .diagnostics import EnsgateError


def _store_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                     help="Site configuration YAML (its store: key).")(f)
    return click.option("--store", "store_url", metavar="URL",
                        help="Shipment store URL (default: the configuration's store).")(f)


def _open(store_url: str | None, config_path: str | None, *, migrate: bool = True) -> Any:
    from .store import Store

    try:
        config = load_config(config_path)
        url = store_url or config.store or "sqlite:///ensgate.db"
        return Store.open(url, config=config, migrate=migrate)
    except EnsgateError as exc:
        click.echo(f"ensgate: {exc}", err=True)
        sys.exit(2)


@click.command("status")
@click.argument("key", metavar="AWB|HAWB|LRN|MRN")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_store_options
def status_cmd(key: str, as_json: bool, store_url: str | None, config_path: str | None) -> None:
    """Show the shipment of KEY: its state, filings and history."""
    with _open(store_url, config_path) as store:
        found = store.status(key)
    if found is None:
        if as_json:
            click.echo(json.dumps({"key": key, "found": False}))
        else:
            click.echo(f"ensgate: no shipment, house, LRN or MRN {key!r} in the store", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(found, indent=1, ensure_ascii=False))
        return
    out = Console(soft_wrap=True, highlight=False)
    line = f"[bold]{escape(found['key'])}[/]  {found['state']}"
    if found["waiting_for"]:
        line += f": waiting for {escape(found['waiting_for'])}"
    if found["reason"]:
        line += f" ({escape(found['reason'])})"
    out.print(line)
    if found["houses"]:
        out.print("houses: " + ", ".join(found["houses"]), markup=False)
    table = Table(title="filings")
    for col in ("LRN", "type", "state", "MRN", "updated"):
        table.add_column(col)
    for f in found["filings"]:
        table.add_row(f["lrn"], f["type"], f["state"], f["mrn"] or "", f["updated_at"] or "")
    out.print(table)
    for m in found["messages"]:
        out.print(f"  {m['outcome']:<12} {m['label']}", markup=False)
    for e in found["events"]:
        arrow = f"{e['from'] or '-'} -> {e['to'] or '-'}"
        out.print(f"  {e['at']}  {e['kind']:<10} {arrow:<24} {e['cause']}", markup=False)


def _when(value: str | None) -> Any:
    from .deadlines import parse_time

    if value is None:
        return None
    found = parse_time(value)
    if found is None:
        raise click.BadParameter(f"{value!r} is not an ISO date-time (2026-11-18T03:55:00Z)")
    return found


def _window(value: str | None) -> Any:
    from .deadlines import parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value, "--at-risk")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--at", "at", metavar="ISO", help="Judge deadlines at this time (default: now).")
@click.option("--at-risk", "at_risk", metavar="DURATION",
              help="At-risk window before a due time, e.g. 2h (default: deadlines.at_risk).")
@_store_options
def report_cmd(as_json: bool, at: str | None, at_risk: str | None, store_url: str | None,
               config_path: str | None) -> None:
    """Counts of shipments and filings by state, what is pending and why, the filings late
    or at risk of being late (not yet lodged, by their due time); open alarms (do-not-load,
    screening requested: exit 4) and answers that match no filing."""
    from .outbox import EXIT_ALARM, describe_alarm

    now, window = _when(at), _window(at_risk)
    with _open(store_url, config_path) as store:
        found = store.report(now, window)
        alarms = store.open_alarms()
        from .cli_outbox import deliver_to_sinks

        deliver_to_sinks(store)
        unmatched = store.unmatched_answers()
    found["alarms"] = [describe_alarm(a) for a in alarms]
    found["unmatched_answers"] = [{"action": a.action, "message_id": a.message_id,
                                   "lrn": a.lrn, "mrn": a.mrn} for a in unmatched]
    if as_json:
        click.echo(json.dumps(found, indent=1, ensure_ascii=False))
        if alarms:
            sys.exit(EXIT_ALARM)
        return
    out = Console(soft_wrap=True, highlight=False)
    for title, counts in (("shipments", found["shipments"]), ("filings", found["filings"]),
                          ("messages", found["messages"])):
        table = Table(title=title)
        table.add_column("state")
        table.add_column("count", justify="right")
        for state, n in sorted(counts.items()):
            table.add_row(state, str(n))
        out.print(table)
    if found["pending"]:
        out.print(f"[bold]pending[/] ({len(found['pending'])}):")
        for p in found["pending"]:
            due = f" (decided again at {p['due_at']})" if p.get("due_at") else ""
            out.print(f"  {p['key']}: {p['waiting_for']}{due}", markup=False)
    for d in found["deadlines"]:
        houses = f" HAWB {', '.join(d['houses'])}" if d["houses"] else ""
        left = d["minutes_left"]
        when = f"late by {-left} min" if left < 0 else f"{left} min left"
        out.print(f"{d['urgency'].upper()}: AWB {d['key']}{houses} {d['filing']} LRN "
                  f"{d['lrn']} ({d['state']}) due {d['due_at']}, {when}", markup=False)
    for a in found["unmatched_answers"]:
        out.print(f"unmatched answer {a['action']} {a['message_id']} (LRN {a['lrn'] or '-'}, "
                  f"MRN {a['mrn'] or '-'}): kept, matches no filing", markup=False)
    for line in found["alarms"]:
        out.print(f"[bold red]{escape(line)}[/]")
    if alarms:
        click.echo(f"ensgate: {len(alarms)} alarm(s) open", err=True)
        sys.exit(EXIT_ALARM)


@click.group("store")
def store_group() -> None:
    """The shipment store's schema (Alembic migrations)."""


@store_group.command("upgrade")
@_store_options
def store_upgrade_cmd(store_url: str | None, config_path: str | None) -> None:
    """Bring the store's schema to the current revision."""
    with _open(store_url, config_path) as store:
        click.echo(f"store at revision {store.revision()} (head {store.head()})")


@store_group.command("current")
@_store_options
def store_current_cmd(store_url: str | None, config_path: str | None) -> None:
    """Print the store's schema revision and the one this ensgate expects."""
    with _open(store_url, config_path, migrate=False) as store:
        current, head = store.revision(), store.head()
    click.echo(f"current {current or '(empty)'}  head {head}")
    if current != head:
        click.echo("run `ensgate store upgrade` (translate and ingest do it on open)", err=True)


STORE_COMMANDS = (status_cmd, report_cmd, store_group)


# -- progress of translate ------------------------------------------------------------------
def _input_bytes(inputs: tuple[str, ...]) -> int:
    from .pipeline import iter_input_files

    total = 0
    for p in iter_input_files(inputs):
        with contextlib.suppress(OSError):
            total += Path(p).stat().st_size
    return total


@contextmanager
def progress_for(inputs: tuple[str, ...], console: Console,
                 quiet: bool) -> Iterator[Callable[[dict[str, int]], None]]:
    """A progress callback for ``Store.translate``: a rich progress bar (messages, rate,
    filings, rejects, ETA by bytes read) on a terminal once the run has lasted a second; plain
    log lines on stderr otherwise (one per window after the first second)."""
    start = time.monotonic()
    if quiet:
        yield lambda _counts: None
        return
    total = _input_bytes(inputs)
    if not console.is_terminal:
        def log_line(counts: dict[str, int]) -> None:
            spent = time.monotonic() - start
            if spent < 1.0:
                return
            rate = counts["messages"] / spent if spent else 0.0
            console.print(f"ensgate: {counts['messages']} messages ({rate:.0f}/s), "
                          f"{counts['filings']} filings, {counts['rejects']} rejects",
                          markup=False, soft_wrap=True)
        yield log_line
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[messages]} msgs ({task.fields[rate]}/s), "
                                   "{task.fields[filings]} filings, "
                                   "{task.fields[rejects]} rejects"),
                        TimeRemainingColumn(), console=console, transient=True)
    task = progress.add_task("translate", total=total or None, messages=0, rate=0,
                             filings=0, rejects=0)
    started = False

    def tick(counts: dict[str, int]) -> None:
        nonlocal started
        spent = time.monotonic() - start
        if not started and spent < 1.0:
            return
        if not started:
            progress.start()
            started = True
        progress.update(task, completed=counts.get("bytes", 0), messages=counts["messages"],
                        rate=int(counts["messages"] / spent) if spent else 0,
                        filings=counts["filings"], rejects=counts["rejects"])

    try:
        yield tick
    finally:
        if started:
            progress.stop()
