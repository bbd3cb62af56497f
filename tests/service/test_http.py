"""The HTTP API over real HTTP on loopback (uvicorn in a thread, as ``ensgate serve --http``
runs it): keys missing or wrong (401), bodies over the limit (413), bad input answered with
the CLI's diagnostics (422), a message stored once and its shipment, filings, events and
metrics read back; schemathesis, fed the service's own ``/openapi.json``, finds no 5xx."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from _helpers import SAMPLES, message_files

from ensgate.service import ServeSettings, Service, http_task
from ensgate.store import Store

LIMIT = 64 * 1024


@dataclass
class Api:
    url: str
    key: str
    store: Store

    def get(self, path: str, key: str | None = "", **kw: object) -> httpx.Response:
        return httpx.get(self.url + path, headers=self._h(key), timeout=30, **kw)  # type: ignore[arg-type]

    def post(self, path: str, key: str | None = "", **kw: object) -> httpx.Response:
        return httpx.post(self.url + path, headers=self._h(key), timeout=60, **kw)  # type: ignore[arg-type]

    def _h(self, key: str | None) -> dict[str, str]:
        k = self.key if key == "" else key
        return {} if k is None else {"X-API-Key": k}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("api")
    store = Store.open(f"sqlite:///{folder / 's.db'}")
    key = store.add_api_key("test-client")
    port = _free_port()
    service = Service(store, ServeSettings(http=("127.0.0.1", port), max_body=LIMIT))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(
        service.run((http_task(service),))), daemon=True)  # type: ignore[arg-type]
    thread.start()
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/health", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < end, "the API did not come up"
            time.sleep(0.1)
    yield Api(url=url, key=key, store=store)
    loop.call_soon_threadsafe(service.stop.set)
    thread.join(30)
    store.close()


def test_keys_missing_or_wrong_are_refused(api: Api) -> None:
    fwb = message_files(1, seed=3)[0][1]
    assert api.get("/health", key=None).status_code == 200
    for key in (None, "eg_wrong", ""):
        r = api.post("/messages", key=key or None, content=fwb)
        assert r.status_code == 401 and r.json()["error"], (key, r.text)
        assert api.get("/filings", key=key or None).status_code == 401
    assert api.store.report()["messages"] == {}  # nothing went in


def test_oversize_bodies_are_refused_before_ingest(api: Api) -> None:
    big = b"X" * (LIMIT + 1)
    r = api.post("/messages", content=big)
    assert r.status_code == 413 and "bytes" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while streaming
        for _ in range(LIMIT // 1024 + 2):
            yield b"Y" * 1024
    assert api.post("/messages", content=chunks()).status_code == 413
    assert api.store.report()["messages"] == {}


def test_a_message_in_and_its_shipment_filings_events_out(api: Api) -> None:
    (fwb_name, fwb), (ffm_name, ffm) = message_files(1, seed=5)
    r = api.post("/messages", params={"name": fwb_name}, content=fwb)
    assert r.status_code == 200, r.text
    assert (r.json()["stored"], r.json()["filings"]) == (1, [])
    b = api.post("/messages/batch", json={"messages": [
        {"name": ffm_name, "data": base64.b64encode(ffm).decode(), "encoding": "base64"}]})
    assert b.status_code == 200, b.text
    (made,) = b.json()["results"][0]["filings"]
    again = api.post("/messages", params={"name": "again.txt"}, content=fwb).json()
    assert (again["stored"], again["duplicates"]) == (0, 1)
    ship = api.get(f"/shipments/{made['key']}").json()
    assert ship["state"] == "filed" and ship["filings"][0]["lrn"] == made["lrn"]
    assert api.get("/shipments/999-00000000").status_code == 404
    page = api.get("/filings", params={"limit": 1}).json()["filings"]
    assert [f["lrn"] for f in page] == [made["lrn"]]
    evs = api.get("/events", params={"after": 0, "limit": 1000}).json()["events"]
    assert any(e["event"] == "filed" and e["lrn"] == made["lrn"] for e in evs)
    assert api.get("/shipments/" + made["key"] + "/answers").json()["answers"] == []
    metrics = api.get("/metrics").text
    assert 'ensgate_messages_in_total{input="http",result="duplicate"} 1.0' in metrics
    assert api.post("/filings/run").status_code == 409  # no AS4 endpoint configured


def test_bad_input_answers_with_the_cli_diagnostics(api: Api) -> None:
    junk = (SAMPLES / "problems" / "truncated-fwb17-001-73441056-ord-vie.txt").read_bytes()
    r = api.post("/messages", params={"name": "trunc.txt"}, content=junk)
    assert r.status_code == 422
    diag = r.json()["rejects"][0]["diagnostics"][0]
    assert diag["code"] and diag["severity"] == "error" and diag["source"]["file"] == "trunc.txt"
    bad = api.post("/messages/batch", content=b"{not json")
    assert bad.status_code == 422 and bad.json()["error"].startswith("batch not valid")


def test_schemathesis_finds_no_server_error(api: Api) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(api.url + "/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    assert {op.path for op in ops} >= {"/messages", "/messages/batch", "/filings"}
    for op in ops:
        if op.path == "/filings/run":
            continue  # 409 here (no endpoint); covered above

        @settings(max_examples=int(os.environ.get("ENSGATE_FUZZ_EXAMPLES", "25")),
                  deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def check(case: schemathesis.Case) -> None:
            for key in (api.key, "eg_wrong"):
                resp = case.call(base_url=api.url, headers={"X-API-Key": key}, timeout=60)
                assert resp.status_code < 500, (case.method, case.path, resp.text)
        check()
