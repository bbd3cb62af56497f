"""Events/s from the store to the sinks (``ensgate.sinks.deliver_events``): a JSON-lines
file and a webhook on loopback, each beside its floor measured in the same run on the same
records: the JSON encoding plus one write + fsync (file), bare keep-alive POSTs of the same
bodies with httpx to the same server (webhook).

    python bench/bench_sinks.py [SHIPMENTS]    (default 1000; events ~ 4 per shipment)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_messages import generate

from ensgate import TranslateOptions
from ensgate.sinks import JsonlSink, WebhookSink, deliver_events, line_of
from ensgate.store import Store


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main(shipments: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.txt"
        src.write_text("\n".join(generate(shipments, seed=5)), "utf-8")
        with Store.open(f"sqlite:///{tmp}/s.db") as store:
            store.translate([src], None, TranslateOptions(
                issued=datetime(2026, 11, 20, 8, tzinfo=UTC)))
            records = store.events_after(0, 10**9)
            n = len(records)
            print(f"{shipments} shipments, {n} events")

            t = time.perf_counter()
            (r,) = deliver_events(store, [JsonlSink(name="file", path=Path(tmp) / "e.jsonl")])
            ours = n / (time.perf_counter() - t)
            assert r.delivered == n, r
            t = time.perf_counter()
            fd = os.open(Path(tmp) / "floor.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            os.write(fd, b"".join(line_of(x) for x in records))
            os.fsync(fd)
            os.close(fd)
            floor = n / (time.perf_counter() - t)
            print(f"| jsonl file   | {ours:>10,.0f} events/s | floor (encode + write + fsync) "
                  f"{floor:>10,.0f} events/s |")

            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}/events"
            t = time.perf_counter()
            (r,) = deliver_events(store, [WebhookSink(name="hook", url=url)])
            ours = n / (time.perf_counter() - t)
            assert r.delivered == n, r
            with httpx.Client() as client:
                t = time.perf_counter()
                for x in records:
                    client.post(url, content=json.dumps(x).encode(), headers={
                        "Content-Type": "application/json",
                        "Idempotency-Key": f"ensgate-event-{x['id']}"})
                floor = n / (time.perf_counter() - t)
            server.shutdown()
            print(f"| webhook      | {ours:>10,.0f} events/s | floor (bare keep-alive POSTs) "
                  f"{floor:>10,.0f} events/s |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
