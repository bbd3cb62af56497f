"""Edge cases found in the review of the sealing layer against the ICD and the AS4 profile.

Each test hand-makes one deviation (in the unsigned MIME layer, the token, or a header value
sealed on purpose) and checks the verifier's verdict; the control cases prove the same route
accepts a conforming message."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from _seal_helpers import NS, find, soap_of

from ensgate.connectors.as4 import error_for
from ensgate.seal import (
    CertificateError,
    DemoCerts,
    EnvelopeError,
    PModeMismatchError,
    SealIdentity,
    SignatureError,
    TrustStore,
    WireMessage,
    _build,
    _dsig,
    load_identity,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)


def _seal(ens_xml: bytes, ident: SealIdentity) -> WireMessage:
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    return seal_user_message(ens_xml, header=header, identity=ident)


@pytest.mark.parametrize(("charset", "ok"), [("utf-8", True), ("UTF-8", True),
                                             ("ISO-8859-1", False)])
def test_character_set_must_be_utf8(charset: str, ok: bool, ens_xml: bytes,
                                    seal_id: SealIdentity, trust: TrustStore,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """ICD 4.2.5: "Only utf-8 is allowed" (the Annex 6 example writes UTF-8: same charset)."""
    props = tuple((n, charset if n == "CharacterSet" else v) for n, v in
                  _build.PAYLOAD_PROPERTIES)
    monkeypatch.setattr(_build, "PAYLOAD_PROPERTIES", props)
    wire = _seal(ens_xml, seal_id)
    if ok:
        assert verify_message(wire.content_type, wire.body, trust=trust).payloads[0].data \
            == ens_xml
    else:
        with pytest.raises(PModeMismatchError, match="CharacterSet"):
            verify_message(wire.content_type, wire.body, trust=trust)


def test_gzip_part_must_be_sent_as_application_gzip(ens_xml: bytes, seal_id: SealIdentity,
                                                   trust: TrustStore) -> None:
    """MIME headers are outside the signature; the AS4 compression rule is checked on its
    own and answered EBMS:0007 MimeInconsistency."""
    wire = _seal(ens_xml, seal_id)
    body = wire.body.replace(b"Content-Type: application/gzip", b"Content-Type: text/plain", 1)
    assert body != wire.body
    with pytest.raises(EnvelopeError, match="MIME Content-Type 'text/plain'") as info:
        verify_message(wire.content_type, body, trust=trust)
    assert error_for(info.value).code == "EBMS:0007"


def test_base64_transfer_encoded_payload_still_verifies(ens_xml: bytes, seal_id: SealIdentity,
                                                        trust: TrustStore) -> None:
    """The SwA content transform digests the decoded octets: a sender (or proxy) that sends
    the gzip part base64-encoded, Content-ID without brackets and no ``start`` parameter (the
    phase4 WrongCompression.mime shape) must still verify."""
    wire = _seal(ens_xml, seal_id)
    head, sep, rest = wire.body.rpartition(b"Content-Type: application/gzip\r\n")
    headers, _, tail = rest.partition(b"\r\n\r\n")
    closing = tail.rindex(b"\r\n--")
    gz, end = tail[:closing], tail[closing:]
    cid = re.search(rb"Content-ID: <([^>]+)>", headers)
    assert cid is not None
    encoded = base64.encodebytes(gz).replace(b"\n", b"\r\n")
    body = (head + sep + b"Content-Transfer-Encoding: base64\r\nContent-ID: " + cid.group(1)
            + b"\r\n\r\n" + encoded.rstrip(b"\r\n") + end)
    content_type = re.sub(r'; start="[^"]*"', "", wire.content_type)
    got = verify_message(content_type, body, trust=trust)
    assert got.payloads[0].data == ens_xml


def test_pkipath_with_the_leaf_first_is_named(ens_xml: bytes, seal_id: SealIdentity,
                                              trust: TrustStore,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The token order is root first, leaf last; the reverse is called what it is rather than
    a bare "SignatureValue does not verify"."""
    monkeypatch.setattr(_dsig, "encode_pkipath", lambda chain: _leaf_first(chain))
    monkeypatch.setattr(_dsig, "_TOKEN_CACHE", {})
    wire = _seal(ens_xml, seal_id)
    env, _ = soap_of(wire)
    token = base64.b64decode(find(env, ".//wsse:BinarySecurityToken").text)
    assert len(_dsig.decode_pkipath(token)) == 3
    with pytest.raises(SignatureError, match="leaf certificate first"):
        verify_message(wire.content_type, wire.body, trust=trust)


def _leaf_first(chain: tuple[object, ...]) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    body = b"".join(c.public_bytes(Encoding.DER) for c in chain)  # type: ignore[attr-defined]
    return b"\x30" + _dsig._der_len(len(body)) + body


