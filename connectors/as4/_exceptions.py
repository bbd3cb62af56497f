"""What can go wrong when ensgate talks AS4, as one exception tree.

The tree (every class is importable from ``ensgate.connectors.as4``)::

    EnsgateError
    └── As4ConnectorError            base: anything the AS4 connector raises on purpose
        ├── As4TransportError        no HTTP exchange completed: refused, reset, timed out
        │   │                        (raised only after the retries are spent)
        │   └── As4TlsError          the TLS handshake failed: server certificate not trusted,
        │                            or our client certificate refused (two-way TLS)
        ├── As4ProtocolError         an answer came back but is not a usable AS4 message:
        │                            HTTP status, content type, envelope or signature
        ├── As4ErrorSignal           the other MSH answered with ebMS errors (``.errors``)
        │   └── As4AuthorizationError   EBMS:0004 with a UUM&DS sub-code (A001..A003)
        └── As4ReceiptError          no NRR receipt (EBMS:0301), or a receipt that does not
                                     acknowledge what was sent (EBMS:0302)

Transport errors are retried (same MessageId, so the receiver's duplicate detection keeps the
filing single); every other error is final and is raised at once. ``str()`` of each is an
operator message; it never carries key material.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...diagnostics import EnsgateError
from ...seal import As4Error, uumds_subcode
from ._codes import EMPTY_MPC, explain


class As4ConnectorError(EnsgateError):
    """Base of every error the AS4 connector raises on purpose."""

    def __init__(self, message: str, *, message_id: str | None = None) -> None:
        super().__init__(message)
        self.message_id = message_id


class As4TransportError(As4ConnectorError):
    """No HTTP exchange completed (after the configured retries)."""

    def __init__(self, message: str, *, message_id: str | None = None,
                 attempts: int = 1) -> None:
        super().__init__(message, message_id=message_id)
        self.attempts = attempts


class As4TlsError(As4TransportError):
    """The TLS handshake failed; retrying does not help, the certificates must be fixed."""


class As4ProtocolError(As4ConnectorError):
    """The answer is not a usable AS4 message (status, content type, envelope, signature)."""


class As4ErrorSignal(As4ConnectorError):
    """The other MSH answered with an ebMS error signal."""

    def __init__(self, errors: Sequence[As4Error], *, message_id: str | None = None) -> None:
        self.errors: tuple[As4Error, ...] = tuple(errors)
        lines = [explain(e) for e in self.errors]
        ref = f" for message {message_id}" if message_id else ""
        super().__init__(f"AS4 error{'s' if len(lines) > 1 else ''}{ref}: " + " | ".join(lines),
                         message_id=message_id)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)

    @property
    def empty_mpc(self) -> bool:
        """True when the only error is EBMS:0006 (nothing to pull; a warning, not a fault)."""
        return self.codes == (EMPTY_MPC,)


class As4AuthorizationError(As4ErrorSignal):
    """EBMS:0004 with a UUM&DS sub-code: the sealing certificate / party is not authorised."""

    @property
    def subcode(self) -> str | None:
        return next((s for s in map(uumds_subcode, self.errors) if s), None)


class As4ReceiptError(As4ConnectorError):
    """The receipt is missing or does not acknowledge what was sent (the filing may still have
    arrived: resend with the same MessageId, the receiver answers duplicates with a receipt)."""


def error_signal(errors: Sequence[As4Error], *, message_id: str | None) -> As4ErrorSignal:
    """The most specific exception for a list of ebMS errors."""
    if any(uumds_subcode(e) for e in errors):
        return As4AuthorizationError(errors, message_id=message_id)
    return As4ErrorSignal(errors, message_id=message_id)
