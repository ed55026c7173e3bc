"""Helpers shared by the end-to-end tests: a real uvicorn server on 127.0.0.1 in a thread,
and the platform's side of signing (written from the spec, independent of both
implementations under test)."""

from __future__ import annotations

import base64
import hmac
import socket
import threading
import time
from typing import Any, TypeVar

import httpx
import uvicorn

from leaks import secret


def scheme_a(key: str, url: str, body: str | bytes, digest: str = "sha1") -> str:
    """Hex HMAC of ``url + body`` (``X-SignalWire-Signature`` / ``-Sha256-Signature``)."""
    raw = body if isinstance(body, bytes) else body.encode()
    signature = hmac.new(key.encode(), url.encode() + raw, digest).hexdigest()
    secret(key, signature)
    return signature


def scheme_b(key: str, url: str, params: list[tuple[str, str]]) -> str:
    """Base64 HMAC-SHA1 of the URL and the params sorted by name (stable for repeats)."""
    message = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    digest = hmac.new(key.encode(), message.encode(), "sha1").digest()
    signature = base64.b64encode(digest).decode()
    secret(key, signature)
    return signature


S = TypeVar("S", bound="Server")


def raw_status(port: int, request: bytes) -> int:
    """Send ``request`` as raw bytes (things httpx refuses to send) to 127.0.0.1:``port``
    and return the status code of the answer (reason phrases vary between Pythons)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        version, status, _ = conn.recv(4096).split(b" ", 2)
    assert version == b"HTTP/1.1"
    return int(status)


def post_with_unsplittable_host(path: bytes) -> bytes:
    """A POST whose ``Host`` (``[::1``, an unbalanced bracket) makes ``urlsplit`` raise."""
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: [::1\r\nContent-Length: 2\r\n"
        b"X-SignalWire-Signature: " + b"0" * 40 + b"\r\n\r\n{}"
    )


class Server:
    """``with Server(app) as s:`` serves ``app`` with uvicorn on ``s.base`` until exit."""

    def __init__(self, app: Any) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port: int = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # No logging config of uvicorn's own (its loggers would not propagate) and debug
        # level: every record it makes reaches the root logger and conftest's secret check.
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, log_level="debug"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self: S) -> S:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def post(self, path: str, body: bytes | str, headers: dict[str, str]) -> httpx.Response:
        content = body.encode() if isinstance(body, str) else body
        with httpx.Client(base_url=self.base, timeout=10) as client:
            return client.post(path, content=content, headers=headers)
