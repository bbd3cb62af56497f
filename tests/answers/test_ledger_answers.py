"""The additive answer API of the ledger (record_answer / answers_for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ensgate.ledger import AnswerLedger, AnswerRecord, FilingLedger

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
MRN = "26BEIEQH524YNG5SF9"


def test_fits_both_protocols(ledger: Any) -> None:
    assert isinstance(ledger, AnswerLedger) and isinstance(ledger, FilingLedger)


def test_answers_in_time_order_per_filing(ledger: Any) -> None:
    assert ledger.answers_for("DE1234567", "LRN-1") == []
    ledger.record_answer("DE1234567", "LRN-1", "IE3Q02", MRN, T0 + timedelta(minutes=5))
    ledger.record_answer("de 1234567", " LRN-1 ", "IE3R01", MRN, T0)
    ledger.record_answer("DE1234567", "LRN-2", "IE3N99", None, T0)
    ledger.record_answer("NL004495445", "LRN-1", "IE3N99", None, T0)
    got = ledger.answers_for("DE1234567", "LRN-1")
    assert got == [
        AnswerRecord(declarant="DE1234567", lrn="LRN-1", message_type="IE3R01", mrn=MRN,
                     received_at=T0),
        AnswerRecord(declarant="DE1234567", lrn="LRN-1", message_type="IE3Q02", mrn=MRN,
                     received_at=T0 + timedelta(minutes=5)),
    ]
    assert [r.message_type for r in ledger.answers_for("DE1234567", "LRN-2")] == ["IE3N99"]
    assert ledger.answers_for("DE1234567", "LRN-2")[0].mrn is None


def test_same_instant_keeps_recording_order_and_zones_compare_as_instants(ledger: Any) -> None:
    cet = timezone(timedelta(hours=1))
    ledger.record_answer("DE1", "L", "IE3R01", MRN, datetime(2026, 11, 20, 10, 30, tzinfo=cet))
    ledger.record_answer("DE1", "L", "IE3N03", MRN, T0)
    got = ledger.answers_for("DE1", "L")
    assert [r.message_type for r in got] == ["IE3R01", "IE3N03"]
    assert all(r.received_at == T0 and r.received_at.tzinfo is not None for r in got)


def test_answers_do_not_touch_filings(ledger: Any) -> None:
    ledger.record_answer("DE1234567", "LRN-1", "IE3R01", MRN, T0)
    assert not ledger.lrn_used("DE1234567", "LRN-1")
    assert ledger.record("DE1234567", "LRN-1", ["020-12345675"], T0) is True
