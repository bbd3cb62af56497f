"""WS-Security 1.1.1 signatures as eDelivery AS4 / ICS2 use them, on lxml and cryptography.

Why not signxml or xmlsec: neither resolves ``cid:`` references to MIME attachments nor applies
the SwA ``Attachment-Content-Signature-Transform``, and an AS4 signature always covers the
payload attachment. The subset here is small and fixed by the ICD: exclusive C14N (with the
``InclusiveNamespaces`` prefix list on SignedInfo), SHA-256 digests, RSA-SHA256 (PKCS#1 v1.5),
a BinarySecurityToken of type X509PKIPathv1 referenced from KeyInfo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from ..xmlsafe import hardened_parser
from . import _ns as ns
from ._errors import CertificateError, SignatureError
from ._identity import SealIdentity, TrustStore, _is_ca, verify_chain

DEFAULT_PREFIXES = ("env",)  # [I] ICD Annex 6: PrefixList="env" (the SOAP envelope prefix)


@dataclass(frozen=True, kw_only=True)
class SignedReference:
    """One verified ds:Reference: its URI, DigestValue (base64) and the raw element."""

    uri: str
    digest: str
    element: Any  # the lxml ds:Reference element


@dataclass(frozen=True, kw_only=True)
class SignatureCheck:
    """What a verified signature vouches for."""

    signer: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # leaf first, as sent (PKIPath reversed)
    references: tuple[SignedReference, ...]
    signed_ids: frozenset[str]            # same-document ids covered
    signed_cids: frozenset[str]           # attachment content ids covered
    token_type: str


def c14n(el: Any, prefixes: Sequence[str] | None = None, *, exclusive: bool = True) -> bytes:
    """Canonical form of ``el`` (in its document context), exclusive by default. A part that
    cannot be canonicalised (libxml2 refuses, e.g., a relative namespace URI) cannot have been
    signed: SignatureError."""
    try:
        out: bytes = etree.tostring(el, method="c14n", exclusive=exclusive, with_comments=False,
                                    inclusive_ns_prefixes=list(prefixes) if prefixes else None)
    except etree.C14NError:
        raise SignatureError(f"{etree.QName(el).localname} cannot be canonicalised (exclusive "
                             "C14N): it was not signed as it is") from None
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sha256_b64(data: bytes) -> str:
    return _b64(hashlib.sha256(data).digest())


# --- PKIPath (a DER SEQUENCE OF Certificate, root first, leaf last) -----------------------

def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def encode_pkipath(chain_leaf_first: Sequence[x509.Certificate]) -> bytes:
    """X509PKIPathv1 token bytes: the chain reversed so that the leaf is LAST."""
    body = b"".join(c.public_bytes(Encoding.DER) for c in reversed(chain_leaf_first))
    return b"\x30" + _der_len(len(body)) + body


_TOKEN_CACHE: dict[int, tuple[tuple[x509.Certificate, ...], str]] = {}


def _token_text(chain: tuple[x509.Certificate, ...]) -> str:
    """Base64 PKIPath of an identity's chain, remembered per chain object (hashing
    certificates costs more than the lookup saves, so the key is the tuple's identity)."""
    hit = _TOKEN_CACHE.get(id(chain))
    if hit is not None and hit[0] is chain:
        return hit[1]
    if len(_TOKEN_CACHE) > 64:
        _TOKEN_CACHE.clear()
    text = _b64(encode_pkipath(chain))
    _TOKEN_CACHE[id(chain)] = (chain, text)
    return text


def _read_tlv(data: bytes, pos: int) -> tuple[int, int]:
    """(start of value, end of value) of the DER TLV at ``pos``."""
    if pos + 2 > len(data):
        raise SignatureError("PKIPath token is truncated")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        nbytes = first & 0x7F
        if nbytes == 0 or nbytes > 4 or pos + nbytes > len(data):
            raise SignatureError("PKIPath token has an invalid DER length")
        length = int.from_bytes(data[pos:pos + nbytes], "big")
        pos += nbytes
    if pos + length > len(data):
        raise SignatureError("PKIPath token is truncated")
    return pos, pos + length


