"""``ensgate map doc``: the mapping document compliance asks for, generated from the spec.

One row per rule: the ENS XPath(s) it fills in each filing type (from the templates), the
element's cardinality (from the filing's XSD), the dataset field with its type and code list,
the source path(s), transforms, condition, lookup, notes, and values seen on example messages.
Markdown, CSV, or one self-contained HTML page.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..mapping import dataset_model
from ..mapping._spec import MappingSpec, Rule, TransformCall
from ._lint import default_filings
from ._specinfo import RuleSite, spec_info
from ._xpaths import element_table, field_xpaths, strip_indices

DIRECT = ("IE3F28", "IE3F29")


@dataclass(slots=True, kw_only=True)
class DocRow:
    dataset_field: str
    line: int | None
    xpaths: list[tuple[str, str, str]]  # (filing, xpath, cardinality "1..1 M")
    type: str
    code_list: str
    source: str
    transform: str
    condition: str
    lookup: str
    notes: str
    examples: list[str] = field(default_factory=list)


def _transform_text(calls: Iterable[TransformCall]) -> str:
    out = []
    for c in calls:
        args = [f"{k}={v!r}" for k, v in c.args]
        args += [f"{k}=<{_source(sub) or 'rule'}>" for k, sub in c.dynamic]
        out.append(c.fn.name + (f"({', '.join(args)})" if args else ""))
    return " → ".join(out)


def _source(rule: Rule) -> str:
    if rule.explicit_none is not None:
        return "(not mapped)"
    if rule.first_of:
        return " | ".join(f"{i}) {_source(a)}" + (f" [{_transform_text(a.transforms)}]"
                                                   if a.transforms else "")
                          + (f" when {a.when_text}" if a.when_text else "")
                          for i, a in enumerate(rule.first_of, start=1))
    if rule.paths:
        return " + ".join(p.text for p in rule.paths)
    if rule.var:
        return f"var {rule.var}"
    if rule.expr_text:
        return f"expr {rule.expr_text}"
    if rule.literal is not None:
        return f"constant {rule.literal!r}"
    return ""


def _card(filing: str, xp: str) -> str:
    info = element_table(filing).get(xp.split("/@")[0])
    if info is None:
        return ""
    hi = "n" if info.max is None else str(info.max)
    return f"{info.min}..{hi} {'M' if info.mandatory else 'O'}"


def _xpaths_for(target: str, filings: tuple[str, ...]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for f in filings:
        table = field_xpaths(f)
        keys = [target]
        if f in DIRECT and target.startswith("master."):
            keys.append("houses[]." + target[len("master."):])
        for k in keys:
            for xp in table.get(k, ()):
                out.append((f, xp, _card(f, xp)))
    return out


def _row(site: RuleSite, filings: tuple[str, ...], spec: MappingSpec) -> DocRow:
    r = site.rule
    fdef = dataset_model().fields.get(site.target)
    notes = [x for x in (r.note, f"not mapped: {r.explicit_none}" if r.explicit_none else "",
                         f"required: {r.required}" if r.required else "",
                         f"default {r.default!r}" if r.default is not None else "") if x]
    if site.group is not None:
        notes.append(f"one per {site.group.for_each.text}"
                     + (" (or once)" if site.group.or_once else ""))
    lookup = ""
    if r.lookup:
        raw = (spec.raw.get("lookups") or {}).get(r.lookup)
        lookup = r.lookup + (f" ({raw['file']})" if isinstance(raw, dict) and "file" in raw
                             else f" ({len(spec.lookups.get(r.lookup, {}))} codes)")
    return DocRow(
        dataset_field=site.target, line=r.ref.line, xpaths=_xpaths_for(site.target, filings),
        type="" if fdef is None else fdef.type + (f" ..{fdef.max_length}" if fdef.max_length
                                                   else "") + (" list" if fdef.is_list else ""),
        code_list="" if fdef is None or not fdef.code_list else fdef.code_list,
        source=_source(r), transform=_transform_text(r.transforms),
        condition=r.when_text, lookup=lookup, notes="; ".join(notes))


def doc_rows(spec: MappingSpec, *, filings: tuple[str, ...] | None = None,
             examples: dict[str, list[str]] | None = None) -> list[DocRow]:
    chosen = filings or default_filings(spec)
    rows = [_row(s, chosen, spec) for s in spec_info(spec).sites
            if not s.target.startswith("let.") and s.target != "key"]
    for row in rows:
        row.examples = (examples or {}).get(row.dataset_field, [])[:3]
    return rows


def example_values(spec: MappingSpec, inputs: list[Path]) -> dict[str, list[str]]:
    """Distinct values per dataset field pattern from running the spec on sample messages."""
    from ._run import run_files

    out: dict[str, list[str]] = {}
    if not inputs:
        return out
    run = run_files(spec, inputs, render=False)
    from ._trace import value_at

    for frag in run.fragments:
        if frag.spec is not spec:
            continue
        for path in frag.lineage:
            v = value_at(frag.data, path)
            text = ", ".join(map(str, v)) if isinstance(v, list) else str(v)
            vals = out.setdefault(strip_indices(path), [])
            if text not in vals and v not in (None, "", []):
                vals.append(text)
    return out


# ------------------------------------------------------------------------------- writers
COLUMNS = ("ENS XPath", "Cardinality", "Dataset field", "Type", "Code list", "Source",
           "Transform", "Condition", "Lookup", "Notes", "Examples", "Spec line")


def _cells(row: DocRow, sep: str) -> list[str]:
    return [
        sep.join(xp for _, xp, _ in row.xpaths) or "(not written by these filings)",
        sep.join(f"{f[3:]} {c}" for f, _, c in row.xpaths if c),
        row.dataset_field, row.type, row.code_list, row.source, row.transform, row.condition,
        row.lookup, row.notes, sep.join(row.examples), str(row.line or ""),
    ]


def _header_lines(spec: MappingSpec, filings: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Spec", f"{spec.id} ({spec.file})"), ("Description", spec.description.strip()),
            ("Source", f"{spec.source_format} {spec.message} "
                       f"{'/'.join(spec.versions) or 'any version'}"),
            ("Produces", spec.produces), ("Filings", ", ".join(filings))]


def as_markdown(spec: MappingSpec, rows: list[DocRow], filings: tuple[str, ...]) -> str:
    def esc(t: str) -> str:
        return t.replace("|", "\\|").replace("\n", " ")

    out = [f"# Mapping document: {spec.id}", ""]
    out += [f"- **{k}**: {esc(v)}" for k, v in _header_lines(spec, filings)]
    out += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        out.append("| " + " | ".join(esc(c) for c in _cells(row, "<br>")) + " |")
    out += _tables_md(spec)
    return "\n".join(out) + "\n"


def _tables_md(spec: MappingSpec) -> list[str]:
    out: list[str] = []
    for name, table in spec.lookups.items():
        out += ["", f"## Lookup `{name}`", "", "| code | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in sorted(table.items())]
    lets = [s for s in spec.lets]
    if lets:
        out += ["", "## Variables (let)", "", "| name | source | transform | line |",
                "|---|---|---|---|"]
        out += [f"| {r.target[4:]} | {_source(r)} | {_transform_text(r.transforms)} | "
                f"{r.ref.line or ''} |" for r in lets]
    return out


def as_csv(spec: MappingSpec, rows: list[DocRow], filings: tuple[str, ...]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for row in rows:
        w.writerow(_cells(row, "\n"))
    return buf.getvalue()


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef2f7;position:sticky;top:0}tr:nth-child(even){background:#fafafa}
code{font-family:ui-monospace,monospace;font-size:12px}dt{font-weight:bold}
dd{margin:0 0 .5em 1em}.xp{white-space:nowrap}"""