def test_leaf_only_token_is_refused_even_when_the_issuer_is_trusted(
        ens_xml: bytes, seal_id: SealIdentity) -> None:
    """ICD 4.6.2: "most EOs erroneously include the leaf certificate instead of the full
    certificate chain". A receiver that happens to trust the issuing CA must still refuse it
    (the real TI would), so the simulator catches the mistake."""
    leaf_only = SealIdentity(key=seal_id.key, chain=seal_id.chain[:1])
    wire = _seal(ens_xml, leaf_only)
    with_intermediate = TrustStore(roots=seal_id.chain[1:])
    with pytest.raises(CertificateError, match="full certificate chain"):
        verify_message(wire.content_type, wire.body, trust=with_intermediate)
    full = _seal(ens_xml, seal_id)
    assert verify_message(full.content_type, full.body, trust=with_intermediate).kind == "user"


def test_unsigned_extra_header_and_second_messaging_are_refused(
        ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore) -> None:
    """A second eb:Messaging (unsigned) cannot be slipped in beside the signed one."""
    wire = _seal(ens_xml, seal_id)
    env, _ = soap_of(wire)
    messaging = find(env, "env:Header/eb:Messaging")
    assert messaging is not None
    extra = (b'<eb:Messaging xmlns:eb="' + NS["eb"].encode() + b'"><eb:UserMessage/>'
             b"</eb:Messaging></env:Header>")
    body = wire.body.replace(b"</env:Header>", extra, 1)
    with pytest.raises(EnvelopeError, match="one eb:Messaging"):
        verify_message(wire.content_type, body, trust=trust)


def test_secrets_stay_out_of_errors(demo: DemoCerts, tmp_path: Path) -> None:
    """A wrong password for a PKCS#12 or an encrypted PEM key never appears in the error."""
    from cryptography.hazmat.primitives import serialization

    secret = "S3cret-Passw0rd-XYZ"
    ident = load_identity(demo.seal, key_path=demo.seal_key)
    key_file = tmp_path / "enc.key.pem"
    key_file.write_bytes(ident.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"right-one")))
    for path, key_path in ((demo.seal, key_file), (demo.seal_p12, None)):
        with pytest.raises(CertificateError) as info:
            load_identity(path, key_path=key_path, password=secret.encode())
        assert secret not in str(info.value) and secret not in repr(info.value.args)
        assert info.value.__cause__ is None or secret not in str(info.value.__cause__)


def test_tls_key_password_is_not_in_the_settings_repr(tmp_path: Path) -> None:
    """Settings get logged and show in tracebacks; the TLS key password must not."""
    from ensgate.connectors.as4 import TlsFiles

    files = TlsFiles(ca_file=tmp_path / "ca.pem", cert_file=tmp_path / "c.pem",
                     key_file=tmp_path / "k.pem", key_password=b"S3cret-Passw0rd-XYZ")
    assert "S3cret" not in repr(files) and files.key_password == b"S3cret-Passw0rd-XYZ"


@pytest.mark.parametrize(("host", "expected"), [
    ("ap1.trader.example", "ap1.trader.example"), ("buildbox", "ensgate.invalid"),
    ("localhost", "ensgate.invalid"), ("localhost.localdomain", "ensgate.invalid"),
    ("", "ensgate.invalid")])
