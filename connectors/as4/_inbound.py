"""Push-mode inbound endpoint: customs (the trader interface) pushes answers to the trader.

An ASGI app (serve it with uvicorn behind two-way TLS, see :class:`BackgroundServer`) that
verifies each message, answers a signed receipt, drops duplicates, and queues the verified
messages for :meth:`As4Connector.pull` (or any consumer of :attr:`InboundEndpoint.inbox`).
"""

from __future__ import annotations

import queue

from ...seal import SealIdentity, SealPin, SealPinError, TrustStore, VerifiedMessage
from ._asgi import As4Asgi
from ._received import ReceivedStore
from ._receiver import As4Receiver, ReceiverHooks, RejectMessage, ebms_error, misaddressed


class InboundEndpoint:
    """The trader's receiving MSH for customs-to-trader pushes."""

    def __init__(self, *, identity: SealIdentity, trust: TrustStore, customs_seal: SealPin,
                 party_id: str | None = None, received: ReceivedStore | None = None) -> None:
        """``received``: duplicate detection (default in memory; give a
        :class:`StoreReceivedStore` on the shipment store so that a restart does not deliver
        a resend again)."""
        self.inbox: queue.Queue[VerifiedMessage] = queue.Queue()
        self.party_id = party_id
        # [I] Pinning the trader interface's seal, as an AS4 truststore of partner
        # certificates does: a CA trusted for TLS and seals may also issue seals to other
        # traders, and one of them could otherwise push a "customs answer" here. Required.
        self.customs_seal = customs_seal
        self._own = identity.certificate
        self.receiver = As4Receiver(identity=identity, trust=trust, received=received,
                                    hooks=ReceiverHooks(on_user=self._deliver))
        self.app = As4Asgi(self.receiver.handle)

    def _deliver(self, msg: VerifiedMessage) -> None:
        """Queue a customs answer addressed to us (``party_id``, when given); anything else
        is refused with EBMS:0010 instead of a receipt."""
        try:
            if msg.signer == self._own:
                raise SealPinError(f"message {msg.message_id} is sealed with our own seal")
            self.customs_seal.check(msg.signer, context=f"message {msg.message_id}")
        except SealPinError as exc:
            raise RejectMessage(ebms_error("EBMS:0101", str(exc), ref=msg.message_id)) from None
        problem = misaddressed(msg, party_id=self.party_id)
        if problem is not None:
            raise RejectMessage(ebms_error("EBMS:0010", problem, ref=msg.message_id))
        self.inbox.put(msg)

    def drain(self) -> list[VerifiedMessage]:
        """Every message received so far, oldest first (non-blocking)."""
        out: list[VerifiedMessage] = []
        while True:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                return out
