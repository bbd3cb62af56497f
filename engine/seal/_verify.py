"""Verifying incoming AS4 messages and receipts with the rules we seal by."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Collection
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from lxml import etree

from ..xmlsafe import parse_xml_safely
from . import _ns as ns
from ._dsig import SignatureCheck, verify_envelope
from ._errors import EnvelopeError, PModeMismatchError, ReceiptMismatchError, SignatureError
from ._header import (
    ACCEPTED_AGREEMENT_REFS,
    AGREEMENT_TYPE,
    EBMS_TEST_ACTION,
    EBMS_TEST_SERVICE,
    PARTY_TYPE_AUTH,
    PARTY_TYPE_EORI,
    ROLE_CUSTOMS,
    ROLE_TRADER,
    SERVICE_C2T,
    SERVICE_T2C,
    SERVICE_TYPE,
    PartyRef,
    UserMessageHeader,
    check_trader_party_id,
)
from ._identity import TrustStore
from ._mime import SOAP11_CT, SOAP12_CT, WireMessage, ct_params, parse_multipart
from ._model import Payload, VerifiedMessage
from ._signals import As4Error

_UNDERSTOOD = frozenset({ns.q(ns.EB, "Messaging"), ns.q(ns.WSSE, "Security")})
ATTACHMENT_MIME_TYPES = ("application/pdf", "image/jpeg")  # ICD 4.2.5, binary attachments
RELATED_PAYLOAD_ACTIONS = frozenset({"IE3R08"})
"""Actions whose user message may carry extra business payloads (application/xml) after the
first: ICD v3.30 4.2.6, "extra related business message payloads (notifications in the context
of 3.1.9 Consult ENS)", i.e. the ENS consultation results IE3R08."""
MAX_DECOMPRESSED = 100 * 1024 * 1024
"""Most bytes the gzip parts of ONE message may inflate to, all parts together (ICD 4.2.6: the
business message is at most 100 MB uncompressed; its attachments share the budget [I]). Each
part used to have 100 MB of its own: 64 parts could inflate to 6.4 GB."""
_INFLATE_STEP = 1 << 20


class DecompressionError(EnvelopeError):
    """A gzip payload cannot be decompressed (EBMS:0303)."""


def _text(parent: Any, path: str) -> str | None:
    el = parent.find(path, {"eb": ns.EB})
    return None if el is None else _value(el)


def _value(el: Any) -> str | None:
    """The text of a header value exactly as the signature covers it. The hardened parser
    drops comments and processing instructions, so ``.text`` is the whole text (exclusive
    C14N drops comments too: ``99e4<!---->-fad8`` is signed as ``99e4-fad8``, and read so);
    a value with child elements is refused rather than read in part."""
    if len(el):
        raise EnvelopeError(f"{etree.QName(el).localname} must hold text only, it holds "
                            f"element {etree.QName(el[0]).localname}")
    return None if el.text is None else el.text.strip()


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EnvelopeError(f"eb:Timestamp {value!r} is not an ISO date-time") from None


def _soap_parts(content_type: str, body: bytes, *, allow_soap11: bool,
                ) -> tuple[bytes, dict[str, bytes], dict[str, str]]:
    """SOAP bytes, attachments by content id, attachment content types."""
    media, _ = ct_params(content_type)
    if media == "multipart/related":
        root, parts = parse_multipart(content_type, body)
        root_media, _ = ct_params(root.content_type)
        if root_media not in (SOAP12_CT, SOAP11_CT):
            raise EnvelopeError(f"root MIME part is {root_media!r}, not {SOAP12_CT}")
        att = {p.content_id: p.content for p in parts}
        types = {p.content_id: ct_params(p.content_type)[0] for p in parts}
        if len(att) != len(parts):
            raise EnvelopeError("two MIME parts share one Content-ID")
        return root.content, att, types
    if media == SOAP12_CT or (allow_soap11 and media == SOAP11_CT):
        return body, {}, {}
    raise EnvelopeError(f"Content-Type {media!r} is not an AS4 message (expected "
                        f"multipart/related or {SOAP12_CT})")


