"""The sending side of AS4 over HTTPS: push a sealed message, pull, ping.

``As4Client`` speaks to one endpoint with an ``httpx.Client``. The transport is injectable
(``transport=``), as in httpx: tests and users pass ``httpx.MockTransport`` or
:func:`~ensgate.connectors.as4.receiver_transport` to run without sockets. Transport failures
are retried with exponential backoff, re-sending the *same bytes* (so the same MessageId): the
receiver's duplicate detection turns a resend of a message that did arrive into the same
receipt, never into a second filing.
"""

from __future__ import annotations

import dataclasses
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ...seal import (
    ACCEPTED_AGREEMENT_REFS,
    ReceiptMismatchError,
    SealError,
    SealIdentity,
    SealPin,
    SealPinError,
    TrustStore,
    VerifiedMessage,
    WireMessage,
    check_receipt,
    pull_mpc,
    seal_error,
    seal_pull_request,
    seal_receipt,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)
from ...xmlsafe import parse_xml_safely
from ._exceptions import (
    As4ProtocolError,
    As4ReceiptError,
    As4TlsError,
    As4TransportError,
    error_signal,
)
from ._receiver import TEST_ACTION, TEST_SERVICE, ebms_error, misaddressed
from ._tls import TlsFiles, client_context

_RETRY_STATUS = frozenset({502, 503, 504})
_CLOSED_HINT = (" (the server closed the connection without answering; under TLS 1.3 this is "
                "also how a refused client certificate shows: check tls-client and the CA the "
                "server trusts)")
_RETRY_EXC = (httpx.TransportError,)


