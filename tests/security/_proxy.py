"""A TCP proxy on loopback that cuts the first connections before their TLS handshake
completes (it reads the ClientHello, then closes cleanly: the client sees an unexpected EOF,
``ssl.SSLEOFError``), then forwards every later connection to the real server."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class DroppingProxy:
    def __init__(self, target_port: int, *, drop_first: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.drop_first = drop_first
        self.accepted = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._run, name="dropping-proxy", daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"

    def _run(self) -> None:
        while not self._stop:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            if self.accepted <= self.drop_first:
                with contextlib.suppress(OSError):
                    client.settimeout(5)
                    client.recv(65536)  # the ClientHello
                    client.shutdown(socket.SHUT_RDWR)
                client.close()
                continue
            server = socket.create_connection(self.target)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self._stop = True
        self._sock.close()

    def __enter__(self) -> DroppingProxy:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
