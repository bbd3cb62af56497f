"""Run an AS4 ASGI app under uvicorn on HTTPS with two-way TLS.

``serve_forever`` is the foreground mode (``ensgate simulate``; Ctrl-C stops it cleanly,
uvicorn handles the signal). ``BackgroundServer`` runs the same server in a thread, for tests
and for a trader's push-mode inbound endpoint living beside other work.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from ._tls import TlsFiles, server_context


class _TlsConfig(uvicorn.Config):
    """uvicorn configuration whose SSL context is ours (client certificate required, TLS 1.2+);
    uvicorn's own file options cannot set the minimum version."""

    def __init__(self, app: Any, *, tls: TlsFiles, **kwargs: Any) -> None:
        pem = tls.key_file is not None  # a PKCS#12 identity is loaded by server_context only
        super().__init__(app, ssl_certfile=str(tls.cert_file) if pem else None,
                         ssl_keyfile=str(tls.key_file) if pem else None, **kwargs)
        self._tls = tls

    def load(self) -> None:
        super().load()
        self.ssl = server_context(self._tls)


def make_server(app: Any, *, host: str, port: int, tls: TlsFiles,
                log_level: str = "warning", graceful: float = 5.0) -> uvicorn.Server:
    """A uvicorn server for ``app``; ``graceful``: seconds open connections get on shutdown."""
    config = _TlsConfig(app, tls=tls, host=host, port=port, log_level=log_level,
                        lifespan="off", access_log=False,
                        timeout_graceful_shutdown=int(graceful))
    return uvicorn.Server(config)


def serve_forever(app: Any, *, host: str, port: int, tls: TlsFiles,
                  log_level: str = "info") -> None:
    """Serve in the foreground until SIGINT/SIGTERM."""
    make_server(app, host=host, port=port, tls=tls, log_level=log_level).run()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (for tests and examples)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class BackgroundServer:
    """uvicorn in a daemon thread; ``with BackgroundServer(...) as srv:`` waits until it
    listens and stops it on exit."""

    def __init__(self, app: Any, *, tls: TlsFiles, host: str = "127.0.0.1",
                 port: int | None = None) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._server = make_server(app, host=host, port=self.port, tls=tls, graceful=1)
        self._thread = threading.Thread(target=self._server.run, name="as4-server",
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}/"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"AS4 server did not start on {self.host}:{self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
