"""The ``ensgate`` command: thin, it parses arguments, calls the public API and prints.

Exit codes of ``translate``: 0 when nothing of this run was rejected (pending, not-subject,
not-ENS messages and duplicates are fine), 1 when something was rejected, 2 usage or
configuration error. ``validate``: 0 valid, 1 invalid, 2 usage error.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .config import load_config
from .diagnostics import ConfigError, Diagnostic, Severity, SpecError, format_json_line
from .mapping._spec import find_spec
from .pipeline import BatchResult, TranslateOptions
from .render import normalise_filing_code


def diagnostics_console() -> Console:
    """Where diagnostics and progress go: stderr; lines are not wrapped when it is not a
    terminal (a log file or a pipe gets one line per diagnostic)."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


def _print_diags(diags: list[Diagnostic], fmt: str, console: Console, *,
                 min_severity: Severity = Severity.WARNING) -> None:
    for d in diags:
        if d.severity < min_severity:
            continue
        if fmt == "json":
            click.echo(format_json_line(d))
        else:
            console.print(str(d), markup=False, highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ensgate")
def main() -> None:
    """ensgate: legacy air-cargo messages to validated EU ICS2 ENS filings."""


@main.command("translate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--mapping", "mappings", multiple=True, metavar="NAME|PATH",
              help="Mapping spec file(s) to use instead of the built-in ones.")
@click.option("--filing", metavar="F20..F29|F32|N06",
              help="Filing type for every shipment, filed now with what is there "
                   "(default: by shipment shape and the filing policy, see config).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also export to this folder: filings (see --out-format), rejects/, "
                   "indexes and the run's diagnostics.jsonl. Without it the filings stay in "
                   "the store (ensgate report, status, send).")
@click.option("--out-format", "out_format", type=click.Choice(["files", "jsonl"]),
              default="files", show_default=True,
              help="files: one <LRN>.xml per filing (a hand-off that needs files); jsonl: "
                   "every filing's XML in one filings.xml.jsonl (bulk).")
@click.option("--store", "store_url", metavar="URL",
              help="Shipment store (sqlite:///FILE or postgresql+psycopg://...); default: "
                   "the configuration's store (demo profile: sqlite:///ensgate.db here).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration YAML (declarant, carriers, LRN scheme...).")
@click.option("--diagnostics", "diag_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True,
              help="How diagnostics are printed (text on stderr, json lines on stdout).")
@click.option("--arrived-at", "arrived_at", type=click.DateTime(
                  ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]),
              metavar="YYYY-MM-DDThh:mm[:ss]Z",
              help="Actual arrival of the flight (UTC), for --filing N06 arrival notifications.")
@click.option("--lineage", is_flag=True, help="Also write <LRN>.lineage.json per filing.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--window", type=click.IntRange(min=1), default=2_000, show_default=True,
              help="Messages read, joined and committed together; memory depends on it, not "
                   "on the input size. Shipments join across windows and runs in the store.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the cores available): windows are read and "
                   "mapped on every core and committed in input order, so the store ends as "
                   "with --jobs 1.")
