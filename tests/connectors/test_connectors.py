"""The connector plugin base: registry, folder hand-off, mock, entry-point discovery."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from ensgate.connectors import (
    Connector,
    InboundMessage,
    MockConnector,
    OutboundFiling,
    connector_names,
    get_connector,
)
from ensgate.diagnostics import ConfigError

FILING = OutboundFiling(lrn="EGF28180-1", message_type="IE3F28", xml=b"<IE3F28/>")


def test_builtins_are_registered() -> None:
    assert {"folder", "mock"} <= set(connector_names())
    assert isinstance(get_connector("mock"), MockConnector)


def test_folder_connector_writes_atomically_and_refuses_duplicates(tmp_path: Path) -> None:
    conn = get_connector("folder", outbox=tmp_path / "out", inbox=tmp_path / "in")
    assert conn.ping()
    first = conn.submit(FILING)
    assert first.accepted
    written = Path(first.reference)
    assert written.read_bytes() == b"<IE3F28/>"
    assert written.name == "EGF28180-1.IE3F28.xml"
    assert not list((tmp_path / "out").glob(".*.part"))
    again = conn.submit(FILING)
    assert not again.accepted and "already" in again.detail
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "EGF28180-1.IE3R01.xml").write_bytes(b"<IE3R01/>")
    got = list(conn.pull())
    assert [(m.message_type, m.body) for m in got] == [("IE3R01", b"<IE3R01/>")]
    assert not list((tmp_path / "in").iterdir())


def test_mock_connector_records_and_refuses() -> None:
    mock = MockConnector(refuse={"BAD"})
    assert mock.submit(FILING).accepted
    assert not mock.submit(OutboundFiling(lrn="BAD", message_type="IE3F28", xml=b"")).accepted
    assert [f.lrn for f in mock.submitted] == ["EGF28180-1", "BAD"]
    mock.inbox.append(InboundMessage(message_type="IE3R01", body=b"x"))
    assert [m.message_type for m in mock.pull()] == ["IE3R01"]


def test_unknown_connector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown connector 'nope'"):
        get_connector("nope")


class _ThirdParty(Connector):
    name = "acme-hub"

    def submit(self, filing: OutboundFiling):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_third_party_connectors_come_from_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = EntryPoint(name="acme-hub", value=f"{__name__}:_ThirdParty",
                    group="ensgate.connectors")
    import ensgate.connectors._base as base

    monkeypatch.setattr(base, "entry_points", lambda group: [ep] if group == ep.group else [])
    assert "acme-hub" in connector_names()
    assert isinstance(get_connector("acme-hub"), _ThirdParty)
