"""``WebhookSignatureMiddleware``: SignalWire signature checks for any ASGI application.

It buffers the body of each request that needs a signature (``_rules``: every path unless
``paths`` says otherwise; every request but a body-less GET, HEAD or OPTIONS), checks the
signature over the body bytes natively (no Python str is made of the body), and only then
lets the application run, replaying the same bytes to it. Header precedence and URL
reconstruction are those of the reference's ``webhook_middleware``
(``X-SignalWire-Sha256-Signature`` first, then ``X-SignalWire-Signature`` or the
``X-Twilio-Signature`` alias; ``SWML_PROXY_URL_BASE``, then trusted forwarded headers, then
the URL as received).

Paths are matched as the application routes them: ``scope["path"]`` without the
``root_path`` (``uvicorn --root-path``, ``FastAPI(root_path=...)``, a ``Mount``), and the
full path as well.

Answers: 403 with an empty body for a forged, unsigned or non-UTF-8 request; 413 when the
body exceeds ``max_body_bytes`` (without reading it when ``Content-Length`` says so). The
key and signatures are never logged or echoed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlunsplit

from ._guard import Guard, given
from ._request import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    HeaderPolicy,
    sha1_signature,
)
from ._request import public_url as _public_url
from ._rules import DEFAULT_MAX_BODY_BYTES, declares_body, empty_unproven, needs_signature

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_DEFAULT_PORTS = {"http": 80, "https": 443}  # only http scopes are checked
# The request headers this middleware reads, by their ASGI names (lowercase bytes, as the
# ASGI spec requires and Starlette's ``Headers`` assumes).
_READ_HEADERS = {
    name.encode(): name
    for name in (
        SIGNALWIRE_SHA256_SIGNATURE_HEADER,
        SIGNALWIRE_SIGNATURE_HEADER,
        TWILIO_COMPAT_SIGNATURE_HEADER,
        "x-forwarded-host",
        "x-forwarded-proto",
        "content-length",
        "transfer-encoding",
        "host",
    )
}
# A URL that every Starlette release we support rebuilds the same way, and that ``urlsplit``
# gives back unchanged: a plain host name or IPv4 address with an optional port, a path of
# printable ASCII without ``?``, ``#``, ``\`` or a leading ``//``, a printable query.
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?")
_PLAIN_PATH = re.compile(r"/(?!/)[\x21\x22\x24-\x3e\x40-\x5b\x5d-\x7e]*")
_PLAIN_QUERY = re.compile(rb"[\x21\x22\x24-\x7e]*")


def _headers(scope: Scope) -> dict[str, str]:
    """The headers this middleware reads, first occurrence of each, as Starlette's
    ``Headers.get`` returns them (latin-1)."""
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = _READ_HEADERS.get(bytes(raw_name))
        if name is not None and name not in found:
            found[name] = bytes(raw_value).decode("latin-1")
    return found


def _plain_url(scope: Scope, headers: Mapping[str, str]) -> str | None:
    """The received URL without building Starlette's ``URL`` (most of the middleware's own
    cost), when it is plain enough that the result is certain; else ``None``."""
    scheme, host, path = scope.get("scheme", "http"), headers.get("host"), scope["path"]
    query = scope.get("query_string", b"")
    if (
        scheme not in ("http", "https")
        or host is None
        or _PLAIN_HOST.fullmatch(host) is None
        or _PLAIN_PATH.fullmatch(path) is None
        or _PLAIN_QUERY.fullmatch(query) is None
    ):
        return None
    _, _, port = host.partition(":")
    if port and int(port) > 65535:  # Starlette would use the server address instead
        return None
    return f"{scheme}://{host}{path}?{query.decode()}" if query else f"{scheme}://{host}{path}"


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
    """Refuse requests whose SignalWire signature does not validate, before the
    application sees them.

    Args:
        app: The ASGI application to protect.
        signing_key: The Signing Key from the SignalWire dashboard.
        signing_keys: Instead of ``signing_key``: several keys, any of which may sign
            (while rotating a key).
        paths: The paths to protect, each with everything below it (``["/webhook"]``
            protects ``/webhook`` and ``/webhook/…``; case, repeated slashes and a
            trailing ``/`` do not matter). By default every path. Matched against the
            path the application routes on (without ``root_path``) and the full path.
        trust_proxy: Honour ``X-Forwarded-Host``/``X-Forwarded-Proto`` (only behind a
            proxy you control: clients can send these headers too). A ``bool``.
        policy: ``"strict"`` (the default since 0.2: a present SHA-256 header alone
            decides, and a Scheme B signature over the URL alone vouches for no body
            without a matching ``bodySHA256``) or ``"fallback"`` (the reference's rules);
            see ``WebhookValidator``.
        max_body_bytes: Larger bodies are refused with 413 (a positive ``int``).
        public_url: The public base URL SignalWire posts to
            (``https://example.ngrok.io``), taken before ``SWML_PROXY_URL_BASE``.

    Only a body-less GET, HEAD or OPTIONS passes without a signature; WebSocket and
    lifespan events pass untouched. Put this middleware outermost: a layer outside it
    that reads the body leaves it nothing to check.

    Raises:
        TypeError, ValueError: an option that does not check (the message names it).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        signing_key: str | None = None,
        signing_keys: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        trust_proxy: bool = False,
        policy: HeaderPolicy = "strict",
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        public_url: str | None = None,
    ) -> None:
        self.app = app
        self._guard = Guard(given(locals()))
        self._validator = self._guard.validator
        self.paths = self._guard.paths
        self.trust_proxy = self._validator.trust_proxy
        self.max_body_bytes = self._guard.max_body_bytes

    def __repr__(self) -> str:
        return f"WebhookSignatureMiddleware({self._guard!r})"

    def _signed_url(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        """``public_url``, or ``None`` when the received URL cannot be built or split."""
        plain = _plain_url(scope, headers)
        base = self._validator.public_url
        if (
            plain is not None
            and base is None
            and not os.environ.get("SWML_PROXY_URL_BASE")
            and not (self.trust_proxy and headers.get("x-forwarded-host"))
        ):
            return plain  # what _public_url returns for it, without splitting it again
        try:
            received = _received_url(scope, headers)
            return _public_url(received, headers, trust_proxy=self.trust_proxy, base=base)
        except ValueError:  # a Host that does not split, a query that is not UTF-8
            return None

    def _raw_url(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        """The public URL of the request target as the client sent it (``raw_path``), or
        ``None`` without one, or when it cannot be built."""
        raw, host = scope.get("raw_path"), headers.get("host")
        if not isinstance(raw, bytes) or not raw.startswith(b"/") or not host:
            return None
        query = bytes(scope.get("query_string", b""))
        try:
            target = raw.decode() + (f"?{query.decode()}" if query else "")
            received = f"{scope.get('scheme', 'http')}://{host}{target}"
            return _public_url(
                received, headers, trust_proxy=self.trust_proxy, base=self._validator.public_url
            )
        except ValueError:  # not UTF-8, or a Host that does not split
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = self._guard
        if not guard.paths.cover(*_route_paths(scope)):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        method = scope.get("method", "")
        declared = declares_body(headers.get("content-length"), headers.get("transfer-encoding"))
        first: Message | None = None
        if not needs_signature(method, declared):
            # A GET, HEAD or OPTIONS that announces no body: look at what arrives (HTTP/2
            # needs no Content-Length) before letting it through unsigned.
            first = await receive()
            if first["type"] != "http.request" or not (
                first.get("body") or first.get("more_body", False)
            ):
                await self.app(scope, _replay(first, receive), send)
                return
        if guard.too_large(headers.get("content-length")):
            await _respond(send, 413)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = first if first is not None else await receive()
            first = None
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer, nothing to run
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > guard.max_body_bytes:
                await _respond(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if empty_unproven(headers.get("content-length"), headers.get("transfer-encoding"), body):
            await _respond(send, 400)  # an empty chunked body, or one a layer outside read
            return
        if not guard.names_hosts(headers):
            await _respond(send, 403)  # a Host that would carry part of the path into the URL
            return
        sha256, sha1 = headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER), sha1_signature(headers)
        url = self._signed_url(scope, headers)
        if url is None or not self._validator._check(url, body, sha256, sha1):
            # Starlette rebuilds the URL from the decoded path; the platform signed the
            # target as it sent it (``%20``, ``%C3%A9``): that one may vouch too.
            raw = self._raw_url(scope, headers)
            if raw is None or raw == url or not self._validator._check(raw, body, sha256, sha1):
                await _respond(send, 403)
                return
        await self.app(
            scope,
            _replay({"type": "http.request", "body": body, "more_body": False}, receive),
            send,
        )


def _route_paths(scope: Scope) -> tuple[str, ...]:
    """The spellings of the path the application routes on: ``scope["path"]`` itself, and
    without ``root_path`` as Starlette takes it (``uvicorn --root-path``,
    ``FastAPI(root_path=)``, ``Mount``) and as a router that ignored case or repeated
    slashes would."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if not root:
        return (path,)
    # Compared case-folded without empty segments (as ``Paths.cover`` compares), which
    # also covers the root stripped exactly as Starlette strips it.
    folded, folded_root = (
        "/" + "/".join(part for part in text.casefold().split("/") if part) for text in (path, root)
    )
    if folded_root != "/" and (folded == folded_root or folded.startswith(folded_root + "/")):
        return (path, folded[len(folded_root) :])
    return (path,)


def _replay(message: Message, receive: Receive) -> Receive:
    """``receive`` that first hands over ``message`` (already received), then defers."""
    pending = [message]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
