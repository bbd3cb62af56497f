"""Building sealed AS4 messages: UserMessage (gzip payload attachment), NRR Receipt,
PullRequest and Error signals, each signed over eb:Messaging, the Body and every attachment."""

from __future__ import annotations

import gzip
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from ..xmlsafe import parse_xml_safely
from . import _ns as ns
from ._dsig import sign_envelope
from ._errors import EnvelopeError
from ._header import UserMessageHeader, new_message_id
from ._identity import SealIdentity
from ._mime import SOAP12_CT, WireMessage, build_multipart
from ._model import VerifiedMessage
from ._signals import As4Error

PAYLOAD_PROPERTIES = (("MimeType", "application/xml"), ("CharacterSet", "utf-8"),
                      ("CompressionType", "application/gzip"))
"""ICD 4.2.5: the three PartProperties of the business payload. [I] "utf-8" as the ICD text
prescribes (its Annex 6 example writes "UTF-8")."""
GZIP_LEVEL = 6


def timestamp(now: datetime | None = None) -> str:
    """eb:Timestamp: UTC with milliseconds and ``Z`` (ICD 4.2.1)."""
    t = (now or datetime.now(UTC)).astimezone(UTC)
    return t.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: str) -> str:
    """Text content escaped for XML; characters XML 1.0 cannot hold at all (control
    characters, lone surrogates) become U+FFFD: an error signal quotes what a peer sent, and
    one control character in it made the signal itself unwritable (found by fuzzing)."""
    clean = _NOT_XML.sub("\ufffd", text)
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    """An attribute value escaped for XML (written inside double quotes)."""
    return _esc(text).replace('"', "&quot;").replace("\t", "&#9;").replace(
        "\n", "&#10;").replace("\r", "&#13;")


def _el(local: str, text: str | None = None, **attrib: str) -> str:
    attrs = "".join(f' {k}="{_attr(v)}"' for k, v in attrib.items())
    if text is None:
        return f"<eb:{local}{attrs}/>"
    return f"<eb:{local}{attrs}>{_esc(text)}</eb:{local}>"


def _typed(value: str) -> dict[str, str]:
    """A ``type`` attribute only when there is one (ebMS3: no type means the value is a URI)."""
    return {"type": value} if value else {}


def _envelope(messaging_inner: str, *, signed: bool) -> bytes:
    """The SOAP 1.2 envelope as text: (empty) wsse:Security, eb:Messaging with ``wsu:Id``,
    empty Body with ``wsu:Id``. Written as text, not through the element API: it is faster
    and the result is parsed again before anything is digested."""
    security = (f'<wsse:Security xmlns:wsse="{ns.WSSE}" xmlns:wsu="{ns.WSU}" '
                'env:mustUnderstand="true"/>') if signed else ""
    return (f'<env:Envelope xmlns:env="{ns.SOAP12}"><env:Header>{security}'
            f'<eb:Messaging xmlns:eb="{ns.EB}" xmlns:wsu="{ns.WSU}" env:mustUnderstand="true" '
            f'wsu:Id="id-{uuid.uuid4()}">{messaging_inner}</eb:Messaging></env:Header>'
            f'<env:Body xmlns:wsu="{ns.WSU}" wsu:Id="id-{uuid.uuid4()}"/></env:Envelope>'
            ).encode()


def _message_info(message_id: str, ref: str | None, now: datetime | None) -> str:
    return _el("MessageInfo", None) [:-2] + ">" + _el("Timestamp", timestamp(now)) + \
        _el("MessageId", message_id) + (_el("RefToMessageId", ref) if ref else "") + \
        "</eb:MessageInfo>"


def _serialise_unsigned(doc: bytes) -> bytes:
    return b"<?xml version='1.0' encoding='UTF-8'?>\n" + doc


def _check_payload(payload_xml: bytes) -> None:
    tree, diags = parse_xml_safely(payload_xml, what="ENS payload")
    if tree is None:
        raise EnvelopeError(f"payload is not well-formed XML: {diags[0].message}")


