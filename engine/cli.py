"""The ``ensgate`` command: thin, it parses arguments, calls the public API and prints.

Exit codes: 0 everything filed / valid, 1 some messages rejected / documents invalid,
2 usage or configuration error.
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
from .pipeline import BatchResult, TranslateOptions, translate_to_folder
from .render import normalise_filing_code


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
              help="Filing type for every shipment (default: by shipment shape, see config).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out",
              show_default=True, help="Folder for filings (named by LRN) and rejects/.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration YAML (declarant, carriers, LRN scheme...).")
@click.option("--diagnostics", "diag_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="How diagnostics are printed.")
@click.option("--arrived-at", "arrived_at", type=click.DateTime(
                  ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]),
              metavar="YYYY-MM-DDThh:mm[:ss]Z",
              help="Actual arrival of the flight (UTC), for --filing N06 arrival notifications.")
@click.option("--lineage", is_flag=True, help="Also write <LRN>.lineage.json per filing.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
@click.option("--window", type=click.IntRange(min=1), default=2_000, show_default=True,
              help="Messages joined and written together; memory depends on it, not on the "
                   "input size. A shipment's FWB, FHL/FZB and FFM must fall in one window.")
def translate_cmd(inputs: tuple[str, ...], mappings: tuple[str, ...], filing: str | None,
                  out_dir: str, config_path: str | None, diag_format: str,
                  arrived_at: datetime | None, lineage: bool, quiet: bool, window: int) -> None:
    """Translate FILE|DIR... of legacy messages into ENS XML filings."""
    err = Console(stderr=True)
    if filing is not None and normalise_filing_code(filing) is None:
        raise click.UsageError(f"unknown filing type {filing!r} (use F20..F29, F32 or N06)")
    resolved = tuple(_resolve_mapping(m) for m in mappings)
    out = Console(stderr=diag_format == "json")
    any_rejected = False

    def report(result: BatchResult) -> None:
        nonlocal any_rejected
        any_rejected = any_rejected or not result.ok
        if quiet:
            return
        for rej in (*result.rejects, *result.shipment_rejects):
            if diag_format == "text":
                what = rej.message.label + (f" shipment {rej.shipment}" if rej.shipment else "")
                out.print(f"[bold red]rejected[/] {escape(what)}: {escape(rej.reason)}",
                          highlight=False)
            _print_diags(list(rej.diagnostics), diag_format, out)

    try:
        config = load_config(config_path)
        summary = translate_to_folder(
            inputs, Path(out_dir), TranslateOptions(
                config=config, filing=filing, mappings=resolved,
                arrived_at=None if arrived_at is None else arrived_at.replace(tzinfo=UTC)),
            window=window, lineage=lineage, on_result=report)
    except (ConfigError, SpecError) as exc:
        err.print(f"ensgate: {exc}", markup=False)
        sys.exit(2)
    table = Table(title=f"ensgate translate -> {escape(out_dir)}")
    for col in ("files in", "messages in", "filings written", "messages filed", "rejected",
                "supporting only", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(*(str(summary[k]) for k in (
        "files_in", "messages_in", "filings_written", "messages_filed", "messages_rejected",
        "messages_supporting", "seconds")))
    if summary.get("shipments_rejected"):
        table.caption = (f"{summary['shipments_rejected']} consignment(s) rejected inside "
                         "messages counted as filed (see rejects.jsonl, key 'shipment')")
    out.print(table)
    if not quiet:
        out.print(f"filings: {out_dir}/filings.jsonl, rejects: {out_dir}/rejects.jsonl",
                  markup=False, highlight=False)
    sys.exit(1 if any_rejected else 0)


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


from .cli_as4 import AS4_COMMANDS  # noqa: E402  (AS4 commands live in their own module)

for _command in AS4_COMMANDS:
    main.add_command(_command)

from .cli_seal import SEAL_COMMANDS  # noqa: E402  (certs / seal commands, own module)

for _command in SEAL_COMMANDS:
    main.add_command(_command)

from .cli_map import map_group  # noqa: E402  (mapping authoring toolkit, own module)

main.add_command(map_group)


if __name__ == "__main__":  # pragma: no cover
    main()
