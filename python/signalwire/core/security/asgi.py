"""``WebhookSignatureMiddleware``: SignalWire signature checks for any ASGI application.

It buffers the body of each POST to a protected path, checks the signature over the body
bytes natively (no Python str is made of the body), and only then lets the application run,
replaying the same bytes to it. Header precedence and URL reconstruction are those of the
reference's ``webhook_middleware`` (``X-SignalWire-Sha256-Signature`` first, then
``X-SignalWire-Signature`` or the ``X-Twilio-Signature`` alias; ``SWML_PROXY_URL_BASE``,
then trusted forwarded headers, then the URL as received).

Answers: 403 with an empty body for a forged, unsigned or non-UTF-8 request; 413 when the
body exceeds ``max_body_bytes`` (without reading it when ``Content-Length`` says so). The
key and signatures are never logged or echoed.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from signalwire.core.security._native import _validate_signed_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_PATHS = ("/", "/swaig", "/post_prompt")
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

_SHA256_HEADER = b"x-signalwire-sha256-signature"
_SHA1_HEADER = b"x-signalwire-signature"
_TWILIO_HEADER = b"x-twilio-signature"
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _first_header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _received_url(scope: Scope) -> str:
    """The URL as ``starlette.Request.url`` reports it (Starlette's own code when present)."""
    try:
        from starlette.datastructures import URL  # noqa: PLC0415 - optional dependency
    except ImportError:
        pass
    else:
        return str(URL(scope=scope))
    scheme = scope.get("scheme", "http")
    path = scope.get("root_path", "") + scope["path"]
    host = _first_header(scope, b"host")
    server = scope.get("server")
    if host is None and server is not None:
        name, port = server
        name = f"[{name}]" if ":" in name and not name.startswith("[") else name
        host = name if port == _DEFAULT_PORTS.get(scheme) else f"{name}:{port}"
    url = f"{scheme}://{host}{path}" if host is not None else path
    query = scope.get("query_string", b"")
    return f"{url}?{query.decode('latin-1')}" if query else url


def public_url(scope: Scope, *, trust_proxy: bool) -> str:
    """The URL SignalWire signed: ``SWML_PROXY_URL_BASE`` (read per request) joined with the
    path and query, else trusted ``X-Forwarded-Host``/``-Proto``, else the received URL."""
    received = _received_url(scope)
    # As the reference does: path and query as urlsplit reads them off the received URL.
    parts = urlsplit(received)
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    proxy_base = os.environ.get("SWML_PROXY_URL_BASE")
    if proxy_base:
        return proxy_base.rstrip("/") + path_and_query
    if trust_proxy:
        forwarded_host = _first_header(scope, b"x-forwarded-host")
        if forwarded_host:
            proto = _first_header(scope, b"x-forwarded-proto")
            return f"{proto if proto is not None else 'https'}://{forwarded_host}{path_and_query}"
    return received


async def _respond(send: Send, status: int) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})


class WebhookSignatureMiddleware:
    """Reject POSTs to ``paths`` whose SignalWire signature does not validate.

    Args:
        app: The ASGI application to protect.
        signing_key: The Signing Key from the SignalWire dashboard (required).
        paths: Exact request paths to protect (a trailing ``/`` is ignored). Other
            paths, and methods other than POST, pass through untouched.
        trust_proxy: Honour ``X-Forwarded-Host``/``X-Forwarded-Proto`` (only behind a
            proxy you control: clients can send these headers too).
        max_body_bytes: Larger bodies are refused with 413.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        signing_key: str,
        paths: Iterable[str] = DEFAULT_PATHS,
        trust_proxy: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        if not signing_key:
            raise ValueError("signing_key is required")
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.app = app
        self._signing_key = signing_key
        self.paths = frozenset(p.rstrip("/") for p in paths)
        self.trust_proxy = trust_proxy
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:
        return (
            f"WebhookSignatureMiddleware(paths={sorted(self.paths)!r}, "
            f"trust_proxy={self.trust_proxy!r}, max_body_bytes={self.max_body_bytes!r})"
        )

    def _protects(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope["path"].rstrip("/") in self.paths
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._protects(scope):
            await self.app(scope, receive, send)
            return
        declared = _first_header(scope, b"content-length")
        if (
            declared is not None
            and declared.strip().isdigit()
            and int(declared) > self.max_body_bytes
        ):
            await _respond(send, 413)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer, nothing to run
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _respond(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        sha1 = _first_header(scope, _SHA1_HEADER)
        valid = _validate_signed_body(
            self._signing_key,
            public_url(scope, trust_proxy=self.trust_proxy),
            body,
            _first_header(scope, _SHA256_HEADER),
            sha1 if sha1 is not None else _first_header(scope, _TWILIO_HEADER),
        )
        if not valid:
            await _respond(send, 403)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
