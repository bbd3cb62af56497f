"""Helpers shared by the AS4 tests (imported by name; tests/ is not a package)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ensgate.connectors.as4 import As4Settings, EndpointCerts

ROOT = Path(__file__).resolve().parents[2]


def lrn_of(path: Path) -> str:
    root = etree.parse(str(path)).getroot()
    return next(el.text or "" for el in root if etree.QName(el).localname == "LRN")


def action_of(path: Path) -> str:
    return str(etree.QName(etree.parse(str(path)).getroot()).localname)


def make_settings(trader: EndpointCerts, endpoint: str = "https://sim.invalid/",
                  **over: object) -> As4Settings:
    base: dict[str, object] = {"endpoint": endpoint, "party_id": "DE0000DEMO0001",
                               "identity": trader.identity, "trust": trader.trust,
                               "peer_seal": trader.peer_seal,
                               "tls": trader.tls, "retries": 3, "backoff": 0.01}
    base.update(over)
    return As4Settings(**base)  # type: ignore[arg-type]
