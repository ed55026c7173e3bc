"""``WSGIWebhookSignatureMiddleware``: SignalWire signature checks for any WSGI application
(Flask, Django, Pyramid, Bottle, a bare WSGI callable), and how the Flask and Django
adapters read a WSGI request (its URL, headers and body).

Which requests need a signature is ``_rules``' answer, the same for every adapter: every
path unless ``paths`` says otherwise, matched on ``PATH_INFO`` (the path below the app's
mount point, as the application routes it) and on ``SCRIPT_NAME`` + ``PATH_INFO``; every
request but a body-less GET, HEAD or OPTIONS.

The decisions are the ASGI middleware's, from the same request layer (``_request``):
``X-SignalWire-Sha256-Signature`` first, then ``X-SignalWire-Signature`` or the
``X-Twilio-Signature`` alias; the public URL from ``public_url=``, else
``SWML_PROXY_URL_BASE``, else trusted forwarded headers, else the URL as received. The URL
as received is the request target the client sent (``REQUEST_URI``/``RAW_URI``, which
waitress, gunicorn, uWSGI and Werkzeug's server provide) behind ``wsgi.url_scheme`` and
``Host``; without it, PEP 3333's rebuild from ``SCRIPT_NAME``, ``PATH_INFO`` and
``QUERY_STRING``.

Answers: 403 with an empty body for a forged, unsigned or non-UTF-8 request; 413 when the
body exceeds ``max_body_bytes`` (without reading it when ``Content-Length`` says so, and
while reading an input the server terminates, ``wsgi.input_terminated``, when it does not);
400 when the client leaves mid-body. The application never runs for these. Otherwise it
gets the same body bytes on a fresh ``wsgi.input``. The key and signatures are never logged
or echoed.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from ._guard import Guard, given, refused
from ._request import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    HeaderPolicy,
)
from ._rules import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_POLICY,
    declares_body,
    empty_unproven,
    needs_signature,
)

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

_READ_SIZE = 64 * 1024
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# The headers the decision reads: lower-case name -> WSGI environ key.
_ENVIRON_KEYS = {
    name: "HTTP_" + name.upper().replace("-", "_")
    for name in (
        SIGNALWIRE_SHA256_SIGNATURE_HEADER,
        SIGNALWIRE_SIGNATURE_HEADER,
        TWILIO_COMPAT_SIGNATURE_HEADER,
        "x-forwarded-host",
        "x-forwarded-proto",
        "host",
    )
}
# What PEP 3333's URL rebuild leaves unquoted in a path (``%`` is not: PATH_INFO is decoded).
PATH_SAFE = "/:@!$&'()*+,;=~"
_STATUS = {
    400: "400 Bad Request",
    403: "403 Forbidden",
    411: "411 Length Required",
    413: "413 Content Too Large",
}


class TooLarge(Exception):
    """The body is over the limit (answered 413)."""


class ClientLeft(Exception):
    """The client left before the whole body arrived (answered 400)."""


class Unreadable(Exception):
    """A body without ``Content-Length`` that the server does not terminate
    (``wsgi.input_terminated``): it cannot be read whole (answered 411)."""


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The headers the decision reads, by lower-case name, from a WSGI environ (or
    Django's ``request.META``)."""
    found = {}
    for name, key in _ENVIRON_KEYS.items():
        value = environ.get(key)
        if isinstance(value, str):
            found[name] = value
    return found


def _wsgi_text(value: str) -> str:
    """A WSGI "bytes as latin-1" str as the text the client meant (UTF-8)."""
    return value.encode("latin-1").decode("utf-8")


def _as_text(*paths: str) -> list[str]:
    """The paths as the text the client meant: WSGI hands them over as bytes in latin-1,
    and frameworks (Flask, Django) route on their UTF-8 reading."""
    found = []
    for path in paths:
        with contextlib.suppress(UnicodeError):  # not UTF-8: the latin-1 reading stays
            found.append(_wsgi_text(path))
    return found


def received_url(environ: Mapping[str, Any], *, scheme: str | None = None) -> str | None:
    """The URL the server received, or ``None`` when it is not UTF-8 text. ``scheme``
    overrides ``wsgi.url_scheme`` (Django's ``request.scheme`` under ASGI)."""
    scheme = scheme or environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != _DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    try:
        if not (isinstance(target, str) and target.startswith("/")):
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            try:
                encoded = path.encode("latin-1")  # WSGI: bytes as latin-1
            except UnicodeEncodeError:
                encoded = path.encode()  # text already (Django's META under ASGI)
            target = quote(encoded, safe=PATH_SAFE) or "/"
            query = environ.get("QUERY_STRING", "")
            if query:
                target = f"{target}?{query}"
        return f"{scheme}://{_wsgi_text(host)}{_wsgi_text(target)}"
    except (UnicodeError, AttributeError):
        return None