def test_message_id_domain_is_a_fqdn(host: str, expected: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """ICD 4.2.1: eb:MessageId is uuid@<FQDN of the sender's access point>."""
    import socket
    import uuid

    from ensgate.seal import _header, new_message_id

    monkeypatch.delenv("ENSGATE_AS4_DOMAIN", raising=False)
    monkeypatch.setattr(socket, "getfqdn", lambda: host)
    _header._fqdn.cache_clear()
    try:
        left, _, right = new_message_id().partition("@")
        assert right == expected and uuid.UUID(left).version == 4
        monkeypatch.setenv("ENSGATE_AS4_DOMAIN", "msh.trader.example")
        _header._fqdn.cache_clear()
        assert new_message_id().endswith("@msh.trader.example")
    finally:
        _header._fqdn.cache_clear()


def test_issuer_without_key_cert_sign_is_no_ca(ens_xml: bytes, seal_id: SealIdentity,
                                               trust: TrustStore) -> None:
    """RFC 5280 4.2.1.3: a CA certificate whose key usage lacks keyCertSign may not issue; a
    leaf "issued" by it does not chain, even though BasicConstraints says cA."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    from ensgate.seal import issue_certificate
    from ensgate.seal._demo import demo_key

    root = seal_id.chain[-1]
    now = datetime.now(UTC)
    bad_key = demo_key("review-bad-ca")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "no-keyCertSign CA")])
    bad_ca = (x509.CertificateBuilder().subject_name(name).issuer_name(root.subject)
              .public_key(bad_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=9))
              .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(
                  digital_signature=True, content_commitment=False, key_encipherment=False,
                  data_encipherment=False, key_agreement=False, key_cert_sign=False,
                  crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
              .sign(demo_key("root"), hashes.SHA256()))
    leaf_key = demo_key("seal")
    leaf = issue_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")]), key=leaf_key,
        issuer=SealIdentity(key=bad_key, chain=(bad_ca, root)))
    wire = _seal(ens_xml, SealIdentity(key=leaf_key, chain=(leaf, bad_ca, root)))
    with pytest.raises(CertificateError, match="does not chain"):
        verify_message(wire.content_type, wire.body, trust=trust)


@pytest.mark.parametrize(("tail", "ok"), [(b"", True), (b"member", True),
                                          (b"garbage", False)])
def test_gzip_members_and_trailing_bytes(tail: bytes, ok: bool, ens_xml: bytes,
                                         seal_id: SealIdentity, trust: TrustStore,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 1952: a gzip file may hold several members (all are inflated); bytes after the
    last member that are no gzip member are EBMS:0303, never silently dropped."""
    import gzip

    from ensgate.seal import DecompressionError

    half = len(ens_xml) // 2
    if tail == b"member":
        packed = gzip.compress(ens_xml[:half], mtime=0) + gzip.compress(ens_xml[half:], mtime=0)
    else:
        packed = gzip.compress(ens_xml, mtime=0) + tail
    monkeypatch.setattr(_build.gzip, "compress", lambda data, **kw: packed)
    wire = _seal(ens_xml, seal_id)
    if ok:
        assert verify_message(wire.content_type, wire.body, trust=trust).payloads[0].data \
            == ens_xml
    else:
        with pytest.raises(DecompressionError):
            verify_message(wire.content_type, wire.body, trust=trust)


def _two_part_message(ens_xml: bytes, ident: SealIdentity, second_type: str) -> WireMessage:
    """A user message with the ENS and one binary attachment (ICD 4.2.5 / Annex 6 shape),
    assembled from the sealing layer's own parts."""
    import gzip

    from ensgate.seal._mime import build_multipart

    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    wire = seal_user_message(ens_xml, header=header, identity=ident)
    env, _ = soap_of(wire)
    um = find(env, "env:Header/eb:Messaging/eb:UserMessage")
    from lxml import etree

    inner = etree.tostring(um).decode()
    inner = re.sub(r' xmlns:\w+="[^"]*"', "", inner)
    part2 = (f'<eb:PartInfo href="cid:att1@x"><eb:PartProperties><eb:Property name="MimeType">'
             f'{second_type}</eb:Property><eb:Property name="CompressionType">application/gzip'
             "</eb:Property></eb:PartProperties></eb:PartInfo></eb:PayloadInfo>")
    inner = inner.replace("</eb:PayloadInfo>", part2)
    cid = re.search(r'href="cid:([^"]+)"', inner)
    assert cid is not None
    gz_ens, gz_att = gzip.compress(ens_xml, mtime=0), gzip.compress(b"%PDF-1.4 x", mtime=0)
    soap = _dsig.sign_envelope(_build._envelope(inner, signed=True),
                               attachments=((cid.group(1), gz_ens), ("att1@x", gz_att)),
                               identity=ident)
    ct, body = build_multipart(soap, [(cid.group(1), "application/gzip", gz_ens),
                                      ("att1@x", "application/gzip", gz_att)])
    return WireMessage(content_type=ct, body=body, message_id="")


@pytest.mark.parametrize(("second_type", "ok"), [("application/pdf", True),
                                                 ("image/jpeg", True),
                                                 ("application/xml", False)])
def test_binary_attachments_are_pdf_or_jpeg(second_type: str, ok: bool, ens_xml: bytes,
                                            seal_id: SealIdentity, trust: TrustStore) -> None:
    """ICD 4.2.5: besides the one business payload, attachments are application/pdf or
    image/jpeg (gzip-compressed); a second XML payload is refused."""
    wire = _two_part_message(ens_xml, seal_id, second_type)
    if ok:
        got = verify_message(wire.content_type, wire.body, trust=trust)
        assert [p.mime_type for p in got.payloads] == ["application/xml", second_type]
        assert got.payloads[1].data == b"%PDF-1.4 x"
    else:
        with pytest.raises(PModeMismatchError, match="attachment cid:att1@x"):
            verify_message(wire.content_type, wire.body, trust=trust)


@pytest.mark.parametrize(("flag", "ok"), [("", True), (' env:mustUnderstand="false"', True),
                                          (' env:mustUnderstand="true"', False)])
def test_unknown_header_marked_must_understand_is_refused(
        flag: str, ok: bool, ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore) -> None:
    """SOAP 1.2 part 1, 5.2.3: an extra header block is ignored unless it must be understood."""
    wire = _seal(ens_xml, seal_id)
    extra = f'<x:Trace xmlns:x="urn:x"{flag}>hop</x:Trace></env:Header>'.encode()
    body = wire.body.replace(b"</env:Header>", extra, 1)
    if ok:
        assert verify_message(wire.content_type, body, trust=trust).kind == "user"
    else:
        with pytest.raises(EnvelopeError, match="mustUnderstand"):
            verify_message(wire.content_type, body, trust=trust)
