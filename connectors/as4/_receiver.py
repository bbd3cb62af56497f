"""The receiving side of AS4, without I/O: verify, detect duplicates, answer receipt or error.

Used by the push-mode inbound endpoint (customs -> trader) and by the simulator (trader ->
customs). The caller supplies what to do with a verified message; this class owns the ebMS
rules around it: every user message is verified (signature, chain, whole envelope) before it
is looked at, answered with a signed NRR receipt, and a MessageId seen before is answered with
the *same* receipt without being processed again (ICD table 19, DuplicateDetection).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...seal import (
    ACCEPTED_AGREEMENT_REFS,
    EBMS_TEST_ACTION,
    EBMS_TEST_SERVICE,
    MAX_DECOMPRESSED,
    SERVICE_C2T,
    As4Error,
    CertificateError,
    DecompressionError,
    EnvelopeError,
    PModeMismatchError,
    SealError,
    SealIdentity,
    SignatureError,
    TrustStore,
    VerifiedMessage,
    WireMessage,
    as4_error,
    seal_error,
    seal_receipt,
    verify_message,
)
from ._asgi import HttpReply
from ._received import MemoryReceivedStore, ReceivedStore

ROLE_CUSTOMS = "Customs"  # ICD 4.2.2.2

log = logging.getLogger("ensgate.as4")

#: ebMS3 test service and action (ICD 4.5.1, "Ping").
TEST_SERVICE = EBMS_TEST_SERVICE
TEST_ACTION = EBMS_TEST_ACTION


class RejectMessage(Exception):
    """Raised by a handler to answer a verified message with ebMS errors instead."""

    def __init__(self, *errors: As4Error) -> None:
        super().__init__(", ".join(e.code for e in errors))
        self.errors = errors


def ebms_error(code: str, description: str | None = None, *, ref: str | None = None,
               detail: str = "") -> As4Error:
    """An ebMS error with the ICD table's name, severity and category."""
    return as4_error(code, ref_to_message_id=ref, description=description, detail=detail)


def error_for(exc: SealError, *, ref: str | None = None) -> As4Error:
    """The ebMS error answering a message that failed verification [I: the ICD lists the codes,
    not which check maps to which: signature or certificate -> 0101, decompression -> 0303,
    header values outside the ICS2 P-Mode -> 0010, MIME packaging -> 0007, other structure ->
    0009]."""
    text = str(exc)
    if isinstance(exc, SignatureError | CertificateError):
        return ebms_error("EBMS:0101", text, ref=ref)
    if isinstance(exc, DecompressionError):
        return ebms_error("EBMS:0303", text, ref=ref)
    if isinstance(exc, PModeMismatchError):
        return ebms_error("EBMS:0010", text, ref=ref)
    if isinstance(exc, EnvelopeError):
        low = text.lower()
        if "mime" in low or "multipart" in low or "content-type" in low:
            return ebms_error("EBMS:0007", text, ref=ref)
        return ebms_error("EBMS:0009", text, ref=ref)
    return ebms_error("EBMS:0004", text, ref=ref)


