"""Run an AS4 client against a receiver in the same process, without sockets or TLS.

Like ``httpx.MockTransport``, this is shipped for users' own tests: ``As4Client(settings,
transport=receiver_transport(simulator.receiver))`` exercises sealing, verification, receipts,
duplicates and pull exactly as over the network.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ._asgi import HttpReply

Handler = Callable[[str, bytes], HttpReply]


def receiver_transport(handler: Handler | object) -> httpx.MockTransport:
    """An httpx transport handing each request to ``handler(content_type, body)``; pass a
    function or any object with a ``handle`` method (``As4Receiver``, ``Simulator``)."""
    found = getattr(handler, "handle", handler)
    if not callable(found):
        raise TypeError("receiver_transport needs a callable or an object with handle()")
    call: Handler = found

    def respond(request: httpx.Request) -> httpx.Response:
        reply = call(request.headers.get("content-type", ""), request.read())
        headers = {"content-type": reply.content_type} if reply.content_type else {}
        return httpx.Response(reply.status, headers=headers, content=reply.body)

    return httpx.MockTransport(respond)
