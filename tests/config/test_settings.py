"""Configuration loading on pydantic-settings: the layers (embedded defaults, the site file,
``ENSGATE__`` variables), the checks, and the ``reference_data`` paths."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from ensgate.config import load_config
from ensgate.diagnostics import ConfigError

NO_ENV: dict[str, str] = {}


def _site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, "utf-8")
    return path


def test_layers_file_over_defaults_environment_over_both(tmp_path: Path) -> None:
    site = _site(tmp_path, "declarant: {eori: DE123456789012345}\nlrn: {prefix: XY}\n"
                 "filing_policy: {house_wait: 30m}\n")
    config = load_config(site, environ={"ENSGATE__LRN__PREFIX": "ZZ",
                                        "ENSGATE__FILING_POLICY__CONSOLIDATION_WAIT": "2h",
                                        "ENSGATE__CUSTOMS_OFFICES__fra": "DE004552",
                                        "OTHER__LRN__PREFIX": "no"})
    # the file's eori merged into the default declarant (name kept from the defaults)
    assert config.declarant.eori == "DE123456789012345"
    assert config.declarant.name == "ENSGATE DEMO FORWARDING GMBH"
    assert config.lrn_prefix == "ZZ"  # environment wins over the file
    assert config.filing_policy.house_wait == 1800.0
    assert config.filing_policy.consolidation_wait == 7200.0
    # airport keys upper-cased (environment names come lower-cased), the "*" default kept
    assert config.customs_offices == {"*": "{country}DEMO00", "FRA": "DE004552"}
    assert config.source == str(site)
    with pytest.raises(FrozenInstanceError):
        config.lrn_prefix = "no"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "environ", "message"), [
    ("declarant: {eori: DE1, nmae: X}\n", NO_ENV, "declarant.nmae: unknown key"),
    ("lnr: {prefix: X}\n", NO_ENV, "lnr: unknown key"),
    ("filing_policy: {house_wait: soon}\n", NO_ENV,
     "filing_policy.house_wait: 'soon' is not a duration"),
    ("filing_policy: {consolidation_partial: F23}\n", NO_ENV,
     "filing_policy.consolidation_partial: 'F23' is not F21 or F22"),
    ("", {"ENSGATE__MAX_INPUT_BYTES": "lots"}, "max_input_bytes"),
    ("", {"ENSGATE__CARRIERS": "{not json"}, "carriers"),
    ("declarant: {eori: ''}\n", NO_ENV, "declarant.eori: must not be empty"),
    ("ledger: old.db\n", NO_ENV, "set store: to a database URL"),
    ("- a list\n", NO_ENV, "expected a mapping at the top"),
    ("a: [\n", NO_ENV, "not valid YAML"),
])
def test_bad_configuration_named_precisely(tmp_path: Path, text: str,
                                           environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_config(_site(tmp_path, text), environ=environ)


def test_reference_data_paths_relative_to_the_config_file(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    (tmp_path / "conf").mkdir()
    site = tmp_path / "conf" / "site.yaml"
    site.write_text("reference_data:\n  schedules: [ref/lh.ssim, /abs/b.csv]\n"
                    "  parties: parties.csv\n  customs_offices: ../offices.yaml\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    ref = load_config(site, environ=NO_ENV).reference_data
    assert ref.schedules == (tmp_path / "conf" / "ref" / "lh.ssim", Path("/abs/b.csv"))
    assert ref.parties == (tmp_path / "conf" / "parties.csv",)
    assert ref.customs_offices is not None
    assert ref.customs_offices.resolve() == (tmp_path / "offices.yaml").resolve()
    # from the environment: relative to the current folder; one path or a JSON list
    env = load_config(environ={"ENSGATE__REFERENCE_DATA__CUSTOMS_OFFICES": "o.csv",
                               "ENSGATE__REFERENCE_DATA__SCHEDULES": "a.ssim",
                               "ENSGATE__REFERENCE_DATA__PARTIES": '["p.csv", "q.yaml"]'})
    assert env.reference_data.customs_offices == tmp_path / "o.csv"
    assert env.reference_data.schedules == (tmp_path / "a.ssim",)
    assert env.reference_data.parties == (tmp_path / "p.csv", tmp_path / "q.yaml")
    assert not load_config(environ=NO_ENV).reference_data.configured


def test_cli_exits_2_on_a_bad_configuration(tmp_path: Path) -> None:
    site = _site(tmp_path, "filing_policy: {house_wiat: 1h}\n")
    done = subprocess.run([sys.executable, "-m", "ensgate.cli", "translate", "--config",
                           str(site), "--out", str(tmp_path / "out"), str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "filing_policy.house_wiat: unknown key" in done.stderr
