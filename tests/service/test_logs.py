"""Service logs: JSON lines off a terminal carrying shipment key, LRN and MessageId; no
secret in any line (URL passwords, registered keys), whatever logger wrote it."""

from __future__ import annotations

import io
import json
import logging

from ensgate.service import redact, setup_logging


def test_json_lines_carry_the_ids_and_never_a_secret() -> None:
    out = io.StringIO()  # not a terminal: JSON
    handler = setup_logging(out)
    try:
        redact("eg_s3cr3t-api-key-value")
        log = logging.getLogger("ensgate.test")
        log.info("filed %s", "F23", extra={"key": "18088351270", "lrn": "EGF23180883512",
                                           "message_id": "abc@ensgate"})
        log.warning("broker amqp://hub:pa55word@mq.example:5672/ down; key %s",
                    "eg_s3cr3t-api-key-value")
        try:
            raise RuntimeError("connect postgresql+psycopg://ens:hunter22@db/ens failed")
        except RuntimeError:
            log.exception("store unreachable", extra={"file": "eg_s3cr3t-api-key-value"})
    finally:
        logging.getLogger().removeHandler(handler)
    text = out.getvalue()
    lines = [json.loads(x) for x in text.splitlines()]
    assert lines[0]["key"] == "18088351270" and lines[0]["lrn"] == "EGF23180883512"
    assert lines[0]["message_id"] == "abc@ensgate" and lines[0]["message"] == "filed F23"
    for secret in ("pa55word", "hunter22", "eg_s3cr3t-api-key-value"):
        assert secret not in text
    assert "amqp://hub:***@mq.example" in lines[1]["message"]
    assert "postgresql+psycopg://ens:***@db" in lines[2]["error"]
