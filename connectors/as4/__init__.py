"""AS4 (eDelivery / ebMS3) transport to the ICS2 trader interface: push, pull, ping, the
push-mode inbound endpoint, and the exception tree (see ``_exceptions``).

Sealing and verification are ``ensgate.seal``; this package moves sealed messages over HTTPS
with two-way TLS (httpx client, uvicorn server) and applies the ebMS rules around them:
receipts checked against what was sent, retries with the same MessageId, duplicate detection.
"""

from ._asgi import As4Asgi, HttpReply
from ._certdir import EndpointCerts, inbound_certs, party_id_of, simulator_certs, trader_certs
from ._client import As4Client, As4Settings, Submission
from ._codes import EMPTY_MPC, explain
from ._connector import Answer, As4Connector, read_inbound, read_pulled
from ._exceptions import (
    As4AuthorizationError,
    As4ConnectorError,
    As4ErrorSignal,
    As4ProtocolError,
    As4ReceiptError,
    As4TlsError,
    As4TransportError,
    error_signal,
)
from ._inbound import InboundEndpoint
from ._mock import receiver_transport
from ._received import MemoryReceivedStore, ReceivedStore, StoreReceivedStore
from ._receiver import (
    TEST_ACTION,
    TEST_SERVICE,
    As4Receiver,
    ReceiverHooks,
    RejectMessage,
    ebms_error,
    error_for,
)
from ._server import BackgroundServer, free_port, make_server, serve_forever
from ._tls import TlsFiles, client_context, server_context

__all__ = [
    "EMPTY_MPC",
    "TEST_ACTION",
    "TEST_SERVICE",
    "Answer",
    "As4Asgi",
    "As4AuthorizationError",
    "As4Client",
    "As4Connector",
    "As4ConnectorError",
    "As4ErrorSignal",
    "As4ProtocolError",
    "As4ReceiptError",
    "As4Receiver",
    "As4Settings",
    "As4TlsError",
    "As4TransportError",
    "BackgroundServer",
    "EndpointCerts",
    "HttpReply",
    "InboundEndpoint",
    "MemoryReceivedStore",
    "ReceivedStore",
    "ReceiverHooks",
    "RejectMessage",
    "StoreReceivedStore",
    "Submission",
    "TlsFiles",
    "client_context",
    "ebms_error",
    "error_for",
    "error_signal",
    "explain",
    "free_port",
    "inbound_certs",
    "make_server",
    "party_id_of",
    "read_inbound",
    "read_pulled",
    "receiver_transport",
    "serve_forever",
    "server_context",
    "simulator_certs",
    "trader_certs",
]
