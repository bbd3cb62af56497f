"""Connector plugin layer: the hand-off of filings to customs or to existing EDI hubs.

Built-in: ``folder`` (drop folder for hubs) and ``mock`` (tests). Sealing and the AS4 access
point come with their own connectors; third-party connectors register through the
``ensgate.connectors`` entry-point group.
"""

from ._base import (
    ENTRY_POINT_GROUP,
    Connector,
    InboundMessage,
    MockConnector,
    OutboundFiling,
    PreparedFiling,
    SubmitReceipt,
    connector_names,
    get_connector,
    register_connector,
)
from ._folder import FolderConnector

register_connector("folder", FolderConnector)
register_connector("mock", MockConnector)


def _as4_connector(**settings: object) -> Connector:
    """``as4``: imported on first use (it pulls in sealing, httpx and uvicorn)."""
    from .as4 import As4Connector

    return As4Connector(**settings)  # type: ignore[arg-type]


register_connector("as4", _as4_connector)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Connector",
    "FolderConnector",
    "InboundMessage",
    "MockConnector",
    "OutboundFiling",
    "PreparedFiling",
    "SubmitReceipt",
    "connector_names",
    "get_connector",
    "register_connector",
]
