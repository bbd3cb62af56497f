"""read_answer on hand-written, ICD-shaped answers (tests/data/ics2/answers, not made by
ensgate's builder): each type read with the details its IE table gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ensgate.answers import CustomsAnswer, DocumentRef, read_answer

DATA = Path(__file__).resolve().parents[1] / "data" / "ics2" / "answers"
MRN = "26BE4RT8W2H1X0SF37"
MASTER = DocumentRef(number="176-12345675", type="N741")
H77 = DocumentRef(number="HAWB-77", type="N703")
H78 = DocumentRef(number="HAWB-78", type="N703")


def _read(name: str, *, valid: bool = True) -> CustomsAnswer:
    got = read_answer((DATA / name).read_bytes(), source_name=name,
                      ref_to_message_id="as4-msg-1@sender")
    assert got.ref_to_message_id == "as4-msg-1@sender"
    assert (got.diagnostics == ()) is valid, [str(d) for d in got.diagnostics]
    return got


def test_lifecycle_error_duplicate_document() -> None:
    got = _read("IE3N01.xml")
    assert (got.message_type, got.lrn, got.mrn) == ("IE3N01", "DE-LRN-2026-000123", None)
    (e,) = got.errors
    assert (e.code, e.text) == ("81", "Duplicate transport document reference (UDC01)")
    assert e.pointer == ("/IE3F20/consignmentMasterLevel/transportDocumentMasterLevel/"
                         "documentNumber")
    assert (got.master, got.declarant, got.customs_office, got.addressed_member_state) == (
        MASTER, "DE1234567890123", "BE212000", "BE")
    assert got.issued_at == "2026-11-20T10:15:00Z"


def test_not_complete_with_a_flat_date_is_read_with_a_schema_warning() -> None:
    got = _read("IE3N02-flat-date.xml", valid=False)
    assert all(d.code == "ANS003" for d in got.diagnostics)
    assert (got.message_type, got.mrn, got.issued_at) == ("IE3N02", MRN, "2026-11-21T04:00:00Z")
    assert got.supplementary_declarants == ("NL800000001", "FR900000002")
    assert (got.master, got.customs_office) == (MASTER, "BE212000")


def test_request_info_notification_to_the_carrier() -> None:
    got = _read("IE3N04.xml")
    assert (got.message_type, got.carrier, got.responsible_member_state) == (
        "IE3N04", "BE0400000001", "BE")
    (r,) = got.referrals
    assert (r.reference, r.request_type, r.house, r.master) == ("REF-RFI-0001", "A", H77, MASTER)
    assert [(i.code, i.text, i.type) for i in r.information] == [
        ("RFI01", "Send the commercial invoice", "A")]
    assert [(d.reference, d.type) for d in r.documents] == [("INV-2026-9", "N380")]
    assert r.pointer == ("/IE3F20/consignmentMasterLevel/consignmentHouseLevel[2]/goodsItem/"
                         "commodity/descriptionOfGoods")
    assert got.houses == (H77,)


def test_screening_notification_lists_methods_and_houses() -> None:
    got = _read("IE3N05.xml")
    assert [(r.reference, r.methods) for r in got.referrals] == [
        ("REF-HRC-0001", ("ETD", "XRY")), ("REF-HRC-0002", ())]
    assert got.houses == (H77, H78)
    assert (got.master, got.responsible_member_state) == (MASTER, "DE")


def test_incorrect_state() -> None:
    got = _read("IE3N07.xml")
    assert [(e.code, e.pointer) for e in got.errors] == [("91", "/IE3N06/relatedMRN")]
    assert got.houses == (H77,)
    assert got.customs_office == "BE212000"


@pytest.mark.parametrize(("name", "carrier", "declarant"), [
    ("IE3N08.xml", None, None), ("IE3N09.xml", "BE0400000001", "DE1234567890123")])
def test_control_notifications(name: str, carrier: str | None, declarant: str | None) -> None:
    got = _read(name)
    assert (got.mrn, got.control_office, got.scheduled_control) == (
        MRN, "BE212000", "2026-11-22T09:00:00Z")
    (c,) = got.controls
    assert (c.place, c.houses, c.goods_items, c.containers) == (
        "Brucargo 706", (H78,), ("2",), ("PMC12345LH",))
    assert got.houses == (H78,)
    assert (got.carrier, got.declarant) == (carrier, declarant)


def test_amendment_notification_and_invalidation_response() -> None:
    n10 = _read("IE3N10.xml")
    assert (n10.message_type, n10.mrn, n10.representative, n10.declarant) == (
        "IE3N10", MRN, "BE0999999999", "DE1234567890123")
    r07 = _read("IE3R07.xml")
    assert (r07.message_type, r07.mrn, r07.issued_at) == ("IE3R07", MRN, "2026-11-20T14:00:00Z")


def test_pending_notification() -> None:
    got = _read("IE3N11.xml")
    assert (got.mrn, got.master, got.supplementary_declarants) == (
        None, MASTER, ("NL800000001",))


def test_consultation_results() -> None:
    got = _read("IE3R08.xml")
    assert got.functional_reference == "CONSULT-0001"
    (f,) = got.consulted
    assert (f.mrn, f.status, f.master) == (MRN, "REGISTERED", MASTER)
    assert f.notifications == (("IE3R01", "2026-11-20T09:30:00Z"),
                               ("IE3Q02", "2026-11-20T11:00:00Z"))


def test_do_not_load_names_the_house_and_container() -> None:
    got = _read("IE3Q01.xml")
    assert got.do_not_load is not None
    assert (got.do_not_load.document, got.do_not_load.containers) == (H77, ("AKE12345KL",))
    assert (got.master, got.houses) == (MASTER, (H77,))