def translate_cmd(inputs: tuple[str, ...], mappings: tuple[str, ...], filing: str | None,
                  out_dir: str | None, out_format: str, store_url: str | None,
                  config_path: str | None,
                  diag_format: str, arrived_at: datetime | None, lineage: bool, quiet: bool,
                  window: int, jobs: int | None) -> None:
    """Translate FILE|DIR... of legacy messages into ENS XML filings, through the store."""
    err = diagnostics_console()
    if filing is not None and normalise_filing_code(filing) is None:
        raise click.UsageError(f"unknown filing type {filing!r} (use F20..F29, F32 or N06)")
    resolved = tuple(_resolve_mapping(m) for m in mappings)
    any_rejected = False

    def report(result: BatchResult) -> None:
        nonlocal any_rejected
        any_rejected = any_rejected or not result.ok
        if quiet:
            return
        for rej in (*result.rejects, *result.shipment_rejects, *result.earlier_rejects):
            if diag_format == "text":
                what = rej.message.label + (f" shipment {rej.shipment}" if rej.shipment else "")
                err.print(f"[bold red]rejected[/] {escape(what)}: {escape(rej.reason)}")
            _print_diags(list(rej.diagnostics), diag_format, err)

    try:
        config = load_config(config_path)
        from .store import Store

        url = store_url or config.store or "sqlite:///ensgate.db"
        options = TranslateOptions(
            config=config, filing=filing, mappings=resolved,
            arrived_at=None if arrived_at is None else arrived_at.replace(tzinfo=UTC))
        from .cli_store import progress_for

        with Store.open(url, config=config) as store, progress_for(inputs, err, quiet) as tick:
            summary = store.translate(inputs, None if out_dir is None else Path(out_dir),
                                      options, window=window, lineage=lineage,
                                      on_result=report, on_progress=tick,
                                      out_format=out_format, jobs=jobs)
    except (ConfigError, SpecError) as exc:
        err.print(f"ensgate: {exc}", markup=False)
        sys.exit(2)
    out = Console()
    table = Table(title=f"ensgate translate -> {escape(out_dir or 'the store')}",
                  caption=f"store {escape(_safe_url(url))}")
    table.add_column("messages", justify="left")
    table.add_column("", justify="right")
    table.add_column("run", justify="left")
    table.add_column("", justify="right")
    left = (("in", "messages_in"), ("filed", "messages_filed"),
            ("rejected", "messages_rejected"), ("pending", "messages_pending"),
            ("not ENS", "messages_not_ens"), ("not subject", "messages_not_subject"),
            ("duplicates", "messages_duplicate"), ("supporting only", "messages_supporting"))
    right = (("files in", "files_in"), ("filings written", "filings_written"),
             ("shipments pending", "shipments_pending"),
             ("not subject", "shipments_not_subject"), ("seconds", "seconds"))
    for i, (name, key) in enumerate(left):
        other = right[i] if i < len(right) else ("", "")
        table.add_row(name, str(summary.get(key, 0)), other[0],
                      str(summary.get(other[1], "")) if other[1] else "")
    out.print(table)
    if summary.get("shipments_rejected"):
        out.print(f"{summary['shipments_rejected']} consignment(s) rejected inside messages "
                  "counted as filed (see rejects.jsonl, key 'shipment')", highlight=False)
    if not quiet and out_dir is not None:
        out.print(f"filings: {out_dir}/filings.jsonl, rejects: {out_dir}/rejects.jsonl, "
                  f"diagnostics: {out_dir}/diagnostics.jsonl; what waits and why: "
                  "ensgate report", markup=False, highlight=False)
    elif not quiet:
        out.print("filings are in the store (ensgate report, ensgate status AWB; --out DIR "
                  "exports them)", markup=False, highlight=False)
    for problem in summary.get("accounting_errors", []):
        err.print(f"ensgate: {problem}", markup=False)
    sys.exit(1 if any_rejected or summary.get("accounting_errors") else 0)


def _safe_url(url: str) -> str:
    """The store URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "?"


def _resolve_mapping(name: str) -> str:
    found = find_spec(name)
    if found is None:
        raise click.BadParameter(f"no mapping spec file or built-in named {name!r}",
                                 param_hint="--mapping")
    return found


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--diagnostics", "diag_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
def validate_cmd(files: tuple[str, ...], diag_format: str, config_path: str | None) -> None:
    """Check ENS XML files against the schema and the ICS2 rules."""
    from .validate import validate_file

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        Console(stderr=True).print(f"ensgate: {exc}", markup=False)
        sys.exit(2)
    console = Console()
    bad = 0
    for name in files:
        diags = validate_file(Path(name), postcode_optional=config.postcode_optional_countries)
        errors = [d for d in diags if d.is_error]
        bad += bool(errors)
        if diag_format == "text":
            state = "[red]invalid[/]" if errors else "[green]valid[/]"
            # a file name is text, never markup ("ens[1].xml", "[/x].xml")
            console.print(f"{state} {escape(name)} ({len(errors)} errors, "
                          f"{len(diags) - len(errors)} warnings)", highlight=False)
        _print_diags(diags, diag_format, console)
    sys.exit(1 if bad else 0)


# Each family of commands lives in its own module; importing them here registers them.
from .cli_as4 import AS4_COMMANDS  # noqa: E402  (send, pull... over AS4, simulate)
from .cli_broker import BROKER_COMMANDS  # noqa: E402  (worker: RabbitMQ)
from .cli_lifecycle import LIFECYCLE_COMMANDS  # noqa: E402  (invalidate, answer-screening...)
from .cli_map import map_group  # noqa: E402  (mapping authoring toolkit)
from .cli_outbox import OUTBOX_COMMANDS  # noqa: E402  (file, pull, rehearse)
from .cli_seal import SEAL_COMMANDS  # noqa: E402  (certs, seal)
from .cli_serve import SERVE_COMMANDS  # noqa: E402  (serve: the unattended service)
from .cli_store import STORE_COMMANDS  # noqa: E402  (status, report, store)

for _command in (*AS4_COMMANDS, *OUTBOX_COMMANDS, *SEAL_COMMANDS, map_group, *STORE_COMMANDS,
                 *LIFECYCLE_COMMANDS, *SERVE_COMMANDS, *BROKER_COMMANDS):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
