"""``WSGIWebhookSignatureMiddleware``: SignalWire signature checks for any WSGI application
(Flask, Django, Pyramid, Bottle, a bare WSGI callable), and the request decision the Flask
and Django adapters share with it.

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

import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from ._request import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    HeaderPolicy,
    adapter_keys,
    public_url,
    sha1_signature,
)
from .validator import WebhookValidator

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

DEFAULT_PATHS = ("/", "/swaig", "/post_prompt")
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_POLICY: HeaderPolicy = "strict"

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
    )
}
# What PEP 3333's URL rebuild leaves unquoted in a path (``%`` is not: PATH_INFO is decoded).
_PATH_SAFE = "/:@!$&'()*+,;=~"
_STATUS = {400: "400 Bad Request", 403: "403 Forbidden", 413: "413 Content Too Large"}


class TooLarge(Exception):
    """The body is over the limit (answered 413)."""


class ClientLeft(Exception):
    """The client left before the whole body arrived (answered 400)."""


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
            target = quote(path.encode("latin-1"), safe=_PATH_SAFE) or "/"
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
    """
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if declared and not (declared.isascii() and declared.isdigit()):
        raise ClientLeft
    if declared and int(declared) > max_body_bytes:
        raise TooLarge
    if stream is None or (not declared and not environ.get("wsgi.input_terminated")):
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


class Guard:
    """The signature decision of one adapter's configuration (keys, policy, proxy
    trust, public URL, body limit)."""

    __slots__ = ("max_body_bytes", "validator")

    def __init__(
        self,
        *,
        signing_key: str | None,
        signing_keys: Iterable[str] | None,
        trust_proxy: bool,
        policy: HeaderPolicy,
        public_url: str | None,
        max_body_bytes: int,
    ) -> None:
        if signing_key is None and isinstance(signing_keys, str):
            raise TypeError("signing_keys must be a collection of keys, not one str")
        signing_keys = adapter_keys(signing_key, signing_keys)
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise TypeError("max_body_bytes must be an int")
        if max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")
        self.validator = WebhookValidator(
            signing_keys, trust_proxy=trust_proxy, policy=policy, public_url=public_url
        )
        self.max_body_bytes = max_body_bytes

    def allows(self, environ: Mapping[str, Any], body: bytes, *, scheme: str | None = None) -> bool:
        """Whether the signature headers in ``environ`` vouch for ``body`` on the public
        URL of this request. Never raises for a bad URL or header: False."""
        url = received_url(environ, scheme=scheme)
        if url is None:
            return False
        headers = request_headers(environ)
        validator = self.validator
        try:
            signed = public_url(
                url, headers, trust_proxy=validator.trust_proxy, base=validator.public_url
            )
        except ValueError:
            return False
        return validator._check(
            signed, body, headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER), sha1_signature(headers)
        )

    def describe(self) -> str:
        validator = self.validator
        return (
            f"trust_proxy={validator.trust_proxy!r}, policy={validator.policy!r}, "
            f"public_url={validator.public_url!r}, max_body_bytes={self.max_body_bytes!r}"
        )


def _respond(start_response: StartResponse, status: int) -> list[bytes]:
    start_response(_STATUS[status], [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return []


def paths_set(paths: Iterable[str]) -> frozenset[str]:
    """Exact paths to protect, a trailing ``/`` ignored."""
    if isinstance(paths, str):
        raise TypeError("paths must be a collection of paths, not one str")
    return frozenset(p.rstrip("/") for p in paths)


class WSGIWebhookSignatureMiddleware:
    """Reject POSTs to ``paths`` whose SignalWire signature does not validate.

    Args:
        app: The WSGI application to protect (for Flask, ``app.wsgi_app``).
        signing_key: The Signing Key from the SignalWire dashboard.
        signing_keys: Instead of ``signing_key``: several keys, any of which may sign
            (while rotating a key).
        paths: Exact paths (``PATH_INFO``, below the app's mount point) to protect; a
            trailing ``/`` is ignored. Other paths, and methods other than POST, pass
            through untouched.
        trust_proxy: Honour ``X-Forwarded-Host``/``X-Forwarded-Proto`` (only behind a
            proxy you control: clients can send these headers too).
        max_body_bytes: Larger bodies are refused with 413.
        policy: ``"strict"`` (the default: see ``WebhookValidator``) or ``"fallback"``
            (the reference's rules).
        public_url: The public base URL SignalWire posts to
            (``https://example.ngrok.io``), taken before ``SWML_PROXY_URL_BASE``.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        signing_key: str | None = None,
        signing_keys: Iterable[str] | None = None,
        paths: Iterable[str] = DEFAULT_PATHS,
        trust_proxy: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        policy: HeaderPolicy = DEFAULT_POLICY,
        public_url: str | None = None,
    ) -> None:
        self.app = app
        self.paths = paths_set(paths)
        self._guard = Guard(
            signing_key=signing_key,
            signing_keys=signing_keys,
            trust_proxy=trust_proxy,
            policy=policy,
            public_url=public_url,
            max_body_bytes=max_body_bytes,
        )

    def __repr__(self) -> str:
        return (
            f"WSGIWebhookSignatureMiddleware(paths={sorted(self.paths)!r}, "
            f"{self._guard.describe()})"
        )

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or environ.get("PATH_INFO", "").rstrip("/") not in self.paths
        ):
            return self.app(environ, start_response)
        try:
            body = read_body(environ, self._guard.max_body_bytes)
        except TooLarge:
            return _respond(start_response, 413)
        except ClientLeft:
            return _respond(start_response, 400)
        if not self._guard.allows(environ, body):
            return _respond(start_response, 403)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)
