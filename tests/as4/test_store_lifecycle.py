"""A filing made in the shipment store goes out over AS4 and its answers come back into the
same store: the filing moves ready -> sent -> receipt -> registered (with its MRN), every
exchange is kept with its body, a duplicate delivery is recorded once, and ``ensgate
status`` finds the shipment by its MRN. An LRN is used once sent: a remade filing is then
impossible, a change needs an amendment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from _as4_helpers import make_settings
from click.testing import CliRunner

from ensgate import TranslateOptions
from ensgate.cli import main
from ensgate.connectors import OutboundFiling
from ensgate.connectors.as4 import As4Connector, EndpointCerts, receiver_transport
from ensgate.connectors.simulator import Simulator
from ensgate.lifecycle import EVENTS
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]
S3 = sorted((ROOT / "samples" / "cargo-imp").glob("s3-*"))
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")


def test_store_follows_the_filing_through_as4(simulator: Simulator, trader: EndpointCerts,
                                              tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with Store.open(url) as store:
        store.translate(S3, tmp_path / "out", OPTS)
        (filing,) = list(store.filings())
        assert filing.state == "ready"
        conn = As4Connector(settings=make_settings(trader), store=store,
                            transport=receiver_transport(simulator))
        done = conn.submit(OutboundFiling(lrn=filing.lrn, message_type=filing.filing,
                                          xml=filing.xml))
        assert done.accepted
        assert store.status(filing.lrn)["filings"][0]["state"] == "receipt"
        (answer,) = list(conn.answers())
        assert answer.action == "IE3R01" and answer.mrn
        conn.close()
        status = store.status(filing.lrn)
        (f,) = status["filings"]
        assert (f["state"], f["mrn"]) == ("registered", answer.mrn)
        assert [(x["direction"], x["action"]) for x in status["exchanges"]] == [
            ("out", filing.filing), ("in", "IE3R01")]
        # each step is named by its cause (ensgate.lifecycle events)
        assert [(e["kind"], e["from"], e["to"]) for e in status["events"]
                if e["kind"] in EVENTS] == [
            ("filed", None, "ready"), ("submitted", "ready", "sent"),
            ("receipt", "sent", "receipt"), ("IE3R01", "receipt", "registered")]
        # the same answer delivered again is not recorded twice
        assert not store.record_answer(message_id=answer.message_id,
                                       ref_to_message_id=answer.ref_to_message_id,
                                       action="IE3R01", lrn=answer.lrn, mrn=answer.mrn)
        assert store.lrn_used(filing.declarant, filing.lrn)
    code = CliRunner().invoke(main, ["status", answer.mrn or "", "--json", "--store", url])
    assert code.exit_code == 0
    found = json.loads(code.output)
    assert found["key"] == "180-88351270" and found["filings"][0]["mrn"] == answer.mrn


def test_refused_filing_keeps_its_lrn(simulator: Simulator, trader: EndpointCerts,
                                      tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'store.db'}") as store:
        store.translate(S3, None, OPTS)
        (filing,) = list(store.filings())
        broken = filing.xml.replace(b"<city>WIEN</city>", b"")
        conn = As4Connector(settings=make_settings(trader), store=store,
                            transport=receiver_transport(simulator))
        assert conn.submit(OutboundFiling(lrn=filing.lrn, message_type=filing.filing,
                                          xml=broken)).accepted
        (answer,) = list(conn.answers())
        conn.close()
        assert answer.action == "IE3N99"
        (f,) = store.status(filing.lrn)["filings"]
        assert f["state"] == "rejected"
        assert store.lrn_used(filing.declarant, filing.lrn)