def _envelope(soap: bytes, *, allow_soap11: bool) -> tuple[Any, Any, str]:
    tree, diags = parse_xml_safely(soap, what="AS4 envelope")
    if tree is None:
        raise EnvelopeError(f"AS4 envelope cannot be read: {diags[0].message}")
    root = tree.getroot()
    soap_ns = etree.QName(root).namespace
    if etree.QName(root).localname != "Envelope" or soap_ns not in (
            (ns.SOAP12, ns.SOAP11) if allow_soap11 else (ns.SOAP12,)):
        raise EnvelopeError(f"root element {root.tag} is not a SOAP 1.2 Envelope")
    headers = root.findall(ns.q(soap_ns, "Header"))
    if len(headers) != 1:
        raise EnvelopeError("SOAP envelope must have exactly one Header")
    return root, headers[0], soap_ns


def _party(el: Any, side: str) -> PartyRef:
    pid = el.find(ns.q(ns.EB, "PartyId")) if el is not None else None
    role = _text(el, "eb:Role") if el is not None else None
    party_id = _value(pid) if pid is not None else None
    if pid is None or not party_id or not role:
        raise EnvelopeError(f"eb:PartyInfo/eb:{side} needs eb:PartyId and eb:Role")
    return PartyRef(party_id=party_id, party_type=pid.get("type") or "", role=role)


def _check_ics2_header(h: UserMessageHeader,
                       agreement_refs: Collection[str] = ACCEPTED_AGREEMENT_REFS) -> None:
    """The ICD 4.2 values; raises EnvelopeError naming the element, expected and found."""
    def need(what: str, found: str, expected: tuple[str, ...]) -> None:
        if found not in expected:
            raise PModeMismatchError(f"{what} is {found!r}, expected {' or '.join(expected)} "
                                     "(ICS2 HTI ICD 4.2)")
    need("eb:AgreementRef", h.agreement_ref, tuple(sorted(agreement_refs)))
    need("eb:AgreementRef/@type", h.agreement_type, (AGREEMENT_TYPE,))
    need("eb:Service", h.service, (SERVICE_T2C, SERVICE_C2T, EBMS_TEST_SERVICE))
    if h.service == EBMS_TEST_SERVICE:  # ebMS3 connectivity test between the same parties
        need("eb:Action of the test service", h.action, (EBMS_TEST_ACTION,))
        # [I] ebMS3 core 5.2.2.9 gives the test service URI no type; a peer that adds the
        # ICS2 service type is accepted too.
        need("eb:Service/@type of the test service", h.service_type, ("", SERVICE_TYPE))
    else:
        need("eb:Service/@type", h.service_type, (SERVICE_TYPE,))
    to_customs = h.service == SERVICE_T2C or (h.service == EBMS_TEST_SERVICE
                                             and h.sender.role == ROLE_TRADER)
    trader, customs = (h.sender, h.receiver) if to_customs else (h.receiver, h.sender)
    need("trader eb:PartyId/@type", trader.party_type, (PARTY_TYPE_EORI,))
    need("trader eb:Role", trader.role, (ROLE_TRADER,))
    need("customs eb:PartyId/@type", customs.party_type, (PARTY_TYPE_AUTH,))
    need("customs eb:Role", customs.role, (ROLE_CUSTOMS,))
    try:
        check_trader_party_id(trader.party_id)
    except EnvelopeError as exc:
        raise PModeMismatchError(str(exc)) from None


