"""Golden test of the exact WS-Security header shape (ICD Annex 6): algorithms, reference
order and transforms, InclusiveNamespaces prefix list, token type, STR, chain order."""

from __future__ import annotations

import base64
from pathlib import Path

from _seal_helpers import NS, find, soap_of
from lxml import etree

from ensgate.seal import (
    SealIdentity,
    decode_pkipath,
    encode_pkipath,
    seal_user_message,
    trader_to_customs_header,
)

GOLDEN = Path(__file__).parent / "data" / "security-header.golden.xml"
WSU_ID = f"{{{NS['wsu']}}}Id"


def _normalised_security(ens_xml: bytes, seal_id: SealIdentity) -> tuple[str, bytes]:
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F23")
    env, _ = soap_of(seal_user_message(ens_xml, header=header, identity=seal_id))
    sec = find(env, "env:Header/wsse:Security")
    bst = find(sec, "wsse:BinarySecurityToken")
    token = base64.b64decode(bst.text)
    names = {
        find(env, "env:Header/eb:Messaging").get(WSU_ID): "MESSAGING-ID",
        find(env, "env:Body").get(WSU_ID): "BODY-ID",
        bst.get(WSU_ID): "TOKEN-ID",
    }
    cid = find(env, ".//eb:PartInfo").get("href")[4:]
    bst.set(WSU_ID, "TOKEN-ID")
    bst.text = "PKIPATH"
    sig = find(sec, "ds:Signature")
    sig.set("Id", "SIG-ID")
    find(sig, "ds:SignatureValue").text = "SIGNATURE"
    find(sig, "ds:KeyInfo").set("Id", "KEYINFO-ID")
    find(sig, "ds:KeyInfo/wsse:SecurityTokenReference").set(WSU_ID, "STR-ID")
    for ref in sig.iter(f"{{{NS['ds']}}}Reference", f"{{{NS['wsse']}}}Reference"):
        uri = ref.get("URI")
        ref.set("URI", "cid:PAYLOAD-CID" if uri == "cid:" + cid else "#" + names[uri[1:]])
    for dv in sig.iter(f"{{{NS['ds']}}}DigestValue"):
        dv.text = "DIGEST"
    out = etree.tostring(sec, method="c14n", exclusive=True, inclusive_ns_prefixes=["env"])
    return out.decode(), token


def test_security_header_matches_golden(ens_xml: bytes, seal_id: SealIdentity) -> None:
    got, _ = _normalised_security(ens_xml, seal_id)
    # The golden file is the exclusive-C14N form, one element per line (reviewed against the
    # ICD Annex 6 example: only ids, digests, token and signature value are placeholders).
    assert got.replace("><", ">\n<").splitlines() == \
        GOLDEN.read_text(encoding="utf-8").splitlines()


def test_pkipath_holds_the_full_chain_leaf_last(ens_xml: bytes, seal_id: SealIdentity) -> None:
    _, token = _normalised_security(ens_xml, seal_id)
    certs = decode_pkipath(token)
    assert len(certs) == 3
    assert certs[-1] == seal_id.certificate                 # leaf LAST
    assert certs[0].issuer == certs[0].subject              # root first
    assert [c.issuer for c in certs[1:]] == [c.subject for c in certs[:-1]]
    assert token == encode_pkipath(seal_id.chain)


def test_pkipath_agrees_with_wss4j() -> None:
    """The Domibus (WSS4J) PKIPath token decodes to root, intermediate, leaf and re-encodes
    to the same bytes."""
    data = Path(__file__).parents[1] / "data" / "as4" / "bst_X509PKIPathv1_incoming_message.xml"
    root = etree.parse(str(data)).getroot()
    bst = next(e for e in root.iter(f"{{{NS['wsse']}}}BinarySecurityToken")
               if e.get("ValueType", "").endswith("#X509PKIPathv1"))
    raw = base64.b64decode("".join(bst.text.split()))
    certs = decode_pkipath(raw)
    cns = [c.subject.rfc4514_string().split(",")[0] for c in certs]
    assert cns == ["CN=CA CERTIFICATE", "CN=ICA CERTIFICATE", "CN=LEAF CERTIFICATE"]
    assert encode_pkipath(tuple(reversed(certs))) == raw
