"""Regenerate the reference tables in docs/ from the code (diagnostic codes, transforms,
dataset fields). Run: python tools/gen_docs.py; a test checks the files are current."""

from __future__ import annotations

from pathlib import Path

from ensgate import lifecycle
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


def lifecycle_md() -> str:
    lc = lifecycle
    ids = {s: s.replace("-", "_") for s in lc.STATES}
    edges: dict[tuple[str, str], list[str]] = {}
    for t in lc.TRANSITIONS:
        for src in sorted(t.sources, key=list(lc.STATES).index):
            if t.target is not None and t.target != src:
                edges.setdefault((src, t.target), []).append(t.event)
    out = ["# Filing lifecycle\n",
           "Generated from `engine/lifecycle/_table.py` by `tools/gen_docs.py`; a test keeps "
           "them in step. A filing moves only by the events below, each named by its cause: "
           "an ICD message type from customs, a trader action, or a step of ensgate. "
           "`ensgate.lifecycle.next_state(state, event)` gives the next state, or an `LCY001` "
           "diagnostic for a step the ICS2 ICD (v3.30) does not allow. Where the ICD is "
           "silent the row is marked *inferred* and says what was inferred. The issue's "
           "`information-requested` is `info-requested` here (the store's state columns hold "
           "20 characters).\n",
           "Alarm states (a security obligation is open; `report`, `pull` and `file` exit "
           "non-zero): " + ", ".join(f"`{s}`" for s in sorted(lc.ALARM_STATES)) + ".\n",
           "```mermaid", "stateDiagram-v2"]
    for s, i in ids.items():
        if i != s:
            out.append(f'    state "{s}" as {i}')
    out.append(f"    [*] --> {ids[lc.INITIAL_STATE]}")
    for (src, dst), evs in edges.items():
        out.append(f"    {ids[src]} --> {ids[dst]}: {', '.join(evs)}")
    for s in sorted(lc.FINAL_STATES, key=list(lc.STATES).index):
        out.append(f"    {ids[s]} --> [*]")
    out += ["```\n", "Events that leave the state as it is (recorded in the events table) are "
            "in the transition table only.\n",
            "## States\n", "| state | meaning | alarm | what is open |", "|---|---|---|---|"]
    for s, meaning in lc.STATES.items():
        out.append(f"| `{s}` | {meaning} | {'yes' if s in lc.ALARM_STATES else ''} | "
                   f"{lc.OPEN.get(s, '')} |")
    out += ["\n## Events\n", "| event | from | meaning |", "|---|---|---|"]
    for e, (who, meaning) in lc.EVENTS.items():
        out.append(f"| `{e}` | {who} | {meaning} |")
    out += ["\n## Transitions\n",
            "| event | from | to | basis | inferred |", "|---|---|---|---|---|"]
    for t in lc.TRANSITIONS:
        srcs = ", ".join(f"`{s}`" for s in sorted(t.sources, key=list(lc.STATES).index))
        to = "(unchanged)" if t.target is None else f"`{t.target}`"
        out.append(f"| `{t.event}` | {srcs} | {to} | {t.basis} | "
                   f"{'[I]' if t.inferred else ''} |")
    out.append("\nAny other (state, event) pair is refused with `LCY001`; an unknown state or "
               "event with `LCY002`. In the store a refused event changes nothing but is "
               "recorded (an events row from and to the same state, cause "
               "\"refused (LCY001): ...\").")
    return "\n".join(out) + "\n"


FILES = {"diagnostics.md": diagnostics_md, "transforms.md": transforms_md,
         "dataset.md": dataset_md, "lifecycle-states.md": lifecycle_md}

if __name__ == "__main__":
    for name, fn in FILES.items():
        (DOCS / name).write_text(fn(), "utf-8")
        print("wrote", DOCS / name)
