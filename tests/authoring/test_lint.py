"""``ensgate map lint``: each listed mistake caught in a deliberately broken spec, with its
spec line and rule id; the built-in specs lint clean of errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from _authoring_helpers import DATA, builtin_spec_files, marker_line
from click.testing import CliRunner

from ensgate.authoring import lint_spec
from ensgate.cli import main

BROKEN = DATA / "broken-fwb.yaml"


def _find(report_diags: tuple, code: str, line: int) -> list:  # type: ignore[type-arg]
    return [d for d in report_diags if d.code == code and d.rule and d.rule.line == line]


@pytest.fixture(scope="module")
def broken():  # type: ignore[no-untyped-def]
    return lint_spec(BROKEN, filings=("F28",))


@pytest.mark.parametrize(("marker", "code", "needle"), [
    ("unknown-field", "LNT001", "wieght"),
    ("unknown-record", "LNT001", "awbx"),
    ("climb", "LNT001", "climbs"),
    ("selector-pattern", "LNT003", "CNEE"),
    ("selector-field", "LNT003", "party"),
    ("selector-twice", "LNT003", "two values"),
    ("unused-lookup", "LNT005", "unused_table"),
    ("unused-let", "LNT006", "never_used"),
    ("filter-args", "LNT007", "truncate"),
    ("filter-missing", "LNT007", "item"),
    ("undefined-var", "LNT009", "route_airprots"),
])
def test_each_mistake_is_reported_at_its_line(broken, marker: str, code: str,  # type: ignore[no-untyped-def]
                                              needle: str) -> None:
    hits = _find(broken.diagnostics, code, marker_line(BROKEN, marker))
    assert hits, f"{code} not reported at the {marker} line"
    assert any(needle in d.message for d in hits)
    assert all(d.rule.spec == str(BROKEN) for d in hits)


def test_mandatory_fields_without_rule_or_none(broken) -> None:  # type: ignore[no-untyped-def]
    missing = {d.rule.rule_id for d in broken.diagnostics if d.code == "LNT004"}
    # mapped fields are not reported, unmapped mandatory ones are
    assert "master.consignee.name" in missing and "transport.estimated_arrival" in missing
    assert "master.document_number" not in missing and "master.document_type" not in missing
    assert all(d.is_error for d in broken.diagnostics if d.code == "LNT004")


def test_none_with_reason_silences_a_mandatory_field(tmp_path: Path) -> None:
    text = BROKEN.read_text("utf-8").replace(
        "  master.document_number: {from: awb.number}",
        "  master.document_number: {from: awb.number}\n"
        "  transport.estimated_arrival: {none: \"the FFM gives it\"}")
    spec = tmp_path / "fixed.yaml"
    spec.write_text(text, "utf-8")
    missing = {d.rule.rule_id for d in lint_spec(spec, filings=("F28",)).diagnostics
               if d.code == "LNT004"}
    assert "transport.estimated_arrival" not in missing
    assert "transport.estimated_departure" in missing


def test_correct_paths_give_no_path_finding(broken) -> None:  # type: ignore[no-untyped-def]
    ok_lines = {marker_line(BROKEN, "unknown-field") - 3}  # master.document_number
    assert not [d for d in broken.diagnostics if d.rule.line in ok_lines]


@pytest.mark.parametrize(("marker", "needle"), [
    ("unknown-top-key", "colour"), ("unknown-rule-key", "transfrom"),
    ("transform-arg", "units"), ("transform-missing", "max"),
    ("unknown-target", "not_a_field"),
])
def test_schema_errors_cite_their_line(marker: str, needle: str) -> None:
    spec = DATA / "broken-schema.yaml"
    report = lint_spec(spec)
    assert report.spec is None
    hits = [d for d in report.diagnostics if d.rule.line == marker_line(spec, marker)]
    assert hits and needle in hits[0].message and hits[0].code == "MAP002"


def test_cli_exit_codes(in_root: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["map", "lint", str(BROKEN), "--filing", "F28"])
    assert bad.exit_code == 1
    assert f"{BROKEN}:{marker_line(BROKEN, 'unknown-field')}" in bad.output
    good = runner.invoke(main, ["map", "lint", "cargoimp-fwb"])
    assert good.exit_code == 0, good.output
    assert "mappings/cargoimp-fwb.yaml: 0 error(s)" in good.output
    js = runner.invoke(main, ["map", "lint", str(BROKEN), "--diagnostics", "json"])
    assert '"code": "LNT001"' in js.output


@pytest.mark.parametrize("spec", builtin_spec_files(), ids=lambda p: p.stem)
def test_every_builtin_spec_lints(spec: Path) -> None:
    report = lint_spec(spec)
    assert report.spec is not None, [str(d) for d in report.diagnostics]
    if spec.stem.startswith("cargoimp-"):  # reader contract declared: must be clean
        assert report.diagnostics == (), [str(d) for d in report.diagnostics]
    assert report.filings


def test_corpus_paths_give_warnings_only(in_root: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["map", "lint", "cargoimp-fwb", "--corpus", "samples/cargo-imp"])
    # the corpus has no FWB with a notify state: a warning (a corpus may be incomplete)
    assert res.exit_code == 0, res.output
    assert "LNT002" in res.output and "'$.notify.state'" in res.output
    strict = runner.invoke(main, ["map", "lint", "cargoimp-fwb", "--corpus",
                                  "samples/cargo-imp", "--strict"])
    assert strict.exit_code == 1
    assert runner.invoke(main, ["map", "lint", "cargoimp-fwb", "--filing", "F99"]).exit_code == 2


def test_a_reader_can_declare_its_paths(tmp_path: Path) -> None:
    from ensgate.authoring import KnownPaths, known_paths, register_known_paths
    from ensgate.authoring._known import _PROVIDERS

    spec = tmp_path / "acme.yaml"
    spec.write_text("ensgate-mapping: 1\nsource: {format: acme-test, message: BOOK}\n"
                    "produces: master\nfields:\n  master.document_number: {from: head.awb}\n"
                    "  master.ucr: {from: head.ucr}\n", "utf-8")
    first = lint_spec(spec, filings=())
    assert [d.code for d in first.diagnostics] == ["LNT008"]  # nothing known: info only
    assert first.errors == 0

    def provider(kind: str) -> KnownPaths | None:
        if kind != "BOOK":
            return None
        kp = KnownPaths(origin="acme reader")
        kp.add("head", "awb")
        return kp

    register_known_paths("acme-test", provider)
    try:
        assert known_paths("acme-test", "BOOK") is not None
        report = lint_spec(spec, filings=())
        (d,) = report.diagnostics
        assert d.code == "LNT001" and d.rule.line == 6 and "'ucr'" in d.message
    finally:
        _PROVIDERS.pop("acme-test", None)
        known_paths.cache_clear()