def _readable_certificate(der: bytes, where: str) -> x509.Certificate:
    """A certificate whose every field the checks read parses now: cryptography parses names,
    validity and extensions lazily, and the token is not covered by the signature, so a
    tampered field would otherwise raise in the middle of the chain check (ValueError, and
    KeyError for a name attribute whose string tag was changed: found by tools/fuzz.py)."""
    try:
        cert = x509.load_der_x509_certificate(der)
        _ = (cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(),
             cert.not_valid_before_utc, cert.not_valid_after_utc, list(cert.extensions),
             cert.public_key(), cert.signature_hash_algorithm)
    except Exception:  # any field an attacker garbled: the whole certificate is unreadable
        raise SignatureError(f"{where} holds an unreadable certificate") from None
    return cert


def decode_pkipath(data: bytes) -> tuple[x509.Certificate, ...]:
    """Certificates of an X509PKIPathv1 token in token order (root first, leaf last)."""
    if not data or data[0] != 0x30:
        raise SignatureError("PKIPath token is not a DER SEQUENCE")
    start, end = _read_tlv(data, 0)
    certs = []
    pos = start
    while pos < end:
        if data[pos] != 0x30:
            raise SignatureError("PKIPath token holds something other than certificates")
        _, cend = _read_tlv(data, pos)
        certs.append(_readable_certificate(data[pos:cend], "PKIPath token"))
        pos = cend
    if not certs:
        raise SignatureError("PKIPath token is empty")
    return tuple(certs)


# --- signing ---------------------------------------------------------------------------

def _sub(parent: Any, tag: str, attrib: Mapping[str, str] | None = None,
         text: str | None = None) -> Any:
    el = etree.SubElement(parent, tag, attrib=dict(attrib or {}))
    if text is not None:
        el.text = text
    return el


def _ds_reference(parent: Any, uri: str, transform: str, digest: str,
                  prefixes: Sequence[str] = ()) -> Any:
    ref = _sub(parent, ns.q(ns.DS, "Reference"), {"URI": uri})
    tr = _sub(_sub(ref, ns.q(ns.DS, "Transforms")), ns.q(ns.DS, "Transform"),
              {"Algorithm": transform})
    if prefixes:
        _sub(tr, ns.q(ns.EC, "InclusiveNamespaces"), {"PrefixList": " ".join(prefixes)})
    _sub(ref, ns.q(ns.DS, "DigestMethod"), {"Algorithm": ns.SHA256})
    _sub(ref, ns.q(ns.DS, "DigestValue"), text=digest)
    return ref


_SAFE_ATTR = re.compile(r"^[A-Za-z0-9._:@#/+=-]+$")
_IN_SCOPE = {"env": ns.SOAP12}  # prefixes the SignedInfo PrefixList may name


def _attr(value: str) -> str:
    # Every attribute value written as text here is generated by us (ids, cids, algorithm
    # URIs); refusing anything that would need escaping keeps text and C14N form identical.
    if not _SAFE_ATTR.match(value):
        raise ValueError(f"unexpected characters in a signature attribute: {value!r}")
    return value


def _reference_text(uri: str, transform: str, digest: str) -> str:
    return (f'<ds:Reference URI="{_attr(uri)}"><ds:Transforms><ds:Transform Algorithm='
            f'"{transform}"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm='
            f'"{ns.SHA256}"></ds:DigestMethod><ds:DigestValue>{digest}</ds:DigestValue>'
            "</ds:Reference>")