_MESSAGE_ID = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?MessageId>([!-%'-;=?-~]{1,256})</")


def message_id_hint(body: bytes) -> str | None:
    """The eb:MessageId of a message that failed verification, read without trusting it, so
    the error signal can name it in refToMessageInError [I: ebMS3 6.2 wants the reference
    whenever the error relates to one message; the id is unverified, it only helps the sender
    correlate]. Printable ASCII only (no ``<``, ``>``, ``&``). None when no id is found in the
    first 64 kB."""
    m = _MESSAGE_ID.search(body, 0, 65536)
    return m.group(1).decode("ascii", "replace") if m else None


def misaddressed(msg: VerifiedMessage, *, party_id: str | None,
                 mpc: str | None = None) -> str | None:
    """Why a customs-to-trader user message is not for us, or None when it is.

    The verifier already holds the header to the ICS2 profile; this adds what only the
    receiving trader knows: the flow is ``eu_ics2_c2t`` from the Customs role, addressed to our
    party id, and (pulled) on the MPC we pulled (ICD 4.1.3.3: the message's @mpc is the
    PullRequest's)."""
    header = msg.header
    if header is None:
        return "not a user message"
    if header.service != SERVICE_C2T or header.sender.role != ROLE_CUSTOMS:
        return (f"eb:Service {header.service!r} from role {header.sender.role!r} is not a "
                f"customs-to-trader message ({SERVICE_C2T} from {ROLE_CUSTOMS})")
    if party_id is not None and header.receiver.party_id != party_id:
        return f"eb:To/eb:PartyId is {header.receiver.party_id!r}, we are {party_id!r}"
    if mpc is not None and msg.mpc != mpc:
        return f"pulled from {mpc} but the message names MPC {msg.mpc!r}"
    return None


@dataclass(frozen=True, kw_only=True)
class ReceiverHooks:
    """What the owner of an endpoint does with verified messages.

    ``on_user``: deliver a (first-seen, non-ping) user message; raise :class:`RejectMessage` to
    answer errors. ``on_pull``: the next message for a verified PullRequest, or None (answered
    with EBMS:0006). ``on_signal``: a verified receipt or error signal sent to us."""

    on_user: Callable[[VerifiedMessage], None]
    on_pull: Callable[[VerifiedMessage], WireMessage | None] | None = None
    on_signal: Callable[[VerifiedMessage], None] | None = None


class As4Receiver:
    """Sans-I/O AS4 receiving MSH (thread-safe)."""

    def __init__(self, *, identity: SealIdentity, trust: TrustStore, hooks: ReceiverHooks,
                 received: ReceivedStore | None = None,
                 max_inflated: int = MAX_DECOMPRESSED,
                 agreement_refs: frozenset[str] = ACCEPTED_AGREEMENT_REFS) -> None:
        """``received``: where duplicate detection keeps the answer given to each MessageId
        (default: the last 100,000 in memory; a :class:`StoreReceivedStore` on the shipment
        store survives a restart)."""
        self.identity = identity
        self.trust = trust
        self.hooks = hooks
        self.max_inflated = max_inflated
        self.agreement_refs = agreement_refs
        self.received: ReceivedStore = received if received is not None \
            else MemoryReceivedStore()
        self._lock = threading.Lock()
        self._in_progress: dict[str, threading.Event] = {}
        self.duplicates = 0

    def handle(self, content_type: str, body: bytes) -> HttpReply:
        """Answer one POSTed AS4 message (never raises for bad input)."""
        try:
            msg = verify_message(content_type, body, trust=self.trust,
                                 max_inflated=self.max_inflated,
                                 agreement_refs=self.agreement_refs)
        except SealError as exc:
            ref = message_id_hint(body)
            return self._errors(ref, [error_for(exc, ref=ref)])
        if msg.kind == "user":
            return self._user(msg)
        if msg.kind == "pull":
            return self._pull(msg)
        if self.hooks.on_signal is not None:
            self.hooks.on_signal(msg)
        return HttpReply(status=200)  # [I] signals are acknowledged with an empty 200

    def _user(self, msg: VerifiedMessage) -> HttpReply:
        key = msg.message_id
        while True:
            with self._lock:
                done = self.received.reply_for(key)
                if done is not None:
                    self.duplicates += 1
                    log.info("duplicate %s answered with its first reply", key)
                    return done
                waiting = self._in_progress.get(key)
                if waiting is None:
                    self._in_progress[key] = threading.Event()
                    break
            waiting.wait(30)  # the same message is being processed by another request
        try:
            reply, final = self._process_user(msg)
            if final:  # an internal failure is not remembered: a resend is processed again
                self.received.remember(key, reply)
            return reply
        finally:
            with self._lock:
                self._in_progress.pop(key).set()

    def _process_user(self, msg: VerifiedMessage) -> tuple[HttpReply, bool]:
        header = msg.header
        is_ping = header is not None and header.service == TEST_SERVICE \
            and header.action == TEST_ACTION
        if not is_ping:
            try:
                self.hooks.on_user(msg)
            except RejectMessage as rej:
                return self._errors(msg.message_id, rej.errors), True
            except Exception as exc:  # a bug behind the endpoint must not look like a receipt
                log.exception("processing %s failed", msg.message_id)
                return self._errors(msg.message_id, [ebms_error(
                    "EBMS:0004", f"internal error while processing: {type(exc).__name__}",
                    ref=msg.message_id)]), False
        receipt = seal_receipt(msg, identity=self.identity)
        return HttpReply(status=200, content_type=receipt.content_type, body=receipt.body), True

    def _pull(self, msg: VerifiedMessage) -> HttpReply:
        if self.hooks.on_pull is None:
            return self._errors(msg.message_id, [ebms_error(
                "EBMS:0008", "this endpoint does not serve pull requests",
                ref=msg.message_id)])
        try:
            wire = self.hooks.on_pull(msg)
        except RejectMessage as rej:
            return self._errors(msg.message_id, rej.errors)
        if wire is None:
            return self._errors(msg.message_id, [ebms_error(
                "EBMS:0006", f"no message waiting on {msg.mpc}", ref=msg.message_id)])
        return HttpReply(status=200, content_type=wire.content_type, body=wire.body)

    def _errors(self, ref: str | None, errors: Sequence[As4Error]) -> HttpReply:
        signal = seal_error(ref_to_message_id=ref, errors=errors, identity=self.identity)
        return HttpReply(status=200, content_type=signal.content_type, body=signal.body)
