"""Every command on every built-in mapping, whatever its source format: lint, doc, new,
trace, explain, coverage and test run on the samples of the spec's message type."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _authoring_helpers import SAMPLES, builtin_spec_files

from ensgate.authoring import (
    coverage,
    explain,
    find_cases,
    lint_spec,
    new_spec,
    read_inputs,
    render_doc,
    run_case,
    run_files,
    trace_rows,
)
from ensgate.mapping._spec import compile_spec, load_spec
from ensgate.readers._source import SourceMessage

REALWORLD = SAMPLES.parent / "tests" / "data"
FOLDERS = [*sorted(p for p in SAMPLES.iterdir() if p.is_dir() and p.name != "problems"),
           *sorted(REALWORLD.glob("*-realworld"))]


@pytest.fixture(scope="module")
def corpus() -> dict[Path, list[SourceMessage]]:
    return {folder: read_inputs([folder]) for folder in FOLDERS}


@pytest.mark.parametrize("spec_file", builtin_spec_files(), ids=lambda p: p.stem)
def test_every_command(spec_file: Path, corpus: dict[Path, list[SourceMessage]],
                       tmp_path: Path) -> None:
    spec = load_spec(spec_file)
    assert lint_spec(spec_file).spec is not None
    some_rule = next(r.target for r in spec.rules) if spec.rules else spec.groups[0].target
    for fmt in ("md", "csv", "html"):
        assert some_rule in render_doc(spec, fmt)
    compile_spec(new_spec(spec.message, fmt=spec.source_format))

    folders = [f for f, msgs in corpus.items()
               if any(spec.matches(m.format, m.kind, m.version) for m in msgs)]
    assert folders, f"no sample of {spec.source_format} {spec.message} in samples/"
    # the first folder where this spec's own rules reach a filing (a CUSCAR master-level CNI,
    # say, is only in the real-world corpus)
    for folder in folders:
        run = run_files(spec, [folder])
        contributes = [s for s in run.shipments if s.filing and any(
            lin.rule is not None and lin.rule.spec == spec.file for lin in s.lineage.values())]
        if contributes:
            break
    assert contributes, f"no sample gives {spec.id} a filing to trace"
    assert coverage(spec, [folder]).messages > 0
    rows = trace_rows(run)
    mine = [r for r in rows if r.rule is not None and r.rule.spec == spec.file]
    assert mine
    for r in mine[:3]:
        assert r.sources or r.note or r.value, r.xpath
        ex = explain(run, r.xpath, rows=rows)
        assert ex is not None and ex.steps and ex.result is not None, r.xpath

    # a golden pair made from one sample message, blessed, then passing
    msg_file = next(Path(m.file) for m in corpus[folder]
                    if spec.matches(m.format, m.kind, m.version)
                    and any(label.startswith(m.file + "#") for s in contributes
                            for label in (x.label for x in s.shipment.messages)))
    case_dir = tmp_path / spec.id
    case_dir.mkdir()
    shutil.copy(msg_file, case_dir / f"case{msg_file.suffix}")
    others = [str(p) for p in sorted(folder.iterdir()) if p.is_file() and p != msg_file
              and not p.name.endswith(".md")]
    (case_dir / "case.yaml").write_text(
        "with: [" + ", ".join(f'"{o}"' for o in others) + "]\n", "utf-8")
    (case,) = find_cases([case_dir])
    first = run_case(spec, case, update=True)
    assert first.status == "updated", [str(d) for d in first.diagnostics]
    assert run_case(spec, case).status == "pass"
