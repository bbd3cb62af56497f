"""``ensgate certs demo|check`` and ``ensgate seal``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ensgate.cli import main
from ensgate.config import load_config
from ensgate.seal import WireMessage, load_trust, verify_message

FILES = ["ca.pem", "intermediate.pem", "README.md"] + [
    f"{stem}{ext}" for stem in ("seal", "tls-client", "tls-server", "customs-seal")
    for ext in (".pem", ".key.pem", ".p12")]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "demo"
    res = CliRunner().invoke(main, ["certs", "demo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_certs_demo_writes_the_layout(demo_dir: Path) -> None:
    assert sorted(p.name for p in demo_dir.iterdir()) == sorted(FILES)
    readme = (demo_dir / "README.md").read_text()
    for name in ("ca.pem", "seal.p12", "tls-client", "tls-server", "customs-seal", "`demo`",
                 load_config().declarant.eori):
        assert name in readme
    # private keys are readable by their owner only; certificates are public
    for p in demo_dir.iterdir():
        mode = p.stat().st_mode & 0o777
        if p.name.endswith((".key.pem", ".p12")):
            assert mode == 0o600, p.name
        else:
            assert not mode & 0o022, p.name


def test_certs_check(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    ok = runner.invoke(main, ["certs", "check", str(demo_dir / "seal.p12"),
                              "--trust", str(demo_dir / "ca.pem")])
    assert ok.exit_code == 0, ok.output
    assert "organizationIdentifier" in ok.output and "OK" in ok.output
    other = runner.invoke(main, ["certs", "check", str(demo_dir / "seal.p12"), "--trust",
                                 str(demo_dir / "ca.pem"), "--eori", "FR123456789"])
    assert other.exit_code == 1 and "does not name EORI FR123456789" in other.output
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "Wr0ngSecretValue")
    bad = runner.invoke(main, ["certs", "check", str(demo_dir / "seal.p12")])
    assert bad.exit_code == 2 and "wrong password" in bad.output
    assert "Wr0ngSecretValue" not in bad.output


def test_seal_writes_the_wire_message(demo_dir: Path, ens_xml: bytes, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    src = tmp_path / "ens.xml"
    src.write_bytes(ens_xml)
    out = tmp_path / "msg.as4"
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(demo_dir),
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    head, _, _ = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"Content-Type: multipart/related;") and b"\n" not in head
    wire = WireMessage.from_bytes(raw)
    got = verify_message(wire.content_type, wire.body, trust=load_trust(demo_dir / "ca.pem"))
    assert got.header is not None
    root_name = etree.QName(etree.fromstring(ens_xml)).localname
    assert got.header.action == root_name
    # the access point operator's EORI, named by the seal (the demo seal names the demo
    # declarant; test_seal_party_is_the_access_point_operator has them differ)
    assert got.header.sender.party_id == load_config().declarant.eori
    assert got.payloads[0].data == ens_xml


def test_seal_party_is_the_access_point_operator(ens_xml: bytes, tmp_path: Path) -> None:
    """ICD 4.2.2.1: the sender party is the registered system actor (here an IT service
    provider whose seal names its own EORI), not the declarant of the filing."""
    itsp = "NL000ITSP00001"
    assert itsp != load_config().declarant.eori
    folder = tmp_path / "itsp"
    assert CliRunner().invoke(main, ["certs", "demo", "--out", str(folder),
                                     "--eori", itsp]).exit_code == 0
    src = tmp_path / "ens.xml"
    src.write_bytes(ens_xml)
    out = tmp_path / "msg.as4"
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wire = WireMessage.from_bytes(out.read_bytes())
    got = verify_message(wire.content_type, wire.body, trust=load_trust(folder / "ca.pem"))
    assert got.header is not None and got.header.sender.party_id == itsp
    # certs check no longer wants the declarant's EORI in the operator's seal
    res = CliRunner().invoke(main, ["certs", "check", str(folder / "seal.pem"), "--key",
                                    str(folder / "seal.key.pem"), "--trust",
                                    str(folder / "ca.pem")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["certs", "check", str(folder / "seal.pem"), "--key",
                                    str(folder / "seal.key.pem"), "--trust",
                                    str(folder / "ca.pem"), "--eori",
                                    load_config().declarant.eori])
    assert res.exit_code == 1, res.output


def test_seal_option_party_and_bad_input(demo_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    src = tmp_path / "bad.xml"
    src.write_bytes(b"<IE3F26><unclosed></IE3F26>")
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(demo_dir),
                                    "--out", str(tmp_path / "x")])
    assert res.exit_code == 1 and not (tmp_path / "x").exists()
    src.write_bytes(b"<IE3F26 xmlns='urn:x'/>")
    res = CliRunner().invoke(main, ["seal", str(src), "--identity",
                                    str(demo_dir / "seal.pem"), "--key",
                                    str(demo_dir / "seal.key.pem"), "--party-id", "bad id",
                                    "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "party id" in res.output


def test_seal_with_a_demo_folder_needs_no_password(demo_dir: Path, ens_xml: bytes,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented route (`certs demo`, then `seal --certs`) uses the PEM pair; only a
    folder with nothing but seal.p12 needs the PKCS#12 password."""
    monkeypatch.delenv("ENSGATE_CERT_PASSWORD", raising=False)
    src = tmp_path / "ens.xml"
    src.write_bytes(ens_xml)
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(demo_dir),
                                    "--out", str(tmp_path / "msg.as4")])
    assert res.exit_code == 0, res.output
    only_p12 = tmp_path / "p12only"
    only_p12.mkdir()
    (only_p12 / "seal.p12").write_bytes((demo_dir / "seal.p12").read_bytes())
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(only_p12),
                                    "--out", str(tmp_path / "msg2.as4")])
    assert res.exit_code == 2 and "ENSGATE_CERT_PASSWORD" in res.output
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    res = CliRunner().invoke(main, ["seal", str(src), "--certs", str(only_p12),
                                    "--out", str(tmp_path / "msg2.as4")])
    assert res.exit_code == 0, res.output
