"""Regenerate the reference tables in docs/ from the code (diagnostic codes, transforms,
dataset fields). Run: python tools/gen_docs.py; a test checks the files are current."""

from __future__ import annotations

from pathlib import Path

from ensgate.diagnostics import CATALOGUE
from ensgate.mapping import dataset_model
from ensgate.mapping._transforms import describe

DOCS = Path(__file__).resolve().parents[1] / "docs"


def diagnostics_md() -> str:
    rows = "\n".join(f"| `{c.code}` | {c.severity} | {c.title} |" for c in CATALOGUE.values())
    return ("# Diagnostic codes\n\nGenerated from `engine/diagnostics/_catalogue.py` by "
            "`tools/gen_docs.py`. Codes are stable; severities are defaults.\n\n"
            "| code | severity | meaning |\n|---|---|---|\n" + rows + "\n")


def transforms_md() -> str:
    out = ["# Transform library\n",
           "Generated from `engine/mapping/_transforms.py` by `tools/gen_docs.py`. "
           "*list* transforms take the whole list of source values; the others apply to each "
           "value. [I] marks an inference documented in the mapping guide.\n",
           "| name | kind | arguments | what it does |", "|---|---|---|---|"]
    for t in describe():
        args = ", ".join(f"{a}{'*' if a in t.required else ''}" for a in t.args) or "-"
        doc = " ".join(t.doc.split())
        out.append(f"| `{t.name}` | {'list' if t.takes_list else 'value'} | {args} | {doc} |")
    return "\n".join(out) + "\n\n`*` = required argument.\n"


def dataset_md() -> str:
    m = dataset_model()
    out = ["# The ENS dataset\n",
           "Generated from `engine/mapping/dataset.yaml` by `tools/gen_docs.py`. Every mapping "
           "spec writes these fields; every filing template reads them. `[]` marks a repeated "
           "group.\n", "| field | type | max | code list | note |", "|---|---|---|---|---|"]
    for path, f in m.fields.items():
        typ = f.type + (" (list)" if f.is_list else "")
        out.append(f"| `{path}` | {typ} | {f.max_length or ''} | {f.code_list or ''} | {f.doc} |")
    return "\n".join(out) + "\n"


FILES = {"diagnostics.md": diagnostics_md, "transforms.md": transforms_md,
         "dataset.md": dataset_md}

if __name__ == "__main__":
    for name, fn in FILES.items():
        (DOCS / name).write_text(fn(), "utf-8")
        print("wrote", DOCS / name)
