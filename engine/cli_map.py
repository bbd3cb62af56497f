"""``ensgate map ...``: the mapping authoring toolkit for analysts (new, test, lint, trace,
explain, doc, coverage). Thin: parses arguments, calls ``ensgate.authoring``, prints.

Exit codes: 0 fine, 1 findings (lint errors, failing test cases, value not found),
2 usage error or a spec that does not load.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .diagnostics import Diagnostic, SpecError, format_json_line
from .mapping._spec import MappingSpec, find_spec, load_spec


def _spec_path(name: str) -> str:
    found = find_spec(name)
    if found is None:
        raise click.BadParameter(f"no mapping spec file or built-in named {name!r}",
                                 param_hint="SPEC")
    return found


def _load(name: str) -> MappingSpec:
    try:
        return load_spec(_spec_path(name))
    except SpecError as exc:
        _print_diags(exc.diagnostics, Console(stderr=True))
        sys.exit(2)


def _print_diags(diags: list[Diagnostic], console: Console, fmt: str = "text") -> None:
    for d in diags:
        click.echo(format_json_line(d) if fmt == "json" else str(d), err=console.stderr)


def _check_filings(*codes: str | None) -> None:
    from .render import normalise_filing_code

    for code in codes:
        if code is not None and normalise_filing_code(code) is None:
            raise click.UsageError(f"unknown filing type {code!r} (use F20..F29, F32)")


def _inputs(messages: tuple[str, ...]) -> tuple[list[Path], str | None]:
    """Message files, or one case file (``<case>.yaml``) naming message, companions, filing."""
    if len(messages) == 1 and messages[0].endswith((".yaml", ".yml")):
        from .authoring import find_cases

        cases = find_cases([Path(messages[0])])
        if not cases:
            raise click.BadParameter(f"{messages[0]} is not a test case", param_hint="MESSAGE")
        c = cases[0]
        return [c.message, *c.companions], c.filing
    return [Path(m) for m in messages], None


@click.group("map", context_settings={"help_option_names": ["-h", "--help"]})
def map_group() -> None:
    """Write, test and document mapping specs (for analysts)."""


@map_group.command("new")
@click.option("--source", "kind", required=True, metavar="TYPE",
              help="Source message type, e.g. FWB, FHL, FFM, XFWB, CUSCAR.")
@click.option("--format", "fmt", metavar="FORMAT", help="Reader family when TYPE is ambiguous.")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="File to write (default: stdout).")
@click.option("--id", "spec_id", help="Spec id (default: the file name).")
@click.option("--produces", type=click.Choice(["master", "houses", "transport"]))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new_cmd(kind: str, fmt: str | None, out: str | None, spec_id: str | None,
            produces: str | None, force: bool) -> None:
    """A commented starting spec listing every ENS field with cardinality and format."""
    from .authoring import new_spec

    sid = spec_id or (Path(out).stem if out else f"my-{kind.lower()}")
    try:
        text = new_spec(kind, fmt=fmt, spec_id=sid, produces=produces)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if out is None:
        click.echo(text, nl=False)
        return
    p = Path(out)
    if p.exists() and not force:
        raise click.UsageError(f"{out} exists (use --force to overwrite)")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, "utf-8")
    click.echo(f"wrote {out}: edit it, then `ensgate map lint {out}`")


@map_group.command("lint")
@click.argument("specs", nargs=-1, required=True)
@click.option("--filing", "filings", multiple=True, metavar="F20..F29",
              help="Filing types to check mandatory fields for (default: from the config).")
@click.option("--corpus", type=click.Path(exists=True),
              help="Sample messages to learn source paths from, for a format whose reader "
                   "declares none.")
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@click.option("--diagnostics", "diag_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
def lint_cmd(specs: tuple[str, ...], filings: tuple[str, ...], corpus: str | None,
             strict: bool, diag_format: str) -> None:
    """Check SPEC... for errors before production (exit 1 on errors)."""
    from .authoring import lint_spec, paths_in_messages, read_inputs

    _check_filings(*filings)
    console = Console()
    bad = False
    corpus_msgs = read_inputs([corpus]) if corpus else []
    for name in specs:
        path = _spec_path(name)
        known = None
        if corpus_msgs:
            try:
                sp = load_spec(path)
            except SpecError:
                sp = None  # lint_spec reports why
            mine = [m for m in corpus_msgs if sp is not None
                    and sp.matches(m.format, m.kind, m.version)]
            if mine:
                known = paths_in_messages(mine)
                known.origin = f"corpus {corpus}"
        report = lint_spec(path, filings=filings or None, known=known)
        _print_diags(list(report.diagnostics), console, diag_format)
        if diag_format == "text":
            state = ("[red]errors[/]" if report.errors else
                     "[yellow]warnings[/]" if report.warnings else "[green]clean[/]")
            console.print(f"{state} {escape(path)}: {report.errors} error(s), {report.warnings} "
                          f"warning(s); filings checked: {', '.join(report.filings) or '-'}",
                          highlight=False)
        bad = bad or report.errors > 0 or (strict and report.warnings > 0)
    sys.exit(1 if bad else 0)


@map_group.command("test")
@click.argument("spec")
@click.argument("samples", nargs=-1, type=click.Path(exists=True))
@click.option("--update", is_flag=True, help="Re-bless: write the actual output as expected.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--junit", type=click.Path(dir_okay=False), help="Also write JUnit XML (for CI).")
def test_cmd(spec: str, samples: tuple[str, ...], update: bool, config_path: str | None,
             junit: str | None) -> None:
    """Run SPEC on golden cases (default: tests/mappings/<spec id>/) and diff the ENS XML."""
    from .authoring import default_case_dir, find_cases, junit_xml, run_case
    from .config import load_config

    sp = _load(spec)
    targets = [Path(s) for s in samples] or [default_case_dir(sp)]
    cases = find_cases(targets)
    if not cases:
        raise click.UsageError(f"no test cases in {', '.join(map(str, targets))} "
                               "(a case is <name>.<ext> + <name>.ens.xml [+ <name>.yaml])")
    console = Console()
    config = load_config(config_path)
    counts: dict[str, int] = {}
    results = []
    for case in cases:
        res = run_case(sp, case, update=update, config=config)
        results.append(res)
        counts[res.status] = counts.get(res.status, 0) + 1
        colour = {"pass": "green", "updated": "cyan", "new": "yellow"}.get(res.status, "red")
        click.echo(click.style(f"{res.status:7}", fg=colour) + f" {case.folder / case.name}")
        for diff in res.diffs:
            for line in diff.splitlines():
                fg = ("red" if line.startswith("-") else "green" if line.startswith("+")
                      else "cyan" if line.startswith("@@") else None)
                click.echo(click.style(line, fg=fg))
        _print_diags(res.diagnostics, console)
    click.echo(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if junit:
        Path(junit).write_bytes(junit_xml(sp, results))
    failed = counts.get("fail", 0) + counts.get("error", 0) + counts.get("new", 0)
    sys.exit(1 if failed else 0)


@map_group.command("trace")
@click.argument("spec")
@click.argument("messages", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xml"]), default="table",
              show_default=True, help="xml: the filing with a comment before each element.")
@click.option("--filing", metavar="F20..F29", help="Filing type (default: by shipment shape).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Site configuration (its reference_data fills gaps, shown with file:line).")
def trace_cmd(spec: str, messages: tuple[str, ...], fmt: str, filing: str | None,
              out: str | None, config_path: str | None) -> None:
    """For every ENS element: the rule (spec:line) and the source (file, line, column, text)."""
    from .authoring import annotated_xml, as_json, rule_text, run_files, sources_text, trace_rows
    from .config import load_config
    from .diagnostics import ConfigError

    _check_filings(filing)
    sp = _load(spec)
    files, case_filing = _inputs(messages)
    try:
        config = load_config(config_path) if config_path else None
        run = run_files(sp, files, filing=filing or case_filing, config=config)
    except ConfigError as exc:
        Console(stderr=True).print(f"ensgate: {exc}", markup=False)
        sys.exit(2)
    rows = trace_rows(run)
    if not rows:
        Console(stderr=True).print("no filing could be assembled from these messages",
                                   markup=False)
        _print_diags([d for d in run.diagnostics if d.is_error], Console(stderr=True))
        sys.exit(1)
    if fmt == "json":
        text = as_json(rows) + "\n"
    elif fmt == "xml":
        text = annotated_xml(run)
    else:
        table = Table(title=f"trace {escape(sp.id)}", show_lines=False)
        for col in ("ENS XPath", "value", "rule", "source"):
            table.add_column(col, overflow="fold")
        for r in rows:  # Text: values and rule ids like [master.x] are not markup
            table.add_row(*(Text(t) for t in (r.xpath, r.value, rule_text(r),
                                               sources_text(r))))
        console = Console(width=200, record=out is not None,
                          file=open("/dev/null", "w") if out else None)  # noqa: SIM115
        console.print(table)
        text = console.export_text() if out else ""
    if out:
        Path(out).write_text(text, "utf-8")
    elif text:
        click.echo(text, nl=False)


@map_group.command("explain")
@click.argument("spec")
@click.argument("messages", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--xpath", required=True, help="ENS element, e.g. /IE3F26/.../consignee/name "
              "(positions [n] optional: the first match is explained).")
@click.option("--filing", metavar="F20..F29")
def explain_cmd(spec: str, messages: tuple[str, ...], xpath: str, filing: str | None) -> None:
    """The chain of one value: source, selectors, transforms, lookups, conditions, result."""
    from .authoring import explain, explain_text, run_files, strip_indices, trace_rows

    _check_filings(filing)
    sp = _load(spec)
    files, case_filing = _inputs(messages)
    run = run_files(sp, files, filing=filing or case_filing)
    ex = explain(run, xpath)
    if ex is None:
        near = sorted({strip_indices(r.xpath) for r in trace_rows(run)})
        import difflib

        hint = difflib.get_close_matches(strip_indices(xpath), near, 5, 0.5)
        Console(stderr=True).print(f"no value at {xpath} in the filing(s)"
                                   + ("; did you mean:\n  " + "\n  ".join(hint) if hint else ""),
                                   markup=False, highlight=False)
        sys.exit(1)
    click.echo(explain_text(ex), nl=False)


@map_group.command("doc")
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "csv"]), default="md",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout).")
@click.option("--filing", "filings", multiple=True, metavar="F20..F29",
              help="Filing types to show XPaths for (default: from the config).")
@click.option("--sample", "samples", multiple=True, type=click.Path(exists=True),
              help="Example messages whose values are shown (default: the spec's test cases).")
def doc_cmd(spec: str, fmt: str, out: str | None, filings: tuple[str, ...],
            samples: tuple[str, ...]) -> None:
    """The mapping document: XPath, cardinality, source, transform, condition, notes."""
    from .authoring import default_case_dir, find_cases, render_doc
    from .render import normalise_filing_code

    _check_filings(*filings)
    sp = _load(spec)
    chosen = tuple(c for c in (normalise_filing_code(f) for f in filings) if c) or None
    inputs = [Path(s) for s in samples]
    if not inputs and default_case_dir(sp).is_dir():
        for c in find_cases([default_case_dir(sp)]):
            inputs.extend([c.message, *c.companions])
    text = render_doc(sp, fmt, filings=chosen, samples=inputs)
    if out:
        Path(out).write_text(text, "utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(text, nl=False)


@map_group.command("coverage")
@click.argument("spec")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def coverage_cmd(spec: str, corpus: tuple[str, ...], fmt: str) -> None:
    """Source fields never read, ENS fields never produced, rules that never fired."""
    from .authoring import coverage

    sp = _load(spec)
    cov = coverage(sp, [Path(c) for c in corpus])
    if fmt == "json":
        click.echo(json.dumps(cov.to_dict(), indent=2))
        return
    console = Console()
    console.print(f"{sp.id}: {cov.messages} {sp.message} message(s); {cov.read} of {cov.seen} "
                  "source fields seen are read by the spec", markup=False, highlight=False)
    sections = (
        ("source fields seen but never read (messages carrying them)",
         [f"{p} ({n})" for p, n in cov.unread]),
        ("ENS fields never produced", cov.never_produced),
        ("rules that never fired (spec line)", [f"{t} (line {ln})" for t, ln in cov.never_fired]),
    )
    for title, items in sections:
        console.print(f"\n[bold]{escape(title)}[/]: {len(items)}", highlight=False)
        for item in items:
            console.print(f"  {item}", markup=False, highlight=False)