def seal_user_message(payload_xml: bytes, *, header: UserMessageHeader,
                      identity: SealIdentity, now: datetime | None = None,
                      check_payload: bool = False,
                      attachments: Sequence[tuple[str, bytes]] = ()) -> WireMessage:
    """A sealed ICS2 UserMessage: SOAP 1.2, empty Body, the payload gzip-compressed in one
    MIME part, WS-Security signature over eb:Messaging, Body and every MIME part.

    The payload is sealed as given (validate it first: ``ensgate.validate``); with
    ``check_payload=True`` it is parsed (hardened) and refused when not well-formed.
    ``attachments``: binary attachments (MimeType, content), ``application/pdf`` or
    ``image/jpeg`` for ICS2 (ICD 4.2.5), each gzip-compressed in a part of its own.
    """
    if check_payload:
        _check_payload(payload_xml)
    message_id = header.message_id or new_message_id()
    cid = f"payload-{uuid.uuid4()}@ensgate"  # [I] any unique Content-ID; no business meaning
    parties = "".join(
        f"<eb:{side}>{_el('PartyId', ref.party_id, type=ref.party_type)}"
        f"{_el('Role', ref.role)}</eb:{side}>"
        for side, ref in (("From", header.sender), ("To", header.receiver)))
    props = "".join(_el("Property", value, name=name) for name, value in PAYLOAD_PROPERTIES)
    extra = [(f"attachment-{uuid.uuid4()}@ensgate", mime, content)
             for mime, content in attachments]
    extra_info = "".join(
        f'<eb:PartInfo href="cid:{_attr(acid)}"><eb:PartProperties>'
        f'{_el("Property", mime, name="MimeType")}'
        f'{_el("Property", "application/gzip", name="CompressionType")}'
        "</eb:PartProperties></eb:PartInfo>" for acid, mime, _ in extra)
    mpc = f' mpc="{_attr(header.mpc)}"' if header.mpc else ""
    inner = (
        f"<eb:UserMessage{mpc}>{_message_info(message_id, header.ref_to_message_id, now)}"
        f"<eb:PartyInfo>{parties}</eb:PartyInfo><eb:CollaborationInfo>"
        f"{_el('AgreementRef', header.agreement_ref, **_typed(header.agreement_type))}"
        f"{_el('Service', header.service, **_typed(header.service_type))}"
        f"{_el('Action', header.action)}{_el('ConversationId', header.conversation_id)}"
        f'</eb:CollaborationInfo><eb:PayloadInfo><eb:PartInfo href="cid:{_attr(cid)}">'
        f"<eb:PartProperties>{props}</eb:PartProperties></eb:PartInfo>{extra_info}"
        "</eb:PayloadInfo></eb:UserMessage>")
    parts = [(cid, gzip.compress(payload_xml, compresslevel=GZIP_LEVEL, mtime=0))]
    parts += [(acid, gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0))
              for acid, _, content in extra]
    soap = sign_envelope(_envelope(inner, signed=True), attachments=parts, identity=identity)
    ct, mime = build_multipart(soap, [(p, "application/gzip", c) for p, c in parts])
    return WireMessage(content_type=ct, body=mime, message_id=message_id)


def _signal(content: str, *, identity: SealIdentity | None, ref: str | None,
            now: datetime | None) -> WireMessage:
    message_id = new_message_id()
    inner = (f"<eb:SignalMessage>{_message_info(message_id, ref, now)}{content}"
             "</eb:SignalMessage>")
    doc = _envelope(inner, signed=identity is not None)
    soap = (sign_envelope(doc, attachments=(), identity=identity) if identity is not None
            else _serialise_unsigned(doc))
    return WireMessage(content_type=f"{SOAP12_CT}; charset=UTF-8", body=soap,
                       message_id=message_id)


def seal_pull_request(*, mpc: str, identity: SealIdentity,
                      now: datetime | None = None) -> WireMessage:
    """A signed PullRequest signal for ``mpc`` (see :func:`pull_mpc`)."""
    return _signal(_el("PullRequest", None, mpc=mpc), identity=identity, ref=None, now=now)


def seal_receipt(received: VerifiedMessage, *, identity: SealIdentity,
                 now: datetime | None = None) -> WireMessage:
    """A signed NRR Receipt for a verified UserMessage: one ebbp:MessagePartNRInformation per
    ds:Reference of the received signature (copied as received)."""
    if not received.reference_xml and not received.references:
        raise EnvelopeError("cannot build a non-repudiation receipt for an unsigned message")
    refs = [raw.decode("utf-8") for raw in received.reference_xml] or [
        f'<ds:Reference xmlns:ds="{ns.DS}" URI="{_attr(uri)}"><ds:Transforms><ds:Transform '
        f'Algorithm="{ns.SWA_CONTENT if uri.startswith("cid:") else ns.EXC_C14N}"/>'
        f'</ds:Transforms><ds:DigestMethod Algorithm="{ns.SHA256}"/><ds:DigestValue>'
        f"{_esc(digest)}</ds:DigestValue></ds:Reference>"
        for uri, digest in received.references]
    parts = "".join(f"<ebbp:MessagePartNRInformation>{r}</ebbp:MessagePartNRInformation>"
                    for r in refs)
    content = (f'<eb:Receipt><ebbp:NonRepudiationInformation xmlns:ebbp="{ns.EBBP}">{parts}'
               "</ebbp:NonRepudiationInformation></eb:Receipt>")
    return _signal(content, identity=identity, ref=received.message_id, now=now)


def seal_error(*, ref_to_message_id: str | None, errors: Sequence[As4Error],
               identity: SealIdentity | None, now: datetime | None = None) -> WireMessage:
    """An Error signal with one eb:Error per ``errors`` (signed when ``identity`` is given)."""
    if not errors:
        raise EnvelopeError("an Error signal needs at least one error")
    out = []
    for e in errors:
        attrib = {"errorCode": e.code, "severity": e.severity,
                  "shortDescription": e.short_description}
        if e.origin:
            attrib["origin"] = e.origin
        if e.category:
            attrib["category"] = e.category
        ref = e.ref_to_message_id or ref_to_message_id
        if ref:
            attrib["refToMessageInError"] = ref
        children = ""
        if e.description:
            children += f'<eb:Description xml:lang="en">{_esc(e.description)}</eb:Description>'
        if e.detail:
            children += _el("ErrorDetail", e.detail)
        out.append(_el("Error", None, **attrib)[:-2] + f">{children}</eb:Error>")
    return _signal("".join(out), identity=identity, ref=ref_to_message_id, now=now)