def as_html(spec: MappingSpec, rows: list[DocRow], filings: tuple[str, ...]) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Mapping document {e(spec.id)}</title><style>{_CSS}</style></head><body>",
             f"<h1>Mapping document: {e(spec.id)}</h1><dl>"]
    parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _header_lines(spec, filings)]
    parts.append("</dl><table><thead><tr>"
                 + "".join(f"<th>{e(c)}</th>" for c in COLUMNS) + "</tr></thead><tbody>")
    for row in rows:
        cells = _cells(row, "\n")
        tds = []
        for i, c in enumerate(cells):
            text = "<br>".join(e(x) for x in c.split("\n"))
            if i in (0, 5):
                text = f'<code class="xp">{text}</code>' if c else ""
            tds.append(f"<td>{text}</td>")
        parts.append("<tr>" + "".join(tds) + "</tr>")
    parts.append("</tbody></table>")
    for name, table in spec.lookups.items():
        parts.append(f"<h2>Lookup <code>{e(name)}</code></h2><table><tr><th>code</th>"
                     "<th>value</th></tr>" + "".join(
                         f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>"
                         for k, v in sorted(table.items())) + "</table>")
    if spec.lets:
        parts.append("<h2>Variables (let)</h2><table><tr><th>name</th><th>source</th>"
                     "<th>transform</th><th>line</th></tr>" + "".join(
                         f"<tr><td>{e(r.target[4:])}</td><td><code>{e(_source(r))}</code></td>"
                         f"<td>{e(_transform_text(r.transforms))}</td>"
                         f"<td>{r.ref.line or ''}</td></tr>" for r in spec.lets) + "</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


WRITERS: dict[str, Any] = {"md": as_markdown, "csv": as_csv, "html": as_html}


def render_doc(spec: MappingSpec, fmt: str, *, filings: tuple[str, ...] | None = None,
               samples: list[Path] | None = None) -> str:
    chosen = filings or default_filings(spec)
    rows = doc_rows(spec, filings=chosen, examples=example_values(spec, samples or []))
    text: str = WRITERS[fmt](spec, rows, chosen)
    return text
