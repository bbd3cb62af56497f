"""Filing state changes in the store go through the lifecycle (ensgate.lifecycle): each is
an events row named by its cause; a step the ICD does not allow changes nothing, is
recorded as refused and comes back as an LCY001 diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest
from _store_helpers import SAMPLES, options

from ensgate.store import Store

S3 = sorted((SAMPLES / "cargo-imp").glob("s3-*"))


def test_do_not_load_through_the_store(store_url: str, tmp_path: Path) -> None:
    with Store.open(store_url) as store:
        store.translate(S3, None, options())
        (filing,) = list(store.filings())
        store.record_sent(message_id="m-1@test", lrn=filing.lrn, action=filing.filing,
                          endpoint="https://customs.test/as4")
        store.record_receipt("m-1@test", ok=True)
        assert store.record_answer(message_id="a-1@test", ref_to_message_id="m-1@test",
                                   action="IE3R01", lrn=filing.lrn, mrn="26DE12345678901234")
        assert store.record_answer(message_id="a-2@test", ref_to_message_id=None,
                                   action="IE3Q01", lrn=filing.lrn, mrn="26DE12345678901234")
        assert store.status(filing.lrn)["filings"][0]["state"] == "do-not-load"
        # an amendment while Do-Not-Load is open is refused: state kept, refusal recorded
        problem = store.apply_event("amend", cause="IE3A24 test", lrn=filing.lrn)
        assert problem is not None and problem.code == "LCY001"
        assert store.apply_event("invalidate", cause="IE3Q04 x", lrn=filing.lrn) is None
        assert store.apply_event("IE3R07", cause="IE3R07 y", lrn=filing.lrn) is None
        status = store.status(filing.lrn)
        assert status["filings"][0]["state"] == "invalidated"
        steps = [(e["kind"], e["from"], e["to"]) for e in status["events"]
                 if e["kind"] not in ("state", "outcome")]
        assert steps == [
            ("filed", None, "ready"), ("submitted", "ready", "sent"),
            ("receipt", "sent", "receipt"), ("IE3R01", "receipt", "registered"),
            ("IE3Q01", "registered", "do-not-load"), ("amend", "do-not-load", "do-not-load"),
            ("invalidate", "do-not-load", "do-not-load"),
            ("IE3R07", "do-not-load", "invalidated")]
        refused = [e["cause"] for e in status["events"] if e["kind"] == "amend"]
        assert refused[0].startswith("refused (LCY001)")
        with pytest.raises(KeyError):
            store.apply_event("amend", cause="x", lrn="NO-SUCH-LRN")


def test_an_amendment_sent_is_a_lifecycle_event(tmp_path: Path) -> None:
    """record_sent of an IE3Axx about a registered filing is ``amend`` (not a second
    ``submitted``); its IE3N10 makes it amended, an IE3N99 to it leaves it registered."""
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.translate(S3, None, options())
        (filing,) = list(store.filings())
        store.record_sent(message_id="m-1", lrn=filing.lrn, action=filing.filing,
                          endpoint="e")
        store.record_answer(message_id="a-1", ref_to_message_id="m-1", action="IE3R01",
                            lrn=filing.lrn, mrn="26DE12345678901234")
        amendment = "IE3A" + filing.filing[4:]
        store.record_sent(message_id="m-2", lrn=filing.lrn, action=amendment, endpoint="e")
        store.record_answer(message_id="a-2", ref_to_message_id="m-2", action="IE3N99",
                            lrn=filing.lrn, mrn=None, errors="R3024")
        assert store.status(filing.lrn)["filings"][0]["state"] == "registered"
        store.record_sent(message_id="m-3", lrn=filing.lrn, action=amendment, endpoint="e")
        store.record_answer(message_id="a-3", ref_to_message_id="m-3", action="IE3N10",
                            lrn=filing.lrn, mrn="26DE12345678901234")
        (f,) = store.status(filing.lrn)["filings"]
        assert f["state"] == "amended" and f["mrn"] == "26DE12345678901234"
        kinds = [e["kind"] for e in store.status(filing.lrn)["events"]
                 if e["kind"] not in ("state", "outcome")]
        assert kinds == ["filed", "submitted", "IE3R01", "amend", "IE3N99", "amend", "IE3N10"]
