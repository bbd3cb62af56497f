"""The connector interface: how a filing leaves ensgate, and how answers come back.

Connectors are chosen by name in configuration. Built-ins are registered explicitly in code;
other packages add connectors through the ``ensgate.connectors`` entry-point group. Connectors
are injected (``get_connector(name, **settings)``), so a test swaps in :class:`MockConnector`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from ..diagnostics import ConfigError

ENTRY_POINT_GROUP = "ensgate.connectors"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundFiling:
    """What a connector sends: the ENS XML and how to name it."""

    lrn: str
    message_type: str  # e.g. "IE3F26"
    xml: bytes
    declarant: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmitReceipt:
    """What a connector reports after a submission (``reference``: file path, message id...)."""

    lrn: str
    accepted: bool
    reference: str = ""
    detail: str = ""
    evidence: bytes = b""  # the other side's acknowledgement as received (AS4: NRR receipt)


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedFiling:
    """A filing made ready to go, before it goes: ``reference`` is the transport's own id
    (AS4 MessageId) and ``wire`` exactly what :meth:`Connector.deliver` sends, so that both can
    be committed to the store first and a resend after a crash is the same message (empty for
    connectors without such an id)."""

    filing: OutboundFiling
    reference: str = ""
    wire: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    """A message received from customs or a hub (e.g. IE3R01 with an MRN)."""

    message_type: str
    body: bytes
    reference: str = ""
    ref_to_message_id: str | None = None  # the message it answers (AS4 RefToMessageId)


class Connector(abc.ABC):
    """Base class of every connector: submit a filing, pull answers, check the channel."""

    name: str = ""

    @abc.abstractmethod
    def submit(self, filing: OutboundFiling) -> SubmitReceipt:
        """Hand one filing over; never raise for a refusal by the other side (report it)."""

    def prepare(self, filing: OutboundFiling) -> PreparedFiling:
        """Make a filing ready to go (AS4: sealed, with its MessageId) without sending it."""
        return PreparedFiling(filing=filing)

    def deliver(self, prepared: PreparedFiling) -> SubmitReceipt:
        """Send a prepared filing (again, after a crash: the same ``wire``); reports like
        :meth:`submit`."""
        return self.submit(prepared.filing)

    def pull(self) -> Iterator[InboundMessage]:
        """Answers waiting on the other side (none by default). A connector that must
        acknowledge what it delivers does so when the next one is asked for, i.e. after the
        caller has recorded the previous one: a crash in between loses nothing."""
        return iter(())

    def ping(self) -> bool:
        """Whether the channel is usable now."""
        return True


Factory = Callable[..., Connector]
_REGISTRY: dict[str, Factory] = {}


def register_connector(name: str, factory: Factory) -> None:
    """Register a connector factory under ``name`` (built-ins call this at import)."""
    _REGISTRY[name] = factory


def connector_names() -> list[str]:
    names = set(_REGISTRY)
    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def get_connector(name: str, **settings: Any) -> Connector:
    """A connector by name: built-ins first, then entry points of installed packages."""
    factory = _REGISTRY.get(name)
    if factory is None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == name:
                factory = ep.load()
                break
    if factory is None:
        raise ConfigError(f"unknown connector {name!r}; known: {', '.join(connector_names())}")
    connector = factory(**settings)
    if not isinstance(connector, Connector):
        raise ConfigError(f"connector {name!r} does not implement ensgate.connectors.Connector")
    return connector


@dataclass
class MockConnector(Connector):
    """Records what it is given, for tests (shipped so users can test their own set-ups)."""

    name = "mock"
    refuse: set[str] = field(default_factory=set)  # LRNs to refuse
    inbox: list[InboundMessage] = field(default_factory=list)
    submitted: list[OutboundFiling] = field(default_factory=list)

    def submit(self, filing: OutboundFiling) -> SubmitReceipt:
        self.submitted.append(filing)
        ok = filing.lrn not in self.refuse
        return SubmitReceipt(lrn=filing.lrn, accepted=ok, reference=f"mock-{len(self.submitted)}",
                             detail="" if ok else "refused by the mock")

    def pull(self) -> Iterator[InboundMessage]:
        while self.inbox:
            yield self.inbox.pop(0)
