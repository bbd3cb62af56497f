"""``ensgate apikey add NAME`` prints a key once; the store holds its sha256, never the key;
a revoked key no longer opens the API."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from ensgate.cli import main
from ensgate.store import Store


def test_apikey_add_prints_once_and_stores_only_the_hash(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    url = f"sqlite:///{db}"
    run = CliRunner().invoke(main, ["apikey", "add", "hub", "--store", url])
    assert run.exit_code == 0, run.output
    key = run.output.strip()
    assert key.startswith("eg_") and len(key) > 40
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert key.encode() not in raw
    assert hashlib.sha256(key.encode()).hexdigest().encode() in raw
    with Store.open(url) as store:
        assert store.api_key_name(key) == "hub"
        assert store.api_key_name(key + "x") is None
    again = CliRunner().invoke(main, ["apikey", "add", "hub", "--store", url])
    assert again.exit_code == 2 and "exists already" in again.output
    assert CliRunner().invoke(main, ["apikey", "revoke", "hub", "--store", url]).exit_code == 0
    with Store.open(url) as store:
        assert store.api_key_name(key) is None
