"""The HTTP API of ``ensgate serve`` (FastAPI under uvicorn; OpenAPI at ``/openapi.json``).

Every route but ``/health`` and ``/openapi.json`` needs an API key (``X-API-Key``, made by
``ensgate apikey add NAME``; the store keeps its sha256). Request bodies above
``serve.max_body`` bytes are refused with 413 before they are read whole. A 4xx answer is
JSON: ``{"error": ..., "diagnostics": [...]}``, the diagnostics in the CLI's JSON form; a
payload none of whose messages could be kept is 422 with what the ingest did."""


import asyncio
import base64
import binascii
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..diagnostics import EnsgateError
from ._serve import Service

log = logging.getLogger("ensgate.service.http")
MAX_ID = 2**63 - 1  # ids and offsets are 64-bit in both databases (schemathesis found it)


class HttpError(Exception):
    def __init__(self, status: int, error: str, diagnostics: list[dict[str, Any]] | None = None,
                 body: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.status, self.error = status, error
        self.body = body or {"error": error, "diagnostics": diagnostics or []}


class Payload(BaseModel):
    name: str = Field(min_length=1, max_length=255, description="File name diagnostics cite")
    data: str = Field(description="The message text (UTF-8), or base64 with encoding=base64")
    encoding: str = Field(default="text", pattern="^(text|base64)$")


class Batch(BaseModel):
    messages: list[Payload] = Field(max_length=1000)


def _page(offset: int, limit: int) -> tuple[int, int]:
    return offset, limit


def make_app(service: Service) -> FastAPI:
    """The API over one service."""
    app = FastAPI(title="ensgate", version="1",
                  description="Legacy air-cargo messages in, ICS2 filings out.")
    store, limit = service.store, service.settings.max_body

    @app.exception_handler(HttpError)
    async def _http_error(_: Request, exc: HttpError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "request not valid", "diagnostics": [
            {"location": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg"))}
            for e in exc.errors()]}, status_code=422)

    async def key(x_api_key: Annotated[str | None, Header()] = None) -> str:
        if not x_api_key:
            raise HttpError(401, "missing API key (X-API-Key)")
        name = await asyncio.to_thread(store.api_key_name, x_api_key)
        if name is None:
            raise HttpError(401, "API key not valid")
        return name

    Key = Annotated[str, Depends(key)]

    async def body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise HttpError(413, f"request body over {limit} bytes")
        got = bytearray()
        async for chunk in request.stream():
            got += chunk
            if len(got) > limit:
                raise HttpError(413, f"request body over {limit} bytes")
        return bytes(got)

    async def ingest(name: str, data: bytes) -> dict[str, Any]:
        try:
            out = await service.ingest("http", name, data)
        except EnsgateError as exc:
            raise HttpError(422, str(exc)) from None
        return {"failed": out.failed, **out.to_dict()}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return asdict(service.health())

    @app.get("/metrics", response_class=Response,
             responses={200: {"content": {"text/plain": {}}}})
    async def metrics(_: Key) -> Response:
        data = await asyncio.to_thread(service.metrics.exposition)
        return Response(data, media_type="text/plain; version=0.0.4")

    @app.post("/messages", openapi_extra={"requestBody": {"required": True, "content": {
        "text/plain": {"schema": {"type": "string"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def post_message(request: Request, _: Key,
                           name: Annotated[str, Query(min_length=1, max_length=255)] = "http",
                           ) -> JSONResponse:
        """Store one legacy message (or a file of several) given as the raw body."""
        data = await body(request)
        out = await ingest(name, data)
        return JSONResponse(out, status_code=422 if out["failed"] else 200)

    @app.post("/messages/batch")
    async def post_batch(request: Request, _: Key) -> dict[str, Any]:
        """Store several messages: ``{"messages": [{"name", "data", "encoding"}]}``."""
        raw = await body(request)
        try:
            batch = Batch.model_validate_json(raw)
        except ValueError as exc:
            raise HttpError(422, f"batch not valid: {str(exc).splitlines()[0]}") from None
        results = []
        for p in batch.messages:
            try:
                data = base64.b64decode(p.data, validate=True) if p.encoding == "base64" \
                    else p.data.encode("utf-8", "surrogatepass")
            except (binascii.Error, UnicodeEncodeError):
                results.append({"name": p.name, "failed": True, "error": "data not decodable"})
                continue
            results.append(await ingest(p.name, data))
        return {"results": results}

    @app.get("/shipments/{key}")
    async def shipment(key: str, _: Key) -> dict[str, Any]:
        """A shipment by AWB, HAWB, LRN or MRN: state, filings, answers, events."""
        found = await asyncio.to_thread(store.status, key)
        if found is None:
            raise HttpError(404, f"no shipment known by {key!r}")
        return found

    @app.get("/filings")
    async def filing_list(_: Key, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                          limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                          ) -> dict[str, Any]:
        def rows() -> list[dict[str, Any]]:
            out = []
            for n, f in enumerate(store.filings()):
                if n >= offset + limit:
                    break
                if n >= offset:
                    out.append({"lrn": f.lrn, "filing": f.filing, "state": f.state,
                                "mrn": f.mrn, "key": f.key, "shipment": f.shipment})
            return out
        return {"offset": offset, "limit": limit, "filings": await asyncio.to_thread(rows)}

    @app.get("/events")
    async def event_list(_: Key, after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        """State changes after event ``after`` (page on with the last id)."""
        evs = await asyncio.to_thread(store.events_after, after, limit)
        return {"after": after, "events": evs}

    @app.get("/shipments/{key}/answers")
    async def answers(key: str, _: Key) -> dict[str, Any]:
        """Customs' answers to a shipment's filings (the exchanges received)."""
        found = await asyncio.to_thread(store.status, key)
        if found is None:
            raise HttpError(404, f"no shipment known by {key!r}")
        return {"key": found["key"], "answers": [
            x for x in found["exchanges"] if x["direction"] != "out"]}

    @app.post("/filings/run")
    async def run_filing(_: Key) -> dict[str, Any]:
        """Hand every due filing to customs now."""
        try:
            handed = await service.file_now()
        except EnsgateError as exc:
            raise HttpError(409, str(exc)) from None
        return {"handed": handed}

    return app


def http_task(service: Service) -> Callable[[asyncio.Event], Awaitable[None]]:
    """The uvicorn server as a task of the service: stops when the service stops. With
    ``serve.tls_cert``/``tls_key`` it speaks HTTPS; with ``serve.tls_client_ca`` too, every
    client must show a certificate issued by that CA (mutual TLS)."""
    import contextlib

    import uvicorn

    s = service.settings
    assert s.http is not None
    host, port = s.http
    tls: dict[str, Any] = {}
    if s.tls_cert and s.tls_key:
        tls = {"ssl_certfile": str(s.tls_cert), "ssl_keyfile": str(s.tls_key)}
        if s.tls_client_ca:
            tls |= {"ssl_ca_certs": str(s.tls_client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}

    class Server(uvicorn.Server):  # the service owns SIGTERM, not uvicorn
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    async def run(stop: asyncio.Event) -> None:
        config = uvicorn.Config(make_app(service), host=host, port=port, log_config=None,
                                access_log=False, lifespan="off", **tls)
        server = Server(config)
        serving = asyncio.create_task(server.serve())
        await stop.wait()
        server.should_exit = True
        await serving

    return run
