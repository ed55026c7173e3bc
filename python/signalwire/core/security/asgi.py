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

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlunsplit

from signalwire.core.security._native import _validate_signed_body
from signalwire.core.security.webhook_middleware import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    _public_url,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_PATHS = ("/", "/swaig", "/post_prompt")
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# The request headers this middleware reads, as ASGI names them (lowercase bytes).
_READ_HEADERS = frozenset(
    name.encode()
    for name in (
        SIGNALWIRE_SHA256_SIGNATURE_HEADER,
        SIGNALWIRE_SIGNATURE_HEADER,
        TWILIO_COMPAT_SIGNATURE_HEADER,
        "x-forwarded-host",
        "x-forwarded-proto",
        "content-length",
        "host",
    )
)


def _headers(scope: Scope) -> dict[str, str]:
    """The headers this middleware reads, first occurrence of each, as Starlette's
    ``Headers.get`` returns them (latin-1)."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = bytes(raw_name).lower()
        if name in _READ_HEADERS:
            found.setdefault(name.decode(), bytes(raw_value).decode("latin-1"))
    return found


def _received_url(scope: Scope, headers: Mapping[str, str]) -> str:
    """The URL as ``starlette.Request.url`` reports it, which is what the reference signs
    against: Starlette's own code when it is installed, else ``_url_from_scope``."""
    try:
        from starlette.datastructures import URL  # noqa: PLC0415 - optional dependency
    except ImportError:
        return _url_from_scope(scope, headers)
    return str(URL(scope=scope))


def _url_from_scope(scope: Scope, headers: Mapping[str, str]) -> str:
    """Starlette's rules (1.x) for a bare ASGI app: ``?``, ``#`` and ``\\`` of the path
    escaped again, the query as UTF-8, ``Host`` else the server address. One difference:
    a malformed ``Host`` is kept, so the request is refused (it cannot be signed)."""
    scheme: str = scope.get("scheme", "http")
    path: str = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query = bytes(scope.get("query_string", b"")).decode()
    netloc = headers.get("host")
    server = scope.get("server")
    if netloc is None and server is not None:
        name, port = server
        name = f"[{name}]" if ":" in name and not name.startswith("[") else name
        netloc = name if port == _DEFAULT_PORTS.get(scheme) else f"{name}:{port}"
    if netloc is None:
        if path.startswith("//"):  # it would read as an authority
            path = "/%2F" + path[2:]
        return f"{path}?{query}" if query else path
    return urlunsplit((scheme, netloc, path, query, ""))


def public_url(scope: Scope, *, trust_proxy: bool) -> str:
    """The URL SignalWire signed for this request, by the rules of
    ``webhook_middleware._public_url``.

    Raises:
        ValueError: the received URL does not split (a malformed ``Host`` header).
    """
    headers = _headers(scope)
    return _public_url(_received_url(scope, headers), headers, trust_proxy=trust_proxy)


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
        if not isinstance(signing_key, str):
            raise TypeError("signing_key must be a str")
        if not signing_key:
            raise ValueError("signing_key is required")
        if isinstance(paths, str):
            raise TypeError("paths must be a collection of paths, not one str")
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
        headers = _headers(scope)
        declared = headers.get("content-length", "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_body_bytes:
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
        try:
            url = _public_url(_received_url(scope, headers), headers, trust_proxy=self.trust_proxy)
        except ValueError:  # a Host that does not split, a query that is not UTF-8
            url = None  # nothing can be signed for it
        signature = headers.get(SIGNALWIRE_SIGNATURE_HEADER)
        if signature is None:
            signature = headers.get(TWILIO_COMPAT_SIGNATURE_HEADER)
        if url is None or not _validate_signed_body(
            self._signing_key,
            url,
            body,
            headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER),
            signature,
        ):
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