def _user_message(um: Any, check: SignatureCheck | None, attachments: dict[str, bytes],
                  *, ics2: bool, types: dict[str, str] | None = None,
                  max_inflated: int = MAX_DECOMPRESSED,
                  agreement_refs: Collection[str] = ACCEPTED_AGREEMENT_REFS,
                  ) -> tuple[UserMessageHeader, tuple[Payload, ...]]:
    pi = um.find(ns.q(ns.EB, "PartyInfo"))
    ci = um.find(ns.q(ns.EB, "CollaborationInfo"))
    if pi is None or ci is None:
        raise EnvelopeError("eb:UserMessage needs eb:PartyInfo and eb:CollaborationInfo")
    if um.find(ns.q(ns.EB, "MessageProperties")) is not None and ics2:
        raise EnvelopeError("eb:MessageProperties must not appear in ICS2 messages (ICD 4.2.4)")
    agreement = ci.find(ns.q(ns.EB, "AgreementRef"))
    service = ci.find(ns.q(ns.EB, "Service"))
    header = UserMessageHeader(
        sender=_party(pi.find(ns.q(ns.EB, "From")), "From"),
        receiver=_party(pi.find(ns.q(ns.EB, "To")), "To"),
        service=(_value(service) or "") if service is not None else "",
        service_type=(service.get("type") or "") if service is not None else "",
        action=_text(ci, "eb:Action") or "",
        agreement_ref=(_value(agreement) or "") if agreement is not None else "",
        agreement_type=(agreement.get("type") or "") if agreement is not None else "",
        conversation_id=_text(ci, "eb:ConversationId") or "",
        message_id=_text(um, "eb:MessageInfo/eb:MessageId") or "",
        ref_to_message_id=_text(um, "eb:MessageInfo/eb:RefToMessageId"),
        mpc=um.get("mpc"))
    if ics2:
        _check_ics2_header(header, agreement_refs)
    payloads = []
    budget = _Budget(max_inflated)
    parts = um.findall(f"{ns.q(ns.EB, 'PayloadInfo')}/{ns.q(ns.EB, 'PartInfo')}")
    if ics2 and not parts:
        raise EnvelopeError("eb:PayloadInfo with one eb:PartInfo is required (ICD 4.2.5)")
    for part in parts:
        href = part.get("href") or ""
        if not href.startswith("cid:"):
            raise EnvelopeError(f"eb:PartInfo/@href {href!r} is not a cid: reference "
                                "(payloads travel as MIME parts, ICD 4.2.5)")
        cid = unquote(href[4:])  # a cid: URL is %-escaped, a Content-ID is not (RFC 2392)
        if cid not in attachments:
            raise EnvelopeError(f"payload {href} has no MIME part")
        if check is not None and cid not in check.signed_cids:
            raise SignatureError(f"payload {href} is not covered by the signature")
        props = {p.get("name") or "": _value(p) or "" for p in part.iter(
            ns.q(ns.EB, "Property"))}
        charset = props.get("CharacterSet")
        if ics2 and charset is not None and charset.lower() != "utf-8":
            raise PModeMismatchError(f"payload {href}: CharacterSet {charset!r}, only utf-8 "
                                     "is allowed (ICD 4.2.5)")
        data = attachments[cid]
        if props.get("CompressionType") == "application/gzip":
            # AS4 profile 3.1 (compression): the compressed part's MIME Content-Type is
            # application/gzip; the original type is in the MimeType part property.
            mime_type = (types or {}).get(cid, "application/gzip")
            if ics2 and mime_type != "application/gzip":
                raise EnvelopeError(f"payload {href}: MIME Content-Type {mime_type!r} of a "
                                    "gzip-compressed part must be application/gzip")
            data = _gunzip(data, href, budget)
        elif ics2:
            raise EnvelopeError(f"payload {href}: CompressionType application/gzip is required "
                                "(ICD 4.2.5)")
        payloads.append(Payload(content_id=cid, mime_type=props.get("MimeType", ""), data=data,
                                properties=props))
    if ics2 and (not payloads or payloads[0].mime_type != "application/xml"):
        raise EnvelopeError("the business payload must have MimeType application/xml "
                            "(ICD 4.2.5)")
    for extra in payloads[1:] if ics2 else ():
        if extra.mime_type == "application/xml" and header.action in RELATED_PAYLOAD_ACTIONS:
            continue  # a notification related to the consultation (ICD 4.2.6)
        if extra.mime_type not in ATTACHMENT_MIME_TYPES:
            raise PModeMismatchError(
                f"attachment cid:{extra.content_id} has MimeType {extra.mime_type!r}; binary "
                f"attachments may be {' or '.join(ATTACHMENT_MIME_TYPES)} (ICD 4.2.5)")
    return header, tuple(payloads)


