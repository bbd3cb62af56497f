"""A minimal ASGI front for an AS4 endpoint: one POST in, one AS4 answer out.

No web framework: AS4 needs a single route, and the handler is synchronous (sealing and XML
work are CPU bound), so it runs in a worker thread and the event loop stays free.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: ICD: 20 MB compressed is the recommended maximum message; allow headroom for MIME/base64.
MAX_BODY = 32 * 1024 * 1024
#: Longest wait for the next piece of a request body, and for the whole body. A client that
#: passed two-way TLS is still a client that may stall: each stalled request held a
#: connection forever (no body timeout in uvicorn), and enough of them exhaust the server.
READ_TIMEOUT = 30.0
BODY_TIMEOUT = 300.0


@dataclass(frozen=True, kw_only=True)
class HttpReply:
    """What an AS4 endpoint answers on the HTTP back channel."""

    status: int = 200
    content_type: str = ""
    body: bytes = b""


Handler = Callable[[str, bytes], HttpReply]


class As4Asgi:
    """ASGI application calling ``handler(content_type, body)`` for every POST."""

    def __init__(self, handler: Handler, *, max_body: int = MAX_BODY,
                 read_timeout: float = READ_TIMEOUT,
                 body_timeout: float = BODY_TIMEOUT) -> None:
        self._handler = handler
        self._max_body = max_body
        self._read_timeout = read_timeout
        self._body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; websockets are not served
            return
        if scope["method"] != "POST":
            await _reply(send, HttpReply(status=405, content_type="text/plain",
                                         body=b"AS4 endpoint: POST only\n"))
            return
        content_type = ""
        for name, value in scope.get("headers", []):
            if name.lower() == b"content-type":
                content_type = value.decode("latin-1")
        chunks: list[bytes] = []
        size = 0
        more = True
        try:
            with anyio.fail_after(self._body_timeout):
                while more:
                    with anyio.fail_after(self._read_timeout):
                        message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self._max_body:
                        await _reply(send, HttpReply(status=413, content_type="text/plain",
                                                     body=b"message too large\n"))
                        return
                    chunks.append(chunk)
                    more = bool(message.get("more_body", False))
        except TimeoutError:
            await _reply(send, HttpReply(status=408, content_type="text/plain",
                                         body=b"request body too slow\n"))
            return
        reply = await anyio.to_thread.run_sync(self._handler, content_type, b"".join(chunks))
        await _reply(send, reply)


async def _reply(send: Send, reply: HttpReply) -> None:
    headers = [(b"content-length", str(len(reply.body)).encode())]
    if reply.content_type:
        headers.append((b"content-type", reply.content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})
