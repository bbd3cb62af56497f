"""Site transforms through the ``ensgate.transforms`` entry point group: a real installed
distribution (dist-info with entry_points.txt on sys.path), loaded, run and known to lint."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _authoring_helpers import SAMPLES

from ensgate.authoring import lint_spec, run_files
from ensgate.diagnostics import SpecError
from ensgate.mapping._spec import _sandbox, compile_spec, use_plugin_transforms
from ensgate.mapping._transforms import PLUGIN_GROUP, TRANSFORMS

MODULE = '''
def shout(value, notes, suffix="!"):
    """Upper case plus a suffix (a site's own house rule)."""
    return value.upper() + suffix


def pad(value, notes, width):
    """Left-pad with zeros to ``width`` (required)."""
    return value.rjust(int(width), "0")


def count_all(values, notes):
    return str(len(values))


count_all.takes_list = True
'''


@pytest.fixture()
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "ensgate_site_demo.py").write_text(MODULE, "utf-8")
    info = tmp_path / "ensgate_site_demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ensgate-site-demo\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text(
        f"[{PLUGIN_GROUP}]\nshout = ensgate_site_demo:shout\npad = ensgate_site_demo:pad\n"
        "count_all = ensgate_site_demo:count_all\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    added = use_plugin_transforms(refresh=True)
    try:
        yield tmp_path
    finally:
        for name in added:
            TRANSFORMS.pop(name, None)
        _sandbox.cache_clear()
        sys.modules.pop("ensgate_site_demo", None)


SPEC = """ensgate-mapping: 1
id: site-fwb
source: {{format: cargo-imp, message: FWB}}
produces: master
key: awb.number
fields:
  master.document_number: {{from: awb.number}}
{body}
"""


def test_plugin_transforms_are_registered_with_their_signature(plugin: Path) -> None:
    assert TRANSFORMS["shout"].args == ("suffix",) and TRANSFORMS["shout"].required == ()
    assert TRANSFORMS["pad"].required == ("width",)
    assert TRANSFORMS["count_all"].takes_list


def test_a_plugin_transform_runs_in_a_spec(plugin: Path, tmp_path: Path) -> None:
    spec = tmp_path / "site.yaml"
    spec.write_text(SPEC.format(body=(
        "  master.consignee.name: {from: $.consignee.name.text, transform: [join, shout]}\n"
        "  master.ucr: {from: awb.pieces, transform: [{pad: {width: 6}}]}\n"
        "  master.total_packages: {from: $.oci.text, transform: count_all}")), "utf-8")
    fwb = SAMPLES / "cargo-imp" / "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
    run = run_files(spec, [fwb], render=False)
    master = run.fragments[0].data["master"]
    assert master["consignee"]["name"] == "ALPENLAND DIAGNOSTIK GMBH!"
    assert master["ucr"] == "000005"
    assert int(master["total_packages"]) > 1


def test_lint_knows_plugin_signatures(plugin: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    missing.write_text(SPEC.format(body="  master.ucr: {from: awb.pieces, transform: pad}"))
    report = lint_spec(missing)
    assert report.spec is None
    assert any("pad needs argument(s) width" in d.message for d in report.diagnostics)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(SPEC.format(
        body="  master.ucr: {from: awb.pieces, transform: [{pad: {widht: 3}}]}"))
    assert any("pad has no argument(s) widht" in d.message
               for d in lint_spec(wrong).diagnostics)
    expr = tmp_path / "expr.yaml"
    expr.write_text(SPEC.format(body="  master.ucr: {expr: \"path('awb.pieces') | pad\"}"))
    hits = [d for d in lint_spec(expr, filings=()).diagnostics if d.code == "LNT007"]
    assert hits and hits[0].rule.line == 8  # the master.ucr line


def test_without_the_plugin_the_name_is_unknown() -> None:
    assert "shout" not in TRANSFORMS
    with pytest.raises(SpecError, match="unknown transform 'shout'"):
        compile_spec(SPEC.format(body="  master.ucr: {from: awb.pieces, transform: shout}"))
