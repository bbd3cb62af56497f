"""The filing ledger protocol used by R3003 and the likely-code-81 check (in memory; the
store's view of the same questions is tested in tests/store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ensgate.ledger import FilingLedger

T0 = datetime(2024, 4, 12, 10, 0, tzinfo=UTC)


def test_implements_protocol(ledger: Any) -> None:
    assert isinstance(ledger, FilingLedger)


def test_lrn_recorded_once_per_declarant(ledger: Any) -> None:
    assert not ledger.lrn_used("DE1234567", "LRN-1")
    assert ledger.record("DE1234567", "LRN-1", ["020-12345675"], T0) is True
    assert ledger.lrn_used("de 1234567", "LRN-1")
    assert not ledger.lrn_used("NL004495445", "LRN-1")
    assert ledger.record("DE1234567", "LRN-1", ["999"], T0) is False
    # the refused record stored nothing
    assert not ledger.document_used("DE1234567", "999")


def test_document_window(ledger: Any) -> None:
    ledger.record("DE1234567", "LRN-1", ["020-12345675", ""], T0)
    assert ledger.document_used("DE1234567", "020-12345675")
    assert ledger.document_used("DE1234567", "020-12345675", since=T0 - timedelta(days=365))
    assert not ledger.document_used("DE1234567", "020-12345675", since=T0 + timedelta(seconds=1))
    assert not ledger.document_used("NL004495445", "020-12345675")
    # other time zones compare as instants
    cet = timezone(timedelta(hours=2))
    assert ledger.document_used("DE1234567", "020-12345675",
                                since=datetime(2024, 4, 12, 12, 0, tzinfo=cet))
