"""``As4Connector``: the ``as4`` connector, filing with the ICS2 trader interface over AS4.

Chosen by name in configuration (``get_connector("as4", endpoint=..., certs=...)``). Submit
pushes a sealed filing and returns once the NRR receipt is verified against what was sent; a
refusal by the other side (ebMS error, bad receipt) is *reported* in the ``SubmitReceipt``,
while an unreachable endpoint (after retries) raises :class:`As4TransportError`. Answers come
back by pull (signed PullRequest on the party's MPC) or, in push mode, through an
:class:`InboundEndpoint` the connector drains.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ...answers import AnswerReadError, read_answer
from ...seal import SealPin, VerifiedMessage, WireMessage
from .._base import Connector, InboundMessage, OutboundFiling, PreparedFiling, SubmitReceipt
from ._certdir import party_id_of, trader_certs
from ._client import As4Client, As4Settings, Submission
from ._exceptions import As4ConnectorError, As4ErrorSignal, As4ReceiptError
from ._inbound import InboundEndpoint

if TYPE_CHECKING:
    from ...store import Store


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A customs answer received over AS4, read far enough to report it."""

    message_id: str
    ref_to_message_id: str | None
    action: str
    lrn: str | None
    mrn: str | None
    errors: tuple[str, ...]
    xml: bytes


def read_pulled(message: VerifiedMessage) -> Answer:
    """The business answer inside a pulled/pushed user message (first payload)."""
    return read_inbound(_inbound(message))


def _inbound(message: VerifiedMessage) -> InboundMessage:
    header = message.header
    return InboundMessage(message_type=header.action if header is not None else "",
                          body=message.payloads[0].data if message.payloads else b"",
                          reference=message.message_id,
                          ref_to_message_id=message.ref_to_message_id)


def read_inbound(message: InboundMessage) -> Answer:
    """The business answer inside a message a connector delivered (``reference``: its
    MessageId); an unreadable payload is reported in ``errors``, never raised."""
    action, xml = message.message_type, message.body
    lrn = mrn = None
    errors: tuple[str, ...] = ()
    if xml:
        try:
            ans = read_answer(xml, source_name=message.reference)
        except AnswerReadError as exc:  # reported with the answer; the pull goes on
            errors = (f"unreadable {action or 'answer'} payload: {exc}",)
        else:
            lrn, mrn = ans.lrn, ans.mrn
            errors = tuple(f"{e.code} {e.text} at {e.pointer}".strip() for e in ans.errors)
            action = action or ans.message_type
    else:
        errors = (f"{action or 'answer'} without payload",)
    return Answer(message_id=message.reference, ref_to_message_id=message.ref_to_message_id,
                  action=action, lrn=lrn, mrn=mrn, errors=errors, xml=xml)


def customs_seal_pin(value: SealPin | str | Path) -> SealPin:
    """A pin given as an object, a rule (``subject: ...; issuer: ...``) or a file (PEM
    certificates or SHA-256 fingerprints)."""
    if isinstance(value, SealPin):
        return value
    text = str(value)
    if text.lstrip().lower().startswith(("subject:", "issuer:")):
        return SealPin.from_rule(text)
    return SealPin.from_file(text)