def sign_envelope(doc: bytes, *, attachments: Sequence[tuple[str, bytes]],
                  identity: SealIdentity, prefixes: Sequence[str] = DEFAULT_PREFIXES) -> bytes:
    """Sign a serialised SOAP envelope and return it signed (with XML declaration).

    The envelope must use the prefixes ``env``/``wsse``/``wsu`` and have an empty
    ``wsse:Security`` header; every element with a ``wsu:Id``
    (eb:Messaging, the Body) is signed with exclusive C14N, and ``attachments`` (content id,
    content octets) with the SwA content transform. The BinarySecurityToken carries the chain
    as X509PKIPathv1 (leaf last).

    The digested parts are canonicalised by lxml on a parsed copy of the envelope (what the
    receiver parses; lxml's C14N of API-built sub-trees can miss in-scope namespaces). The
    Security header itself is written as text: its SignedInfo is written in canonical form
    already, so the bytes signed are exactly what a verifier's exclusive C14N produces (the
    golden, round-trip and Santuario tests hold this to account).
    """
    for p in prefixes:
        if p not in _IN_SCOPE:
            raise ValueError(f"InclusiveNamespaces prefix {p!r} is not supported")
    root = etree.fromstring(doc, hardened_parser())
    refs = [_reference_text("#" + el.get(ns.WSU_ID), ns.EXC_C14N, _sha256_b64(c14n(el)))
            for el in root.iterfind(f"*/*[@{{{ns.WSU}}}Id]")]
    body = root.find(ns.q(ns.SOAP12, "Body"))
    if body is not None and body.get(ns.WSU_ID):
        refs.append(_reference_text("#" + body.get(ns.WSU_ID), ns.EXC_C14N,
                                    _sha256_b64(c14n(body))))
    refs += [_reference_text("cid:" + cid, ns.SWA_CONTENT, _sha256_b64(content))
             for cid, content in attachments]
    inner = (f'<ds:CanonicalizationMethod Algorithm="{ns.EXC_C14N}"><ec:InclusiveNamespaces '
             f'xmlns:ec="{ns.EC}" PrefixList="{" ".join(prefixes)}"></ec:InclusiveNamespaces>'
             f'</ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="{ns.RSA_SHA256}">'
             f'</ds:SignatureMethod>{"".join(refs)}</ds:SignedInfo>')
    decls = "".join(f' xmlns:{p}="{u}"' for p, u in
                    sorted({"ds": ns.DS, **{p: _IN_SCOPE[p] for p in prefixes}}.items()))
    value = identity.key.sign(f"<ds:SignedInfo{decls}>{inner}".encode(), padding.PKCS1v15(),
                              hashes.SHA256())
    uid = uuid.uuid4()
    bst_id = f"X509-{uid}"
    security = (
        f'<wsse:BinarySecurityToken EncodingType="{ns.BASE64_ENC}" ValueType='
        f'"{ns.X509_PKIPATH}" wsu:Id="{bst_id}">{_token_text(identity.chain)}'
        f'</wsse:BinarySecurityToken><ds:Signature xmlns:ds="{ns.DS}" Id="SIG-{uid}">'
        f'<ds:SignedInfo>{inner}<ds:SignatureValue>{_b64(value)}</ds:SignatureValue>'
        f'<ds:KeyInfo Id="KI-{uid}"><wsse:SecurityTokenReference xmlns:wsse11="{ns.WSSE11}" '
        f'wsse11:TokenType="{ns.X509_PKIPATH}" wsu:Id="STR-{uid}"><wsse:Reference '
        f'URI="#{bst_id}" ValueType="{ns.X509_PKIPATH}"></wsse:Reference>'
        "</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security>").encode()
    at = doc.find(b"<wsse:Security ")
    close = doc.find(b"/>", at)
    if at < 0 or close < 0 or doc.find(b">", at) != close + 1:
        raise ValueError("the envelope must hold one empty wsse:Security header")
    return b"".join((b"<?xml version='1.0' encoding='UTF-8'?>\n", doc[:close], b">",
                     security, doc[close + 2:]))


# --- verification ----------------------------------------------------------------------

def _one(parent: Any, tag: str, what: str) -> Any:
    found = parent.findall(tag)
    if len(found) != 1:
        raise SignatureError(f"{what}: expected exactly one, found {len(found)}")
    return found[0]


_ID_XPATH = etree.XPath("//*[@wsu:Id or @Id or @ID or @id]", namespaces={"wsu": ns.WSU})


