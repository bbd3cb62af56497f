"""Push-mode inbound endpoint: customs (the trader interface) pushes answers to the trader.

An ASGI app (serve it with uvicorn behind two-way TLS, see :class:`BackgroundServer`) that
verifies each message, answers a signed receipt, drops duplicates, and queues the verified
messages for :meth:`As4Connector.pull` (or any consumer of :attr:`InboundEndpoint.inbox`).
"""

from __future__ import annotations

import queue

from ...seal import SealIdentity, TrustStore, VerifiedMessage
from ._asgi import As4Asgi
from ._receiver import As4Receiver, ReceiverHooks


class InboundEndpoint:
    """The trader's receiving MSH for customs-to-trader pushes."""

    def __init__(self, *, identity: SealIdentity, trust: TrustStore) -> None:
        self.inbox: queue.Queue[VerifiedMessage] = queue.Queue()
        self.receiver = As4Receiver(identity=identity, trust=trust,
                                    hooks=ReceiverHooks(on_user=self.inbox.put))
        self.app = As4Asgi(self.receiver.handle)

    def drain(self) -> list[VerifiedMessage]:
        """Every message received so far, oldest first (non-blocking)."""
        out: list[VerifiedMessage] = []
        while True:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                return out