def read_body(environ: Mapping[str, Any], max_body_bytes: int) -> bytes:
    """The whole body from ``wsgi.input``: ``Content-Length`` bytes, else everything up
    to the end when the server terminates the input (``wsgi.input_terminated``), else
    nothing (PEP 3333).

    Raises:
        TooLarge: over ``max_body_bytes`` (declared, or once read that far).
        ClientLeft: fewer bytes than declared, a bad ``Content-Length``, a read error.
        Unreadable: a chunked body the server does not terminate.
    """
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if declared and not (declared.isascii() and declared.isdigit()):
        raise ClientLeft
    if declared and int(declared) > max_body_bytes:
        raise TooLarge
    if stream is None or (not declared and not environ.get("wsgi.input_terminated")):
        if not declared and environ.get("HTTP_TRANSFER_ENCODING"):
            raise Unreadable  # a body the server does not end: it cannot be read whole
        return b""
    chunks: list[bytes] = []
    size = 0
    remaining = int(declared) if declared else None
    try:
        while remaining is None or remaining > 0:
            want = _READ_SIZE if remaining is None else min(_READ_SIZE, remaining)
            chunk = stream.read(want)
            if not chunk:
                break
            size += len(chunk)
            if size > max_body_bytes:
                raise TooLarge
            chunks.append(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    except (OSError, ValueError):
        raise ClientLeft from None
    if remaining:
        raise ClientLeft
    return b"".join(chunks)


def allows(
    guard: Guard, environ: Mapping[str, Any], body: bytes, *, scheme: str | None = None
) -> bool:
    """Whether the signature headers in ``environ`` vouch for ``body`` on the public URL of
    this request. Never raises for a bad URL or header: False."""
    return guard.vouches(received_url(environ, scheme=scheme), request_headers(environ), body)


def announces_body(environ: Mapping[str, Any]) -> bool:
    """Whether the request's headers announce a body (``_rules.declares_body``)."""
    length = environ.get("CONTENT_LENGTH")
    encoding = environ.get("HTTP_TRANSFER_ENCODING")
    return declares_body(
        length if isinstance(length, str) else None,
        encoding if isinstance(encoding, str) else None,
    )


def _respond(start_response: StartResponse, status: int) -> list[bytes]:
    start_response(_STATUS[status], [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return []


class WSGIWebhookSignatureMiddleware:
    """Refuse requests whose SignalWire signature does not validate, before the
    application sees them.

    Args:
        app: The WSGI application to protect (for Flask, ``app.wsgi_app``).
        signing_key: The Signing Key from the SignalWire dashboard.
        signing_keys: Instead of ``signing_key``: several keys, any of which may sign
            (while rotating a key).
        paths: The paths to protect, each with everything below it (``["/webhook"]``
            protects ``/webhook`` and ``/webhook/…``; case, repeated slashes and a
            trailing ``/`` do not matter). By default every path. Matched against
            ``PATH_INFO`` (below the app's mount point) and ``SCRIPT_NAME + PATH_INFO``.
        trust_proxy: Honour ``X-Forwarded-Host``/``X-Forwarded-Proto`` (only behind a
            proxy you control: clients can send these headers too). A ``bool``.
        max_body_bytes: Larger bodies are refused with 413 (a positive ``int``).
        policy: ``"strict"`` (the default: see ``WebhookValidator``) or ``"fallback"``
            (the reference's rules).
        public_url: The public base URL SignalWire posts to
            (``https://example.ngrok.io``), taken before ``SWML_PROXY_URL_BASE``.

    Only a body-less GET, HEAD or OPTIONS passes without a signature. Put this middleware
    outermost: a layer outside it that reads ``wsgi.input`` leaves it nothing to check
    (answered 400, as a client that left mid-body).

    Raises:
        TypeError, ValueError: an option that does not check (the message names it).
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        signing_key: str | None = None,
        signing_keys: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        trust_proxy: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        policy: HeaderPolicy = DEFAULT_POLICY,
        public_url: str | None = None,
    ) -> None:
        self.app = app
        self._guard = Guard(given(locals()))
        self.paths = self._guard.paths

    @classmethod
    def _from_guard(cls, app: WSGIApp, guard: Guard) -> WSGIWebhookSignatureMiddleware:
        """The middleware over an already checked configuration (the Flask extension)."""
        middleware = cls.__new__(cls)
        middleware.app, middleware._guard, middleware.paths = app, guard, guard.paths
        return middleware

    def __repr__(self) -> str:
        return f"WSGIWebhookSignatureMiddleware({self._guard!r})"

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        guard = self._guard
        path_info = environ.get("PATH_INFO", "")
        full_path = environ.get("SCRIPT_NAME", "") + path_info
        if not guard.paths.cover(path_info, full_path, *_as_text(path_info, full_path)):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "")
        announced = announces_body(environ)
        if not needs_signature(method, announced) and not (
            environ.get("wsgi.input_terminated") and environ.get("wsgi.input") is not None
        ):
            return self.app(environ, start_response)  # no body can be read
        try:
            body = read_body(environ, guard.max_body_bytes)
        except TooLarge:
            return _respond(start_response, 413)
        except ClientLeft:
            cause = "the body is shorter than its Content-Length (the client left, or a layer"
            cause += " outside this middleware read wsgi.input)"
            return _respond(start_response, refused(400, cause, full_path))
        except Unreadable:
            cause = "a chunked body the WSGI server does not terminate (wsgi.input_terminated)"
            return _respond(start_response, refused(411, cause, full_path))
        if empty_unproven(
            environ.get("CONTENT_LENGTH"), environ.get("HTTP_TRANSFER_ENCODING"), body
        ):
            cause = "a chunked body that reads as empty (a layer outside this middleware read"
            cause += " wsgi.input?)"
            return _respond(start_response, refused(400, cause, full_path))
        checked = body or needs_signature(method, announced)
        if checked and not allows(guard, environ, body):
            return _respond(start_response, 403)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)