def _id_index(root: Any) -> dict[str, list[Any]]:
    index: dict[str, list[Any]] = {}
    for el in _ID_XPATH(root):
        for attr in (ns.WSU_ID, "Id", "ID", "id"):
            v = el.get(attr)
            if v is not None:
                index.setdefault(v, []).append(el)
    return index


def _prefix_list(parent: Any) -> list[str]:
    inc = parent.find(ns.q(ns.EC, "InclusiveNamespaces"))
    if inc is None:
        return []
    return [p if p != "#default" else "" for p in (inc.get("PrefixList") or "").split()]


def _reference_octets(ref: Any, uri: str, ids: dict[str, list[Any]],
                      attachments: Mapping[str, bytes]) -> bytes:
    transforms = ref.findall(f"{ns.q(ns.DS, 'Transforms')}/{ns.q(ns.DS, 'Transform')}")
    algs = [t.get("Algorithm") for t in transforms]
    if uri.startswith("cid:"):
        cid = unquote(uri[4:])
        if algs != [ns.SWA_CONTENT]:
            raise SignatureError(f"reference {uri}: only the SwA Attachment-Content-Signature-"
                                 f"Transform is accepted for attachments, found {algs}")
        if cid not in attachments:
            raise SignatureError(f"reference {uri}: no MIME part with Content-ID <{cid}>")
        return attachments[cid]
    if not uri.startswith("#") or len(uri) < 2:
        raise SignatureError(f"reference {uri!r}: only same-document (#id) and cid: references "
                             "are accepted")
    targets = ids.get(uri[1:], [])
    if len(targets) != 1:
        raise SignatureError(f"reference {uri}: {len(targets)} elements carry this id "
                             "(exactly one required)")
    if not algs:
        return c14n(targets[0], exclusive=False)
    if algs != [ns.EXC_C14N]:
        raise SignatureError(f"reference {uri}: transforms {algs} are not allowed "
                             "(exclusive C14N only)")
    return c14n(targets[0], _prefix_list(transforms[0]))


