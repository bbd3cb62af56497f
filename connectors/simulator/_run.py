"""``ensgate simulate``: the simulated trader interface on loopback HTTPS, in the foreground."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...answers import CustomsRegistry, Scenario, SimulatedCustoms
from ...diagnostics import ConfigError
from ..as4 import As4Settings, StoreReceivedStore, TlsFiles, make_server, simulator_certs
from ._core import Simulator
from ._push import AnswerPusher


@dataclass(frozen=True, kw_only=True)
class SimulatorConfig:
    """``certs``: folder in the ``ensgate certs demo`` layout; ``push_url``: the trader's
    inbound endpoint (answers are pushed there instead of waiting on the MPC for pull);
    ``state``: a store (URL, or a SQLite file path) keeping duplicate detection across
    restarts (else in memory); ``ledger``: a journal file keeping what customs registered
    and answered (LRNs, MRNs and their states) across restarts (else in memory)."""

    certs: Path
    host: str = "127.0.0.1"
    port: int = 8443
    scenario: Scenario = Scenario.ACCEPT
    push_url: str | None = None
    mrn_country: str = "BE"
    state: str | Path | None = None  # store of the MessageIds answered (duplicate detection)
    ledger: Path | None = None  # journal of the simulated customs (CustomsRegistry)
    notify_carrier: bool = False  # the carrier's copies (IE3Q01, IE3N04, IE3N05)


def build_simulator(config: SimulatorConfig) -> tuple[Simulator, AnswerPusher | None]:
    """The simulator for a configuration (and its pusher in push mode)."""
    found = simulator_certs(config.certs)
    pusher = None
    if config.push_url:
        # [I] demo shortcut: the simulator's TLS client certificate is the demo tls-client one
        tls = TlsFiles(ca_file=found.tls.ca_file, cert_file=config.certs / "tls-client.pem",
                       key_file=config.certs / "tls-client.key.pem")
        if found.peer_seal is None:
            raise ConfigError(f"{config.certs}: push mode needs the trader endpoint's seal "
                              "pinned (seal.pem or seal.sha256 in the folder)")
        pusher = AnswerPusher(As4Settings(endpoint=config.push_url, party_id="sti-taxud",
                                          identity=found.identity, trust=found.trust,
                                          peer_seal=found.peer_seal, tls=tls, retries=5))
    registry = CustomsRegistry(journal=config.ledger) if config.ledger is not None else None
    customs = SimulatedCustoms(scenario=config.scenario, mrn_country=config.mrn_country,
                               registry=registry, notify_carrier=config.notify_carrier)
    received = None
    if config.state is not None:
        from ...store import Store

        url = str(config.state)
        if "://" not in url:  # a file path: a SQLite store there
            url = f"sqlite:///{Path(url).resolve()}"
        received = StoreReceivedStore(Store.open(url))
    sim = Simulator(identity=found.identity, trust=found.trust, customs=customs, pusher=pusher,
                    received=received)
    return sim, pusher


def run_simulator(config: SimulatorConfig, *, log_level: str = "info") -> None:
    """Serve until Ctrl-C (uvicorn handles SIGINT/SIGTERM and shuts down cleanly)."""
    sim, pusher = build_simulator(config)
    tls = simulator_certs(config.certs).tls
    server = make_server(sim.app, host=config.host, port=config.port, tls=tls,
                         log_level=log_level)
    try:
        server.run()
    finally:
        if pusher is not None:
            pusher.close()
