"""Helpers shared by the end-to-end tests: a real uvicorn server on 127.0.0.1 in a thread,
and the platform's side of signing (written from the spec, independent of both
implementations under test)."""

from __future__ import annotations

import base64
import contextlib
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


def exchange(
    port: int,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes = b"",
    *,
    chunked: bool = False,
) -> int | None:
    """Send one request as written (no normalisation of ``target``, as a client library
    would do) to 127.0.0.1:``port``: ``Content-Length`` framing, or chunked. The status of
    the answer, or ``None`` when the connection closed without one."""
    lines = [f"{method} {target} HTTP/1.1", "Connection: close"]
    if "host" not in {name.lower() for name in headers}:
        lines.append(f"Host: 127.0.0.1:{port}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        framed = (f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        framed = body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        with contextlib.suppress(OSError):  # answered and closed before all was sent
            conn.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + framed)
        return status_line(conn)


def status_line(conn: socket.socket) -> int | None:
    """The answer's status; ``None`` when the server closed (or reset) the connection
    without a byte of answer. A server still silent when ``conn`` times out fails."""
    answer = b""
    try:
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        raise AssertionError(
            f"the server neither answered nor closed the connection in {conn.gettimeout()} s"
        ) from None
    if not answer:
        return None
    version, status, _ = answer.split(b" ", 2)
    assert version in (b"HTTP/1.1", b"HTTP/1.0")  # waitress answers its own errors in 1.0
    return int(status)


class Server:
    """``with Server(app) as s:`` serves ``app`` with uvicorn on ``s.base`` until exit."""

    def __init__(self, app: Any, *, root_path: str = "") -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port: int = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # No logging config of uvicorn's own (its loggers would not propagate) and debug
        # level: every record it makes reaches the root logger and conftest's secret check.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            log_level="debug",
            root_path=root_path,
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
