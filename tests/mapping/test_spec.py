"""Spec loading: valid built-in specs, and errors that cite spec file, line and rule id."""

from __future__ import annotations

from pathlib import Path

import pytest

from ensgate.diagnostics import SpecError
from ensgate.mapping._spec import builtin_specs, compile_spec

HEAD = """ensgate-mapping: 1
id: t
source: {format: cargo-imp, message: FWB}
produces: master
"""


def errors(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(SpecError) as exc:
        compile_spec(text, file="t.yaml")
    return [(d.code, d.rule.line if d.rule else None, d.message) for d in exc.value.diagnostics]


def test_builtin_specs_compile() -> None:
    specs = {s.id: s for s in builtin_specs()}
    assert set(specs) >= {"cargoimp-fwb", "cargoimp-fhl", "cargoimp-fzb", "cargoimp-ffm"}
    assert specs["cargoimp-fwb"].message == "FWB"
    assert specs["cargoimp-fwb"].versions == ("16", "17")


def test_unknown_dataset_field_is_reported_with_its_line() -> None:
    found = errors(HEAD + "fields:\n  master.document_number: awb.number\n"
                   "  master.consignee.nmae: consignee.name.text\n")
    assert found[0][0] == "MAP002"
    assert found[0][1] == 7
    assert "master.consignee.nmae" in found[0][2]


def test_unknown_transform_and_bad_arguments() -> None:
    found = errors(HEAD + "fields:\n  master.total_gross_mass:\n    from: awb.weight\n"
                   "    transform: [kilos]\n  master.total_packages:\n"
                   "    from: awb.pieces\n    transform: [{kg: {unit: K, scale: 2}}]\n")
    msgs = [m for _, _, m in found]
    assert any("unknown transform 'kilos'" in m for m in msgs)
    assert any("has no argument(s) scale" in m for m in msgs)


def test_bad_path_expression_and_undefined_lookup() -> None:
    found = errors(HEAD + "fields:\n  master.document_number: 'awb..number'\n"
                   "  master.method_of_payment: {from: cvd.payment, lookup: nowhere}\n"
                   "  master.customs_value: {expr: 'path(\"cvd.customs_value\") |'}\n")
    codes_lines = {(c, line) for c, line, _ in found}
    assert ("MAP002", 6) in codes_lines
    assert ("MAP002", 7) in codes_lines
    assert ("MAP002", 8) in codes_lines


def test_yaml_syntax_error_is_map001_with_line() -> None:
    found = errors(HEAD + "fields:\n  master.document_number: [unclosed\n")
    assert found[0][0] == "MAP001"
    assert found[0][1] is not None


def test_spec_header_is_checked() -> None:
    found = errors("id: x\nsource: {format: cargo-imp}\nproduces: everything\n")
    msgs = " ".join(m for _, _, m in found)
    assert "ensgate-mapping: 1" in msgs
    assert "source must give format and message" in msgs
    assert "produces" in msgs


def test_builtin_specs_compile_once_per_process_and_lookup_is_live(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch must not recompile the built-in specs (a regression once cost ~300 ms per
    translate_bytes call); finding a spec by name looks at the file system each time."""
    from ensgate.mapping._spec import builtin_specs, find_spec

    assert builtin_specs() is builtin_specs()
    monkeypatch.chdir(tmp_path)
    assert find_spec("my-spec.yaml") is None
    (tmp_path / "my-spec.yaml").write_text("x")
    assert find_spec("my-spec.yaml") == "my-spec.yaml"
