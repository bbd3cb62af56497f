"""Push-mode inbound endpoint: customs (the trader interface) pushes answers to the trader.

An ASGI app (serve it with uvicorn behind two-way TLS, see :class:`BackgroundServer`) that
verifies each message, answers a signed receipt, drops duplicates, and queues the verified
messages for :meth:`As4Connector.pull` (or any consumer of :attr:`InboundEndpoint.inbox`).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence

from cryptography import x509

from ...seal import SealIdentity, TrustStore, VerifiedMessage
from ._asgi import As4Asgi
from ._receiver import As4Receiver, ReceiverHooks, RejectMessage, ebms_error, misaddressed


class InboundEndpoint:
    """The trader's receiving MSH for customs-to-trader pushes."""

    def __init__(self, *, identity: SealIdentity, trust: TrustStore,
                 party_id: str | None = None,
                 customs_seals: Sequence[x509.Certificate] | None = None) -> None:
        self.inbox: queue.Queue[VerifiedMessage] = queue.Queue()
        self.party_id = party_id
        # [I] Pinning the trader interface's seal certificate(s), as an AS4 truststore of
        # partner certificates does: a CA trusted for TLS and seals may also issue seals to
        # other traders, and one of them could otherwise push a "customs answer" here.
        self.customs_seals = frozenset(customs_seals) if customs_seals else None
        self.receiver = As4Receiver(identity=identity, trust=trust,
                                    hooks=ReceiverHooks(on_user=self._deliver))
        self.app = As4Asgi(self.receiver.handle)

    def _deliver(self, msg: VerifiedMessage) -> None:
        """Queue a customs answer addressed to us (``party_id``, when given); anything else
        is refused with EBMS:0010 instead of a receipt."""
        if self.customs_seals is not None and msg.signer not in self.customs_seals:
            who = msg.signer.subject.rfc4514_string() if msg.signer is not None else "nobody"
            raise RejectMessage(ebms_error(
                "EBMS:0101", f"sealed by {who}, which is not a customs seal this endpoint "
                "accepts", ref=msg.message_id))
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