class As4Connector(Connector):
    """Files ENS messages over AS4 (push) and fetches answers (pull, or push-mode inbox)."""

    name = "as4"

    def __init__(self, *, endpoint: str | None = None, certs: str | Path | None = None,
                 party_id: str | None = None, settings: As4Settings | None = None,
                 store: Store | str | None = None,
                 inbound: InboundEndpoint | None = None,
                 transport: httpx.BaseTransport | None = None,
                 retries: int = 4, backoff: float = 1.0, timeout: float = 60.0,
                 customs_seal: SealPin | str | Path | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if settings is None:
            if endpoint is None or certs is None:
                raise As4ConnectorError("the as4 connector needs endpoint and certs "
                                        "(or ready settings)")
            found = trader_certs(certs)
            pin = customs_seal_pin(customs_seal) if customs_seal is not None \
                else found.peer_seal
            if pin is None:
                raise As4ConnectorError(
                    f"no customs seal pinned: put the trader interface's seal certificate in "
                    f"{Path(certs) / 'customs-seal.pem'} (or its SHA-256 fingerprint in "
                    "customs-seal.sha256), or give customs_seal (--customs-seal): a "
                    "certificate file, a fingerprint file or a rule 'subject: ...; issuer: "
                    "...'. Without it any seal under ca.pem, another trader's or our own, "
                    "could sign a receipt or an MRN")
            settings = As4Settings(
                endpoint=endpoint, identity=found.identity, trust=found.trust, tls=found.tls,
                party_id=party_id or party_id_of(found.identity.certificate),
                peer_seal=pin, retries=retries, backoff=backoff, timeout=timeout)
        self.settings = settings
        from ...store import Store

        # every exchange goes to the shipment store (its filing becomes sent, registered...);
        # without one, an in-memory store keeps this connector's exchanges for its lifetime
        self._own_store = not isinstance(store, Store)
        self.store: Store = store if isinstance(store, Store) else Store.open(
            str(store) if store else "sqlite://")
        self.inbound = inbound
        self.client = As4Client(settings, transport=transport, sleep=sleep)

    def close(self) -> None:
        self.client.close()
        if self._own_store:
            self.store.close()

    def send(self, filing: OutboundFiling) -> Submission:
        """Push one filing; raises the AS4 exceptions (``submit`` reports them instead). The
        MessageId and the sealed message are committed to the store before they go."""
        wire = self.client.seal(filing.xml, action=filing.message_type)
        self.store.record_sent(message_id=wire.message_id, lrn=filing.lrn,
                               action=filing.message_type, endpoint=self.settings.endpoint,
                               body=filing.xml, wire=wire.to_bytes())
        try:
            done = self.client.push(wire)
        except (As4ErrorSignal, As4ReceiptError) as exc:
            self.store.record_receipt(wire.message_id, ok=False, detail=str(exc))
            raise
        self.store.record_receipt(done.message_id, ok=True, receipt_wire=done.receipt_wire)
        return done

    def prepare(self, filing: OutboundFiling) -> PreparedFiling:
        """Seal a filing with a new MessageId, not sent: the caller commits ``reference`` and
        ``wire`` (the store's outbox), then :meth:`deliver` sends it."""
        wire = self.client.seal(filing.xml, action=filing.message_type)
        return PreparedFiling(filing=filing, reference=wire.message_id, wire=wire.to_bytes())

    def deliver(self, prepared: PreparedFiling) -> SubmitReceipt:
        """Push a prepared (or, after a crash, stored) sealed message byte for byte, with its
        MessageId: the receiver's duplicate detection answers a message it already has with
        the same receipt. A refusal is reported; an unreachable endpoint raises
        :class:`As4TransportError` (the filing stays in flight, to be sent again)."""
        wire = dataclasses.replace(WireMessage.from_bytes(prepared.wire),
                                   message_id=prepared.reference)
        lrn = prepared.filing.lrn
        try:
            done = self.client.push(wire)
        except (As4ErrorSignal, As4ReceiptError) as exc:
            return SubmitReceipt(lrn=lrn, accepted=False, reference=wire.message_id,
                                 detail=str(exc))
        return SubmitReceipt(lrn=lrn, accepted=True, reference=done.message_id,
                             detail=f"NRR receipt {done.receipt.message_id} verified",
                             evidence=done.receipt_wire)

    def submit(self, filing: OutboundFiling) -> SubmitReceipt:
        try:
            done = self.send(filing)
        except (As4ErrorSignal, As4ReceiptError) as exc:
            return SubmitReceipt(lrn=filing.lrn, accepted=False,
                                 reference=exc.message_id or "", detail=str(exc))
        return SubmitReceipt(lrn=filing.lrn, accepted=True, reference=done.message_id,
                             detail=f"NRR receipt {done.receipt.message_id} verified")

    def answers(self) -> Iterator[Answer]:
        """Every answer waiting: pulled until EBMS:0006 (or drained from the push inbox),
        each recorded in the store before its receipt goes back; a duplicate delivery is
        skipped."""
        for message in self._received():
            answer = read_pulled(message)
            fresh = self.store.record_answer(
                message_id=answer.message_id, ref_to_message_id=answer.ref_to_message_id,
                action=answer.action, lrn=answer.lrn, mrn=answer.mrn,
                errors="\n".join(answer.errors), body=answer.xml)
            if fresh:
                yield answer

    def pull(self) -> Iterator[InboundMessage]:
        """Every answer waiting, not recorded here: each pulled message is acknowledged when
        the next one is asked for (after the caller recorded it), so a crash in between
        leaves it on the channel, delivered again."""
        for message in self._received():
            yield _inbound(message)

    def _received(self) -> Iterator[VerifiedMessage]:
        while True:
            if self.inbound is not None:  # push mode: acknowledged by the endpoint on arrival
                batch = self.inbound.drain()
                if not batch:
                    return
                yield from batch
                continue
            pulled = self.client.pull(acknowledge=False)
            if pulled is None:
                return
            yield pulled
            self.client.acknowledge(pulled)  # the caller has recorded it

    def ping(self) -> bool:
        try:
            self.client.ping()
        except As4ConnectorError:
            return False
        return True
