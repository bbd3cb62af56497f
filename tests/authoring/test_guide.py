"""The worked example of docs/mapping-guide.md is real: its spec loads, lints clean, and files
the sample FWB as an IE3F26 that passes schema and rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from _authoring_helpers import ROOT, SAMPLES

from ensgate.authoring import explain, find_cases, lint_spec, run_case, run_files
from ensgate.mapping._spec import load_spec

GUIDE = ROOT / "docs" / "mapping-guide.md"


def _guide_spec(tmp_path: Path) -> Path:
    text = GUIDE.read_text("utf-8")
    m = re.search(r"<!-- guide-spec: (\S+).*?-->\n```yaml\n(.*?)```", text, re.S)
    assert m is not None
    path = tmp_path / m.group(1)
    path.write_text(m.group(2), "utf-8")
    return path


def test_the_guide_spec_lints_clean_and_files_an_ie3f26(tmp_path: Path) -> None:
    spec_path = _guide_spec(tmp_path)
    for filings in (None, ("F26",)):
        report = lint_spec(spec_path, filings=filings)
        assert report.spec is not None and report.errors == 0, [str(d) for d in
                                                                report.diagnostics]
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(SAMPLES / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt",
                cases / "s3-direct.txt")
    (cases / "s3-direct.yaml").write_text("filing: F26\n", "utf-8")
    spec = load_spec(spec_path)
    (case,) = find_cases([cases])
    assert run_case(spec, case, update=True).status == "updated"
    xml = (cases / "s3-direct.ens.xml").read_text("utf-8")
    assert xml.count("<IE3F26") == 1 and "<identifier>+43 1 8690412</identifier>" in xml
    assert run_case(spec, case).status == "pass"


def test_the_guide_explain_output_is_what_explain_says(tmp_path: Path) -> None:
    spec_path = _guide_spec(tmp_path)
    run = run_files(spec_path, [SAMPLES / "cargo-imp" /
                                "s3-fwb17-direct-180-88351270-icn-vie-security.txt"],
                    filing="F26")
    ex = explain(run, "/IE3F26/consignmentMasterLevel/consignmentHouseLevel/consignee/"
                      "communication/identifier")
    assert ex is not None and ex.result == "+43 1 8690412"
    guide = GUIDE.read_text("utf-8")
    assert f"rule: my-fwb.yaml:{ex.row.rule.line} [identifier]" in guide  # type: ignore[union-attr]
    assert "phone_e123(country='AT'): '4318690412' -> '+43 1 8690412'" in guide
