"""The simulated trader interface: the AS4 side of ``ensgate simulate``, without I/O.

It plays the Shared Trader Interface for conformance rehearsal: every incoming message is
verified (seal, chain, whole envelope) by :class:`As4Receiver`, the ebMS header is checked
against the ICS2 P-Mode, the filing goes to :class:`ensgate.answers.SimulatedCustoms`, and the
business answers are sealed as customs-to-trader user messages and queued on the trader's MPC
for pull, or handed to a pusher for push mode.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from ...answers import Scenario, SimulatedCustoms
from ...seal import (
    AGREEMENT_REF,
    ReceiptMismatchError,
    SealIdentity,
    TrustStore,
    VerifiedMessage,
    WireMessage,
    check_receipt,
    customs_to_trader_header,
    pull_mpc,
    seal_user_message,
    trader_to_customs_header,
    uumds_error,
)
from ...xmlsafe import check_xml_stream
from ..as4 import (
    As4Asgi,
    As4Receiver,
    HttpReply,
    ReceivedStore,
    ReceiverHooks,
    RejectMessage,
    ebms_error,
    party_id_of,
)

log = logging.getLogger("ensgate.simulator")

# What SimulatedCustoms answers (ICD v3.30 Annex 1, service eu_ics2_t2c, action = message id):
# ENS filings, amendments, arrival notifications, invalidation requests, consultations and
# the answers to referrals.
_FILING_ACTION = re.compile(r"IE3(F\d\d|A\d\d|N06|Q04|Q05|R02|R03)")
MPC_PREFIX = pull_mpc("XX000").removesuffix("XX000")
_TRADER_PARTY = re.compile(r"(?:[A-Za-z0-9]{1,12}@)?[A-Z]{2}[A-Za-z0-9]{3,15}(?:@[A-Z]{2})?")
MAX_PAYLOAD = 100 * 1024 * 1024  # ICD 4.2.6: business payload at most 100 MB uncompressed
MAX_PAYLOAD_ELEMENTS = 1_000_000
"""More elements than any ENS holds [I: an IE3F20 of 9,999 houses has about 600,000]; the check
stops at the first one over, with flat memory."""


def eori_of(party_id: str) -> str:
    """The EORI inside an ICS2 trader party id ``[sysid@]EORI[@MS]`` [I: with two parts, a
    two-letter last part is read as the member state]."""
    parts = party_id.split("@")
    if len(parts) >= 3:
        return parts[1]
    if len(parts) == 2:
        return parts[0] if len(parts[1]) == 2 else parts[1]
    return party_id


@dataclass(kw_only=True)
class Filed:
    """One filing the simulator received, and what it answered."""

    message_id: str
    sender: str
    action: str
    answers: list[str] = field(default_factory=list)  # answer message types


class Simulator:
    """Simulated ICS2 trader interface (thread-safe). ``handle`` / ``app`` serve AS4."""

    def __init__(self, *, identity: SealIdentity, trust: TrustStore,
                 customs: SimulatedCustoms | None = None,
                 scenario: Scenario = Scenario.ACCEPT,
                 pusher: Callable[[WireMessage], None] | None = None,
                 check_seal_owner: bool = True,
                 received: ReceivedStore | None = None,
                 agreement_refs: frozenset[str] = frozenset({AGREEMENT_REF})) -> None:
        """``received``: duplicate detection (default in memory; a
        :class:`~ensgate.connectors.as4.StoreReceivedStore` on a store keeps it across
        restarts, so a filing resent after one is answered with its receipt, not filed
        again). ``agreement_refs``: the eb:AgreementRef versions accepted; the simulated
        trader interface implements Release 2 and 3 (EU-ICS2-TI-V2.0) only [I]."""
        self.identity = identity
        self.customs = customs or SimulatedCustoms(scenario=scenario)
        self.pusher = pusher
        self.check_seal_owner = check_seal_owner
        self._lock = threading.Lock()
        # Pull channels. A pulled answer stays at the head of its channel, delivered again to
        # every PullRequest (a resent one included), until the trader's receipt for it comes
        # (or a signed error refusing it): a pull response lost on the way loses nothing.
        self.queues: dict[str, deque[WireMessage]] = {}
        self.awaiting_receipt: dict[str, WireMessage] = {}
        self.acknowledged: list[str] = []
        self.refused: list[str] = []  # answers the trader refused with an ebMS error
        self.deliveries: dict[str, int] = {}  # answer MessageId -> times pulled
        self._mpc_of: dict[str, str] = {}  # answer MessageId -> its channel
        self.filed: list[Filed] = []
        self.receiver = As4Receiver(identity=identity, trust=trust, received=received,
                                    agreement_refs=agreement_refs,
                                    hooks=ReceiverHooks(on_user=self._on_user,
                                                        on_pull=self._on_pull,
                                                        on_signal=self._on_signal))
        self.app = As4Asgi(self.handle)

    def handle(self, content_type: str, body: bytes) -> HttpReply:
        return self.receiver.handle(content_type, body)

    def waiting(self, mpc: str) -> int:
        with self._lock:
            return len(self.queues.get(mpc, ()))

    # -- trader -> customs -------------------------------------------------------------------
    def _on_user(self, msg: VerifiedMessage) -> None:
        header = msg.header
        if header is None:
            raise RejectMessage(ebms_error("EBMS:0009", "no UserMessage", ref=msg.message_id))
        ref = msg.message_id
        if not _FILING_ACTION.fullmatch(header.action):
            raise RejectMessage(ebms_error(
                "EBMS:0001",
                f"Action {header.action!r} is not a trader message the simulator handles",
                ref=ref))
        want = trader_to_customs_header(sender_party_id=header.sender.party_id,
                                        action=header.action)
        for label, got, expected in (
                ("Service", header.service, want.service),
                ("Service@type", header.service_type, want.service_type),
                ("To/PartyId", header.receiver.party_id, want.receiver.party_id),
                ("To/Role", header.receiver.role, want.receiver.role),
                ("From/Role", header.sender.role, want.sender.role)):
            if got != expected:
                raise RejectMessage(ebms_error(
                    "EBMS:0010", f"{label} is {got!r}, the ICS2 P-Mode requires {expected!r}",
                    ref=ref))
        sender = eori_of(header.sender.party_id)
        if self.check_seal_owner and msg.signer is not None:
            try:
                owner = party_id_of(msg.signer)
            except Exception:
                owner = ""
            if owner != sender:
                # [I] the real TI asks UUM&DS whether the seal is registered for the party.
                log.warning("seal of %r used for party %r: EBMS:0004 A001", owner, sender)
                raise RejectMessage(uumds_error("A001", ref_to_message_id=ref))
        if len(msg.payloads) != 1:
            raise RejectMessage(ebms_error("EBMS:0003",
                                           f"{len(msg.payloads)} payloads; one ENS expected",
                                           ref=ref))
        xml = msg.payloads[0].data
        # streamed: a large payload of tiny elements must not become a tree here (SimulatedCustoms
        # parses the ENS under its own, smaller, limit)
        outline, problems = check_xml_stream(xml, what="ENS payload", max_bytes=MAX_PAYLOAD,
                                             max_elements=MAX_PAYLOAD_ELEMENTS)
        if outline is None:  # not well-formed, DOCTYPE/entities, too large, too many elements
            raise RejectMessage(ebms_error("EBMS:0003", problems[0].message, ref=ref))
        root_name = etree.QName(outline.root_tag).localname
        if root_name != header.action:
            raise RejectMessage(ebms_error(
                "EBMS:0003", f"Action {header.action} but the payload is {root_name}", ref=ref))
        answers = self.customs.file(xml, sender=sender)
        filed = Filed(message_id=ref, sender=header.sender.party_id, action=header.action)
        for answer in answers:
            # the carrier's copies go to its own channel (its EORI as party id [I: the TI
            # uses the carrier's registered preference, ICD 3.3.2.3])
            receiver = answer.to or header.sender.party_id
            out = customs_to_trader_header(
                receiver_party_id=receiver, action=answer.message_type,
                ref_to_message_id=ref, conversation_id=header.conversation_id)
            wire = seal_user_message(answer.xml, header=out, identity=self.identity,
                                     attachments=[("application/xml", x)
                                                  for x in answer.related])
            filed.answers.append(answer.message_type)
            if self.pusher is not None and answer.to is None:  # the pusher reaches the filer
                self.pusher(wire)
            else:
                mpc = out.mpc or pull_mpc(receiver)
                with self._lock:
                    self.queues.setdefault(mpc, deque()).append(wire)
                    self.awaiting_receipt[wire.message_id] = wire
                    self._mpc_of[wire.message_id] = mpc
        with self._lock:
            self.filed.append(filed)
        log.info("filed %s %s from %s -> %s", header.action, ref, header.sender.party_id,
                 ", ".join(filed.answers) or "no answer")

    # -- pull ------------------------------------------------------------------------------
    def _on_pull(self, msg: VerifiedMessage) -> WireMessage | None:
        mpc = msg.mpc or ""
        party = mpc.removeprefix(MPC_PREFIX)
        if party == mpc or not _TRADER_PARTY.fullmatch(party):
            # ICD 4.3.3: the only channels are urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/<PartyId>
            raise RejectMessage(ebms_error(
                "EBMS:0010", f"PullRequest @mpc {mpc!r} is not {MPC_PREFIX}<PartyId>",
                ref=msg.message_id))
        if self.check_seal_owner and msg.signer is not None:
            try:
                owner = party_id_of(msg.signer)
            except Exception:
                owner = ""
            if not owner or eori_of(mpc.rsplit("/", 1)[-1]) != owner:
                log.warning("seal of %r may not pull %s: EBMS:0004 A001", owner, mpc)
                raise RejectMessage(uumds_error("A001", ref_to_message_id=msg.message_id))
        with self._lock:
            waiting = self.queues.get(mpc)
            wire = waiting[0] if waiting else None  # taken off only by its receipt
            if wire is not None:
                self.deliveries[wire.message_id] = self.deliveries.get(wire.message_id, 0) + 1
        if wire is not None:
            log.info("pulled %s from %s (delivery %d)", wire.message_id, mpc,
                     self.deliveries[wire.message_id])
        return wire

    def _on_signal(self, msg: VerifiedMessage) -> None:
        ref = msg.ref_to_message_id or next(
            (e.ref_to_message_id for e in msg.errors if e.ref_to_message_id), None) or ""
        with self._lock:
            sent = self.awaiting_receipt.get(ref)
            mpc = self._channel_of(ref)
        if sent is None:
            log.warning("%s for unknown message %s", msg.kind, ref or "(none)")
            return
        if not self._signed_by_channel_owner(msg, mpc):
            return
        if msg.kind != "receipt":
            # the trader refused the answer (e.g. EBMS:0010, not for it): it leaves the channel
            log.warning("answer %s refused: %s", ref, ", ".join(e.code for e in msg.errors))
            self._settle(ref, self.refused)
            return
        try:
            check_receipt(msg, sent=sent)
        except ReceiptMismatchError as exc:
            log.warning("receipt does not match %s: %s", sent.message_id, exc)
            return
        self._settle(ref, self.acknowledged)
        log.info("receipt verified for %s", sent.message_id)

    def _channel_of(self, message_id: str) -> str | None:
        known = self._mpc_of.get(message_id)
        if known is not None:
            return known
        for mpc, waiting in self.queues.items():  # queued from outside (tests)
            if any(w.message_id == message_id for w in waiting):
                return mpc
        return None

    def _signed_by_channel_owner(self, msg: VerifiedMessage, mpc: str | None) -> bool:
        """A receipt or refusal settles an answer only when sealed by the party whose channel
        holds it (the one allowed to pull it): anyone else could make answers vanish."""
        if not self.check_seal_owner or mpc is None or msg.signer is None:
            return True
        try:
            owner = party_id_of(msg.signer)
        except Exception:
            owner = ""
        if owner and owner == eori_of(mpc.rsplit("/", 1)[-1]):
            return True
        log.warning("%s for %s sealed by %r, not the owner of %s: ignored", msg.kind,
                    msg.ref_to_message_id, owner, mpc)
        return False

    def _settle(self, message_id: str, into: list[str]) -> None:
        with self._lock:
            self.awaiting_receipt.pop(message_id, None)
            mpc = self._channel_of(message_id)
            self._mpc_of.pop(message_id, None)
            waiting = self.queues.get(mpc or "")
            if waiting and waiting[0].message_id == message_id:
                waiting.popleft()  # the usual case: the head was pulled and acknowledged
            elif waiting:
                for wire in [w for w in waiting if w.message_id == message_id]:
                    waiting.remove(wire)
            into.append(message_id)
