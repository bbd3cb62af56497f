"""``ensgate map test``: golden pairs pass, a changed expected file fails with a readable XML
diff and exit 1, ``--update`` re-blesses, reject cases, missing expected files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _authoring_helpers import ROOT
from click.testing import CliRunner
from lxml import etree

from ensgate.authoring import find_cases, run_case
from ensgate.cli import main
from ensgate.mapping._spec import load_spec

CASES = ROOT / "tests" / "mappings"


CASE_FOLDERS = sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", CASE_FOLDERS, ids=lambda p: p.name)
def test_committed_golden_pairs_pass(folder: Path, in_root: Path) -> None:
    """tests/mappings/<spec id>/: every case of every built-in spec's folder passes (after a
    reviewed change: ensgate map test mappings/<spec id>.yaml --update)."""
    spec = ROOT / "mappings" / f"{folder.name}.yaml"
    assert spec.exists(), f"{folder} names no built-in spec"
    res = CliRunner().invoke(main, ["map", "test", f"mappings/{folder.name}.yaml"])
    assert res.exit_code == 0, res.output
    assert "pass" in res.output and "fail" not in res.output


def _copy_case(tmp: Path, name: str) -> Path:
    dst = tmp / "cases"
    dst.mkdir(exist_ok=True)
    for f in (CASES / "cargoimp-fwb").glob(name + ".*"):
        shutil.copy(f, dst / f.name)
    yaml_file = dst / f"{name}.yaml"
    if yaml_file.exists():  # companions are relative to the case: point them at samples/
        yaml_file.write_text(yaml_file.read_text("utf-8").replace(
            "../../../samples", str(ROOT / "samples")), "utf-8")
    return dst


def test_a_changed_value_fails_with_a_diff_and_update_reblesses(tmp_path: Path) -> None:
    cases = _copy_case(tmp_path, "s3-direct-security")
    expected = cases / "s3-direct-security.ens.xml"
    original = expected.read_text("utf-8")
    assert "<city>WIEN</city>" in original
    expected.write_text(original.replace("<city>WIEN</city>", "<city>VIENNA</city>"), "utf-8")
    runner = CliRunner()
    spec = str(ROOT / "mappings" / "cargoimp-fwb.yaml")
    junit = tmp_path / "junit.xml"
    res = runner.invoke(main, ["map", "test", spec, str(cases), "--junit", str(junit)])
    assert res.exit_code == 1
    suite = etree.parse(str(junit)).getroot()
    assert suite.get("failures") == "1" and "VIENNA" in suite.findtext("testcase/failure")
    lines = res.output.splitlines()
    assert any(x.startswith("-") and x.strip("- ") == "<city>VIENNA</city>" for x in lines)
    assert any(x.startswith("+") and x.strip("+ ") == "<city>WIEN</city>" for x in lines)
    assert "--- expected/s3-direct-security.ens.xml" in lines
    assert "MTS001" in res.output
    res = runner.invoke(main, ["map", "test", spec, str(cases), "--update"])
    assert res.exit_code == 0 and "updated" in res.output
    assert expected.read_text("utf-8") == original
    assert runner.invoke(main, ["map", "test", spec, str(cases)]).exit_code == 0


def test_layout_of_the_expected_file_does_not_matter(tmp_path: Path) -> None:
    cases = _copy_case(tmp_path, "s3-direct-security")
    expected = cases / "s3-direct-security.ens.xml"
    expected.write_text(expected.read_text("utf-8").replace("\n      <", "\n<"), "utf-8")
    spec = load_spec(ROOT / "mappings" / "cargoimp-fwb.yaml")
    (case,) = find_cases([cases])
    assert run_case(spec, case).status == "pass"


def test_new_case_without_expected_file(tmp_path: Path) -> None:
    cases = _copy_case(tmp_path, "s3-direct-security")
    (cases / "s3-direct-security.ens.xml").unlink()
    res = CliRunner().invoke(main, ["map", "test", str(ROOT / "mappings/cargoimp-fwb.yaml"),
                                    str(cases)])
    assert res.exit_code == 1 and "MTS003" in res.output and "new" in res.output


def test_pending_case_and_a_wait_that_was_not_expected(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "mappings" / "cargoimp-fwb.yaml")
    cases = _copy_case(tmp_path, "s4-no-flight-manifest")
    (case,) = find_cases([cases])
    assert case.pending == "flight times"
    assert run_case(spec, case).status == "pass"
    (cases / "s4-no-flight-manifest.yaml").write_text("pending: house data\n", "utf-8")
    (case,) = find_cases([cases])
    assert run_case(spec, case).status == "fail"
    (cases / "s4-no-flight-manifest.yaml").write_text("# no wait expected\n", "utf-8")
    (case,) = find_cases([cases])
    res = run_case(spec, case)
    assert res.status == "error"
    assert any(d.code == "MTS002" and "pending: flight times" in (d.found or "")
               for d in res.diagnostics)


def test_reject_case_and_a_reject_that_was_not_expected(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "mappings" / "cargoimp-fwb.yaml")
    cases = _copy_case(tmp_path, "s3-direct-security")
    # the consignee's postcode gone: an error (C3034) no other message can fix
    fwb = cases / "s3-direct-security.txt"
    text = fwb.read_text("latin-1")
    assert "/AT/1230/TE/" in text
    fwb.write_text(text.replace("/AT/1230/TE/", "/AT//TE/"), "latin-1")
    meta = cases / "s3-direct-security.yaml"
    meta.write_text(meta.read_text("utf-8") + "reject: [ICS002]\n", "utf-8")
    (case,) = find_cases([cases])
    assert case.reject == ("ICS002",)
    assert run_case(spec, case).status == "pass", run_case(spec, case).diagnostics
    meta.write_text(meta.read_text("utf-8").replace("reject: [ICS002]\n", ""), "utf-8")
    (case,) = find_cases([cases])
    res = run_case(spec, case)
    assert res.status == "error"
    assert any(d.code == "ICS002" for d in res.diagnostics)


def test_no_cases_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["map", "test", str(ROOT / "mappings/cargoimp-fwb.yaml"),
                                    str(tmp_path)])
    assert res.exit_code == 2


def test_a_companion_pattern_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    cases = _copy_case(tmp_path, "s3-direct-security")
    (cases / "s3-direct-security.yaml").write_text('with: ["../nowhere/*.txt"]\n', "utf-8")
    spec = load_spec(ROOT / "mappings" / "cargoimp-fwb.yaml")
    (case,) = find_cases([cases])
    res = run_case(spec, case)
    assert res.status == "error" and "matches no file" in res.diagnostics[0].message