class _Budget:
    """Bytes the gzip parts of one message may still inflate to."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = self.left = limit


def _gunzip(data: bytes, href: str, budget: _Budget) -> bytes:
    """Inflate one gzip part in steps of 1 MB, charging every step to the message's budget:
    the check stops at the first byte over it, whatever the compression ratio. RFC 1952 allows
    several members one after the other; each is inflated in turn. Anything after the last
    member that is not a member is refused."""
    out: list[bytes] = []
    rest = data
    try:
        while True:
            d = zlib.decompressobj(wbits=31)
            pending = rest
            while True:
                chunk = d.decompress(pending, min(_INFLATE_STEP, budget.left + 1))
                budget.left -= len(chunk)
                if budget.left < 0:
                    raise DecompressionError(
                        f"payload {href}: the message's gzip parts inflate to more than "
                        f"{budget.limit} bytes (the limit for one message, all parts together)")
                out.append(chunk)
                pending = d.unconsumed_tail
                if d.eof or (not pending and not chunk):
                    break
            if not d.eof:
                raise DecompressionError(f"payload {href} is a truncated gzip stream")
            rest = d.unused_data
            if not rest:
                return b"".join(out)
    except (zlib.error, gzip.BadGzipFile, EOFError):
        raise DecompressionError(f"payload {href} is not valid gzip (EBMS:0303)") from None


def _errors(sm: Any) -> tuple[As4Error, ...]:
    out = []
    for e in sm.findall(ns.q(ns.EB, "Error")):
        out.append(As4Error(
            code=e.get("errorCode") or "", severity=e.get("severity") or "",
            short_description=e.get("shortDescription") or "",
            category=e.get("category") or "", origin=e.get("origin") or "",
            ref_to_message_id=e.get("refToMessageInError"),
            description=_text(e, "eb:Description") or "",
            detail=_text(e, "eb:ErrorDetail") or ""))
    return tuple(out)


def verify_message(content_type: str, body: bytes, *, trust: TrustStore,
                   now: datetime | None = None, require_signature: bool = True,
                   allow_soap11: bool = False, require_pkipath: bool = True,
                   ics2: bool = True, require_signed_messaging: bool = True,
                   max_inflated: int = MAX_DECOMPRESSED,
                   agreement_refs: Collection[str] = ACCEPTED_AGREEMENT_REFS,
                   ) -> VerifiedMessage:
    """Check and read an incoming AS4 message (user message or signal).

    The signature must cover the one eb:Messaging header and the Body, and every payload
    part; the signer's chain must end in ``trust`` and be valid at ``now``. Unsigned messages
    pass only with ``require_signature=False``, and then only Error signals.
    ``allow_soap11``/``require_pkipath``/``ics2``/``require_signed_messaging`` relax the ICS2
    profile for generic AS4 peers (tests use them on Peppol receipts); never relax them for
    ICS2 traffic. ``max_inflated`` bounds what all gzip parts of the message inflate to
    together (DecompressionError past it). ``agreement_refs``: the eb:AgreementRef values
    accepted (default every version the ICD enumerates). Raises SealError subclasses.
    """
    soap, attachments, types = _soap_parts(content_type, body, allow_soap11=allow_soap11)
    root, header_el, soap_ns = _envelope(soap, allow_soap11=allow_soap11)
    for block in header_el:
        if not isinstance(block.tag, str) or block.tag in _UNDERSTOOD:
            continue
        if (block.get(ns.q(soap_ns, "mustUnderstand")) or "").strip() in ("true", "1"):
            # SOAP 1.2 part 1, 5.2.3: a mandatory header block we do not process is a fault.
            raise EnvelopeError(f"header block {block.tag} is marked mustUnderstand and is not "
                                "understood (only eb:Messaging and wsse:Security are)")
    messaging_all = header_el.findall(ns.q(ns.EB, "Messaging"))
    if len(messaging_all) != 1:
        raise EnvelopeError(f"expected one eb:Messaging header, found {len(messaging_all)}")
    messaging = messaging_all[0]
    body_el = root.find(ns.q(soap_ns, "Body"))
    if body_el is None:
        raise EnvelopeError("SOAP envelope has no Body")
    securities = header_el.findall(ns.q(ns.WSSE, "Security"))
    check: SignatureCheck | None = None
    if securities:
        if len(securities) != 1:
            raise SignatureError("more than one wsse:Security header")
        check = verify_envelope(root, securities[0], attachments=attachments, trust=trust,
                                now=now, require_pkipath=require_pkipath)
        for el, what in ((messaging, "eb:Messaging"), (body_el, "the SOAP Body")):
            if el is messaging and not require_signed_messaging:
                continue
            el_id = el.get(ns.WSU_ID) or el.get("Id")
            if not el_id or el_id not in check.signed_ids:
                raise SignatureError(f"{what} is not covered by the signature")
    um = messaging.find(ns.q(ns.EB, "UserMessage"))
    sm = messaging.find(ns.q(ns.EB, "SignalMessage"))
    if (um is None) == (sm is None):
        raise EnvelopeError("eb:Messaging must hold one UserMessage or one SignalMessage")
    unit = um if um is not None else sm
    message_id = _text(unit, "eb:MessageInfo/eb:MessageId")
    if not message_id:
        raise EnvelopeError("eb:MessageInfo/eb:MessageId is missing")
    common: dict[str, Any] = dict(
        message_id=message_id, ref_to_message_id=_text(unit, "eb:MessageInfo/eb:RefToMessageId"),
        timestamp=_parse_time(_text(unit, "eb:MessageInfo/eb:Timestamp")),
        signer=check.signer if check else None,
        signer_chain=check.chain if check else (),
        references=tuple((r.uri, r.digest) for r in check.references) if check else (),
        reference_xml=tuple(etree.tostring(r.element, with_tail=False)
                            for r in check.references) if check else ())
    if um is not None:
        if check is None:
            raise SignatureError("user message is not signed (WS-Security signature required)")
        if ics2 and (len(body_el) or (body_el.text or "").strip()):
            raise EnvelopeError("the SOAP Body of an AS4 user message must be empty "
                                "(payloads travel as MIME parts)")
        header, payloads = _user_message(um, check, attachments, ics2=ics2, types=types,
                                         max_inflated=max_inflated,
                                         agreement_refs=agreement_refs)
        return VerifiedMessage(kind="user", header=header, payloads=payloads,
                               receipt_references=(), errors=(), mpc=header.mpc, **common)
    receipt = sm.find(ns.q(ns.EB, "Receipt"))
    pull = sm.find(ns.q(ns.EB, "PullRequest"))
    errors = _errors(sm)
    if check is None and (require_signature or not errors):
        raise SignatureError("signal message is not signed (WS-Security signature required)")
    if receipt is not None:
        refs = receipt.findall(f".//{ns.q(ns.EBBP, 'MessagePartNRInformation')}/"
                               f"{ns.q(ns.DS, 'Reference')}")
        nrr = tuple((r.get("URI") or "", "".join((r.findtext(ns.q(ns.DS, "DigestValue"))
                                                  or "").split())) for r in refs)
        return VerifiedMessage(kind="receipt", header=None, payloads=(), receipt_references=nrr,
                               errors=(), mpc=None, **common)
    if pull is not None:
        return VerifiedMessage(kind="pull", header=None, payloads=(), receipt_references=(),
                               errors=(), mpc=pull.get("mpc") or None, **common)
    if errors:
        return VerifiedMessage(kind="error", header=None, payloads=(), receipt_references=(),
                               errors=errors, mpc=None, **common)
    raise EnvelopeError("eb:SignalMessage holds no Receipt, PullRequest or Error")


def sent_references(sent: WireMessage) -> tuple[tuple[str, str], ...]:
    """(URI, DigestValue) of the signature in a message we sealed ourselves."""
    soap, _att, _t = _soap_parts(sent.content_type, sent.body, allow_soap11=False)
    root, _h, _ns = _envelope(soap, allow_soap11=False)
    refs = root.findall(f".//{ns.q(ns.DS, 'SignedInfo')}/{ns.q(ns.DS, 'Reference')}")
    return tuple((r.get("URI") or "", "".join((r.findtext(ns.q(ns.DS, "DigestValue")) or "")
                                              .split())) for r in refs)


def check_receipt(receipt: VerifiedMessage, *, sent: WireMessage) -> None:
    """ReceiptMismatchError unless ``receipt`` is a signed NRR receipt for ``sent`` that
    acknowledges every part we signed with the same digest (EBMS:0302 otherwise)."""
    if receipt.kind != "receipt":
        raise ReceiptMismatchError(f"expected a receipt, got a {receipt.kind} message")
    if receipt.signer is None:
        raise ReceiptMismatchError("receipt is not signed")
    if receipt.ref_to_message_id != sent.message_id:
        raise ReceiptMismatchError(f"receipt refers to message {receipt.ref_to_message_id!r}, "
                                   f"we sent {sent.message_id!r}")
    got = dict(receipt.receipt_references)
    for uri, digest in sent_references(sent):
        if uri not in got:
            raise ReceiptMismatchError(f"receipt does not acknowledge signed part {uri}")
        try:
            same = base64.b64decode(got[uri]) == base64.b64decode(digest)
        except ValueError:
            same = False
        if not same:
            raise ReceiptMismatchError(f"receipt digest for {uri} differs from the one we "
                                       "signed")