def _token_chain(security: Any, sig: Any, ids: dict[str, list[Any]], *,
                 require_pkipath: bool) -> tuple[tuple[x509.Certificate, ...], str]:
    ki = sig.find(ns.q(ns.DS, "KeyInfo"))
    if ki is None:
        raise SignatureError("signature has no KeyInfo (the signing token must be referenced)")
    ref = ki.find(f"{ns.q(ns.WSSE, 'SecurityTokenReference')}/{ns.q(ns.WSSE, 'Reference')}")
    if ref is None:
        raise SignatureError("KeyInfo does not reference a BinarySecurityToken "
                             "(wsse:SecurityTokenReference/wsse:Reference required)")
    uri = ref.get("URI") or ""
    targets = [t for t in ids.get(uri[1:], []) if uri.startswith("#")]
    if len(targets) != 1 or targets[0].tag != ns.q(ns.WSSE, "BinarySecurityToken") \
            or targets[0].getparent() is not security:
        raise SignatureError(f"KeyInfo references {uri!r}, which is not one BinarySecurityToken "
                             "of this Security header")
    bst = targets[0]
    value_type = bst.get("ValueType") or ""
    try:
        raw = base64.b64decode("".join((bst.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("BinarySecurityToken is not valid base64") from None
    if value_type == ns.X509_PKIPATH:
        certs = decode_pkipath(raw)
        if len(certs) > 1 and _is_ca(certs[-1]) and not _is_ca(certs[0]):
            raise SignatureError("PKIPath token lists the leaf certificate first: an "
                                 "X509PKIPathv1 path is root first, leaf LAST (ICD 4.6.2)")
        return tuple(reversed(certs)), value_type
    if value_type == ns.X509_V3 and not require_pkipath:
        return (_readable_certificate(raw, "BinarySecurityToken"),), value_type
    raise SignatureError(f"BinarySecurityToken ValueType {value_type!r} is not accepted: ICS2 "
                         "requires X509PKIPathv1 with the full chain (ICD 4.6.2)")


def verify_envelope(root: Any, security: Any, *, attachments: Mapping[str, bytes],
                    trust: TrustStore, now: datetime | None = None,
                    require_pkipath: bool = True) -> SignatureCheck:
    """Verify the one ds:Signature in ``security``: algorithms, every digest, SignatureValue,
    then the signer's chain against ``trust``. Raises SignatureError / CertificateError."""
    sig = _one(security, ns.q(ns.DS, "Signature"), "ds:Signature in the Security header")
    si = _one(sig, ns.q(ns.DS, "SignedInfo"), "ds:SignedInfo")
    cm = _one(si, ns.q(ns.DS, "CanonicalizationMethod"), "ds:CanonicalizationMethod")
    if cm.get("Algorithm") != ns.EXC_C14N:
        raise SignatureError(f"SignedInfo canonicalization {cm.get('Algorithm')!r} is not "
                             "exclusive C14N")
    sm = _one(si, ns.q(ns.DS, "SignatureMethod"), "ds:SignatureMethod")
    if sm.get("Algorithm") != ns.RSA_SHA256:
        raise SignatureError(f"signature algorithm {sm.get('Algorithm')!r} is not RSA-SHA256 "
                             "(ICS2 P-Mode)")
    ids = _id_index(root)
    chain, token_type = _token_chain(security, sig, ids, require_pkipath=require_pkipath)
    signer = chain[0]
    key = signer.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("signer certificate does not hold an RSA key")
    sv = sig.find(ns.q(ns.DS, "SignatureValue"))
    try:
        value = base64.b64decode("".join((sv.text or "").split()) if sv is not None else "",
                                 validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("SignatureValue is not valid base64") from None
    try:
        key.verify(value, c14n(si, _prefix_list(cm)), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("SignatureValue does not verify with the signer certificate "
                             f"({signer.subject.rfc4514_string()}): SignedInfo was changed or "
                             "signed with another key") from None
    refs: list[SignedReference] = []
    signed_ids: set[str] = set()
    signed_cids: set[str] = set()
    for ref in si.findall(ns.q(ns.DS, "Reference")):
        uri = ref.get("URI") or ""
        dm = ref.find(ns.q(ns.DS, "DigestMethod"))
        if dm is None or dm.get("Algorithm") != ns.SHA256:
            raise SignatureError(f"reference {uri}: digest method is not SHA-256")
        dv = ref.find(ns.q(ns.DS, "DigestValue"))
        expected = "".join((dv.text or "").split()) if dv is not None else ""
        actual = _sha256_b64(_reference_octets(ref, uri, ids, attachments))
        if not hmac.compare_digest(expected.encode(), actual.encode()):
            what = _describe(uri, ids)
            raise SignatureError(f"digest of {what} does not match the signature: the signed "
                                 "part was changed after sealing")
        refs.append(SignedReference(uri=uri, digest=expected, element=ref))
        if uri.startswith("cid:"):
            signed_cids.add(unquote(uri[4:]))
        else:
            signed_ids.add(uri[1:])
    if not refs:
        raise SignatureError("signature has no references")
    if require_pkipath and len(chain) == 1 and chain[0] not in trust.roots:
        raise CertificateError(f"the PKIPath token holds only the signer certificate "
                               f"({signer.subject.rfc4514_string()}): ICS2 requires the full "
                               "certificate chain in the BinarySecurityToken (ICD 4.6.2)")
    verify_chain(chain, trust=trust, now=now)
    return SignatureCheck(signer=signer, chain=chain, references=tuple(refs),
                          signed_ids=frozenset(signed_ids), signed_cids=frozenset(signed_cids),
                          token_type=token_type)


def _describe(uri: str, ids: dict[str, list[Any]]) -> str:
    if uri.startswith("cid:"):
        return f"attachment <{uri[4:]}>"
    el = ids.get(uri[1:], [None])[0]
    if el is None:
        return uri
    return f"{uri} ({etree.QName(el).localname})"
