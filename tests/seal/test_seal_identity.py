"""Loading identities and trust; passwords never leak into errors."""

from __future__ import annotations

import pytest

from ensgate.seal import (
    CertificateError,
    DemoCerts,
    check_certificate,
    load_identity,
    load_trust,
    verify_chain,
)


def test_pkcs12_and_pem_give_the_same_identity(demo: DemoCerts) -> None:
    p12 = load_identity(demo.seal_p12, password=demo.password)
    pem = load_identity(demo.seal, key_path=demo.seal_key)
    assert p12.chain == pem.chain and len(p12.chain) == 3
    assert p12.key.public_key().public_numbers() == pem.key.public_key().public_numbers()
    assert p12.certificate.issuer == p12.chain[1].subject  # leaf first
    assert p12.chain[2].issuer == p12.chain[2].subject      # root last


def test_password_sources(demo: DemoCerts, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    pw_file = tmp_path / "pw"
    pw_file.write_bytes(demo.password + b"\n")
    assert load_identity(demo.seal_p12, password_file=pw_file).chain
    monkeypatch.setenv("MY_SEAL_PW", demo.password.decode())
    assert load_identity(demo.seal_p12, password_env="MY_SEAL_PW").chain
    monkeypatch.delenv("MY_SEAL_PW")
    with pytest.raises(CertificateError, match="MY_SEAL_PW"):
        load_identity(demo.seal_p12, password_env="MY_SEAL_PW")


def test_wrong_password_is_not_echoed(demo: DemoCerts) -> None:
    secret = b"Sup3r-Secret-Passw0rd"
    with pytest.raises(CertificateError) as info:
        load_identity(demo.seal_p12, password=secret)
    assert "wrong password" in str(info.value)
    assert secret.decode() not in str(info.value) and secret.decode() not in repr(info.value)


def test_key_that_does_not_match_the_certificate(demo: DemoCerts) -> None:
    with pytest.raises(CertificateError, match="matches the private key"):
        load_identity(demo.seal, key_path=demo.tls_client_key)


def test_trust_and_chain(demo: DemoCerts) -> None:
    trust = load_trust(demo.ca)
    ident = load_identity(demo.customs_seal_p12, password=demo.password)
    path = verify_chain(ident.chain, trust=trust)
    assert [c.subject for c in path] == [c.subject for c in ident.chain]
    with pytest.raises(CertificateError, match="no CA certificate"):
        load_trust(demo.seal_key)


def test_certificate_report(demo: DemoCerts) -> None:
    trust = load_trust(demo.ca)
    seal = load_identity(demo.seal_p12, password=demo.password)
    ok = check_certificate(seal.chain, trust=trust, eori=demo.eori)
    assert ok.ok and ok.eori_found == "organizationIdentifier"
    assert "content_commitment" in ok.key_usage
    tls = load_identity(demo.tls_server_p12, password=demo.password)
    bad = check_certificate(tls.chain[:1], trust=trust, eori=demo.eori)
    assert not bad.ok
    text = " | ".join(bad.problems)
    assert "does not name EORI" in text and "full chain" in text and "trusted CA" in text
