"""A small HTTP server on 127.0.0.1 for the fake platforms (tests, drills, the benchmark).

The server can be stopped and started again on the same port (an outage: connections are
refused), fail a request before handling it (HTTP 500, nothing stored), or handle it and
then drop the connection without a reply (stored, but the sender cannot know: the case
the outbox's reconciliation exists for).
"""

from __future__ import annotations

import abc
import random
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


class FakeServer(abc.ABC):
    """Subclasses implement :meth:`handle` (path, headers, body) → (status, body)."""

    def __init__(self, *, seed: int = 0, fail_rate: float = 0.0, drop_rate: float = 0.0) -> None:
        self.rng = random.Random(seed)
        self.fail_rate = fail_rate  # HTTP 500 before handling
        self.drop_rate = drop_rate  # handled, then the connection dropped
        self.lock = threading.RLock()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with fake.lock:
                    fake.requests += 1
                    roll = fake.rng.random()
                    if roll < fake.fail_rate:
                        status, out = 500, b'{"code":"500","message":"Internal Error"}'
                    else:
                        status, out = fake.handle(self.path, dict(self.headers), body)
                        if fake.rng.random() < fake.drop_rate:
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_RDWR)
                            return
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @abc.abstractmethod
    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """The platform's answer to one request: (HTTP status, body)."""