@dataclass(frozen=True, kw_only=True)
class As4Settings:
    """Everything needed to talk to one trader-interface endpoint.

    ``identity`` seals what we send; ``trust`` is the CA set for the other side's seals
    (receipts, pulled messages); ``peer_seal`` pins the other side's seal itself: every signed
    answer must carry it, and none may carry our own (a CA that issues the customs seal may
    issue seals to other traders too). It is required: ``unpinned_peer_seal=True`` is the
    named way to accept any seal that chains to ``trust`` (tests, generic AS4 peers).
    ``tls`` the two-way TLS files (None only when a transport is injected). ``retries`` are
    attempts *after* the first; the wait starts at ``backoff`` seconds and doubles up to
    ``backoff_max``."""

    endpoint: str
    party_id: str
    identity: SealIdentity
    trust: TrustStore
    peer_seal: SealPin | None = None
    unpinned_peer_seal: bool = False
    tls: TlsFiles | None = None
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    backoff_max: float = 30.0
    agreement_refs: frozenset[str] = ACCEPTED_AGREEMENT_REFS  # eb:AgreementRef accepted inbound


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A user message pushed and acknowledged by a verified NRR receipt."""

    message_id: str
    sent: WireMessage
    receipt: VerifiedMessage
    attempts: int
    receipt_wire: bytes = b""  # the receipt as received (Content-Type line, body): evidence


class As4Client:
    """Push, pull and ping against one endpoint. Use as a context manager, or ``close()``."""

    def __init__(self, settings: As4Settings, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        if transport is None and settings.tls is None:
            raise ValueError("As4Settings.tls is required unless a transport is injected")
        if settings.peer_seal is None and not settings.unpinned_peer_seal:
            raise ValueError("As4Settings.peer_seal is required: pin the other side's seal "
                             "(its certificate, fingerprint or subject rule), or set "
                             "unpinned_peer_seal=True to accept any seal under the trust "
                             "anchor")
        verify: ssl.SSLContext | bool = (client_context(settings.tls)
                                        if settings.tls is not None else True)
        self._http = httpx.Client(transport=transport, verify=verify,
                                  timeout=settings.timeout, follow_redirects=False)
        self.last_attempts = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> As4Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the three verbs -------------------------------------------------------------------
    def seal(self, payload_xml: bytes, *, action: str,
             conversation_id: str | None = None) -> WireMessage:
        """Seal an ICS2 payload as a trader-to-customs user message (not yet sent)."""
        header = trader_to_customs_header(sender_party_id=self.settings.party_id,
                                          action=action, conversation_id=conversation_id)
        return seal_user_message(payload_xml, header=header, identity=self.settings.identity)

    def push(self, wire: WireMessage) -> Submission:
        """Send a sealed user message; return once a receipt matching it is verified.

        Raises :class:`As4ErrorSignal` for ebMS errors, :class:`As4ReceiptError` for a missing
        or mismatched receipt, :class:`As4TransportError` when retries are spent."""
        response, attempts = self._post(wire)
        answer = self._read(response, wire)
        if answer is None:
            raise As4ReceiptError(f"EBMS:0301 MissingReceipt: no receipt for {wire.message_id}",
                                  message_id=wire.message_id)
        if answer.kind == "error":
            raise error_signal(answer.errors, message_id=wire.message_id)
        if answer.kind != "receipt":
            raise As4ProtocolError(f"expected a receipt for {wire.message_id}, got a "
                                   f"{answer.kind} message", message_id=wire.message_id)
        try:
            check_receipt(answer, sent=wire)
        except ReceiptMismatchError as exc:
            raise As4ReceiptError(f"EBMS:0302 InvalidReceipt: {exc}",
                                  message_id=wire.message_id) from exc
        raw = WireMessage(content_type=response.headers.get("content-type", ""),
                          body=response.content, message_id=answer.message_id)
        return Submission(message_id=wire.message_id, sent=wire, receipt=answer,
                          attempts=attempts, receipt_wire=raw.to_bytes())

    def submit(self, payload_xml: bytes, *, action: str,
               conversation_id: str | None = None) -> Submission:
        """Seal and push in one step."""
        return self.push(self.seal(payload_xml, action=action, conversation_id=conversation_id))

    def pull(self, mpc: str | None = None, *,
             acknowledge: bool = True) -> VerifiedMessage | None:
        """One signed PullRequest; the pulled user message, or None when the MPC is empty
        (EBMS:0006). It is acknowledged with a signed receipt at once, or, with
        ``acknowledge=False``, when the caller calls :meth:`acknowledge` after recording it
        (until then the other side delivers it again to the next PullRequest)."""
        request = seal_pull_request(mpc=mpc or pull_mpc(self.settings.party_id),
                                    identity=self.settings.identity)
        answer = self._exchange(request)
        if answer is None:
            raise As4ProtocolError("empty answer to a PullRequest",
                                   message_id=request.message_id)
        if answer.kind == "error":
            signal = error_signal(answer.errors, message_id=request.message_id)
            if signal.empty_mpc:
                return None
            raise signal
        if answer.kind != "user":
            raise As4ProtocolError(f"a PullRequest was answered with a {answer.kind} message",
                                   message_id=request.message_id)
        problem = misaddressed(answer, party_id=self.settings.party_id,
                               mpc=mpc or pull_mpc(self.settings.party_id))
        if problem is not None:
            # Not ours: answered with a signed EBMS:0010 error instead of a receipt, so the
            # sender knows it was not accepted [I: sent like the receipt of a pulled message].
            self._exchange(seal_error(ref_to_message_id=answer.message_id, errors=[ebms_error(
                "EBMS:0010", problem, ref=answer.message_id)], identity=self.settings.identity))
            raise As4ProtocolError(f"pulled message {answer.message_id} refused: {problem}",
                                   message_id=answer.message_id)
        if acknowledge:
            self.acknowledge(answer)
        return answer

    def acknowledge(self, message: VerifiedMessage) -> None:
        """Send the signed NRR receipt for a pulled message [I: the ICD does not say how the
        receipt of a pulled message travels; it is pushed to the same endpoint, as Domibus
        does]."""
        receipt = seal_receipt(message, identity=self.settings.identity)
        answer = self._exchange(receipt)
        if answer is not None and answer.kind == "error":
            raise error_signal(answer.errors, message_id=receipt.message_id)

    def ping(self) -> Submission:
        """ebMS3 test service/action (ICD 4.5.1): proves TLS, sealing and the receipt path."""
        header = trader_to_customs_header(sender_party_id=self.settings.party_id,
                                          action="IE3F26")  # then made the test message
        # [I] ebMS3 core 5.2.2.9 defines the test service as a bare URI: no @type (the ICS2
        # service type exists only to qualify the non-URI values eu_ics2_t2c/c2t, ICD 4.2.3.2;
        # ICD 4.5.1 names only the Service and Action values).
        header = dataclasses.replace(header, service=TEST_SERVICE, service_type="",
                                     action=TEST_ACTION)
        # [I] the test message carries a tiny payload; the ICD shows none for it.
        wire = seal_user_message(b'<Ping xmlns="urn:ensgate:as4:ping"/>', header=header,
                                 identity=self.settings.identity)
        return self.push(wire)

    # -- HTTP with retries -----------------------------------------------------------------
    def _exchange(self, wire: WireMessage) -> VerifiedMessage | None:
        response, _attempts = self._post(wire)
        return self._read(response, wire)

    def _post(self, wire: WireMessage) -> tuple[httpx.Response, int]:
        """POST with retries (same bytes, same MessageId); the response and the attempts
        (thread-safe: one client serves concurrent pushes over its connection pool)."""
        s = self.settings
        wait = s.backoff
        attempt = 0
        while True:
            attempt += 1
            self.last_attempts = attempt
            try:
                response = self._http.post(s.endpoint, content=wire.body,
                                           headers={"Content-Type": wire.content_type})
            except _RETRY_EXC as exc:
                if _tls_failure(exc):
                    raise As4TlsError(f"TLS handshake with {s.endpoint} failed: "
                                      f"{_root(exc)}", message_id=wire.message_id,
                                      attempts=attempt) from exc
                if attempt > s.retries:
                    closed = isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError) \
                        or _cut_in_handshake(exc)
                    hint = _CLOSED_HINT if closed else ""
                    raise As4TransportError(
                        f"{s.endpoint} unreachable after {attempt} attempts: {_root(exc)}"
                        f"{hint}", message_id=wire.message_id, attempts=attempt) from exc
            else:
                if response.status_code not in _RETRY_STATUS or attempt > s.retries:
                    return response, attempt
            self._sleep(min(wait, s.backoff_max))
            wait *= 2

    def _read(self, response: httpx.Response, wire: WireMessage) -> VerifiedMessage | None:
        content_type = response.headers.get("content-type", "")
        if not response.content:
            if response.status_code == 200:
                return None
            raise As4ProtocolError(f"HTTP {response.status_code} from {self.settings.endpoint} "
                                   "with no AS4 message", message_id=wire.message_id)
        if not content_type.lower().startswith(("multipart/related", "application/soap+xml")):
            raise As4ProtocolError(
                f"HTTP {response.status_code} from {self.settings.endpoint} is not an AS4 "
                f"message (Content-Type {content_type!r})", message_id=wire.message_id)
        try:
            msg = verify_message(content_type, response.content, trust=self.settings.trust,
                                 require_signature=False,
                                 agreement_refs=self.settings.agreement_refs)
        except SealError as exc:
            fault = soap_fault_reason(response.content)
            if fault is not None:  # a bare SOAP fault (no ebMS header), e.g. MustUnderstand
                raise As4ProtocolError(f"HTTP {response.status_code}: SOAP fault in answer to "
                                       f"{wire.message_id}: {fault}",
                                       message_id=wire.message_id) from exc
            raise As4ProtocolError(f"answer to {wire.message_id} failed verification: {exc}",
                                   message_id=wire.message_id) from exc
        if msg.kind != "error" and msg.signer is None:
            raise As4ProtocolError(f"unsigned {msg.kind} message in answer to "
                                   f"{wire.message_id}", message_id=wire.message_id)
        if msg.signer is not None:
            self._check_signer(msg, wire)
        return msg

    def _check_signer(self, msg: VerifiedMessage, wire: WireMessage) -> None:
        """The signer of an answer must be the pinned peer seal, and never our own."""
        what = f"the {msg.kind} answering {wire.message_id}"
        if msg.signer == self.settings.identity.certificate:
            raise As4ProtocolError(f"{what} is sealed with our own seal "
                                   f"({msg.signer.subject.rfc4514_string()}): refused",
                                   message_id=wire.message_id)
        if self.settings.peer_seal is not None:
            try:
                self.settings.peer_seal.check(msg.signer, context=what)
            except SealPinError as exc:
                raise As4ProtocolError(f"{exc}: refused", message_id=wire.message_id) from None


def soap_fault_reason(body: bytes) -> str | None:
    """Code and reason text of a SOAP 1.2 Fault answer (read with the hardened parser), or
    None when ``body`` is no SOAP fault. Multipart answers are not faults."""
    tree, _ = parse_xml_safely(body, what="SOAP answer")
    if tree is None:
        return None
    fault = tree.getroot().find(f"{{{_SOAP12}}}Body/{{{_SOAP12}}}Fault")
    if fault is None:
        return None
    code = " ".join(fault.findtext(f"{{{_SOAP12}}}Code/{{{_SOAP12}}}Value", "").split())
    reason = " ".join(fault.findtext(f"{{{_SOAP12}}}Reason/{{{_SOAP12}}}Text", "").split())
    return f"{code} {reason}".strip() or "(no reason given)"


_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def _tls_failure(exc: BaseException) -> bool:
    """Whether a transport error is a TLS *refusal* (final: certificates must be fixed), told
    by exception type along the cause chain, never by text. The server's certificate not
    verified (``SSLCertVerificationError``) or a TLS alert / protocol error in the handshake
    (any other ``SSLError``) is a refusal; a connection cut before or during the handshake
    (``SSLEOFError``, ``SSLZeroReturnError``, ``SSLSyscallError``, a reset) is a transport
    failure like any other and is retried."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if isinstance(seen, ssl.SSLEOFError | ssl.SSLZeroReturnError | ssl.SSLSyscallError):
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _cut_in_handshake(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _root(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__
