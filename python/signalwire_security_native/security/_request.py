"""The request decision every adapter shares: which headers carry signatures, the URL the
platform signed, the header policies, and the reference's per-request rule.

This layer sits right above the native module; the reference-compatible modules and the
framework adapters (ASGI, FastAPI) are built on it and it imports none of them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from ._native import validate_webhook_signature, validate_webhook_signature_sha256

SIGNALWIRE_SIGNATURE_HEADER = "x-signalwire-signature"
SIGNALWIRE_SHA256_SIGNATURE_HEADER = "x-signalwire-sha256-signature"
TWILIO_COMPAT_SIGNATURE_HEADER = "x-twilio-signature"

HeaderPolicy = Literal["fallback", "strict"]
POLICIES: tuple[HeaderPolicy, ...] = ("fallback", "strict")

_FORBIDDEN = 403


def sha1_signature(headers: Mapping[str, str]) -> str | None:
    """``X-SignalWire-Signature``, or the ``X-Twilio-Signature`` alias when it is absent."""
    signature = headers.get(SIGNALWIRE_SIGNATURE_HEADER)
    if signature is None:
        signature = headers.get(TWILIO_COMPAT_SIGNATURE_HEADER)
    return signature


def validate(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: str,
    *,
    signing_key: str,
) -> tuple[int, dict[str, str], str] | None:
    """Decide on one request: ``None`` lets it through, ``(403, {}, "")`` refuses it.

    The SHA-256 header is tried first; if it is absent or does not validate, the
    ``X-SignalWire-Signature`` header (or, when that is absent, ``X-Twilio-Signature``)
    decides. A validator error counts as a refusal; the answer never says which check
    failed. ``method`` is not signed and is not read.

    Raises:
        ValueError: ``signing_key`` is empty.
    """
    if not signing_key:
        raise ValueError("signing_key is required")
    sha256_signature = headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER)
    if sha256_signature:
        try:
            if validate_webhook_signature_sha256(signing_key, sha256_signature, url, body):
                return None
        except (TypeError, ValueError):
            pass  # a bad SHA-256 header must not shadow a good SHA-1 one
    signature = sha1_signature(headers)
    if not signature:
        return (_FORBIDDEN, {}, "")
    try:
        valid = validate_webhook_signature(signing_key, signature, url, body)
    except (TypeError, ValueError):
        return (_FORBIDDEN, {}, "")
    return None if valid else (_FORBIDDEN, {}, "")


def check_public_url(base: str | None) -> str | None:
    """An explicit public base URL as the adapters take it: ``None``, or an absolute
    ``http``/``https`` URL without query or fragment (a trailing ``/`` is dropped).

    Raises:
        TypeError: not a str.
        ValueError: not such a URL.
    """
    if base is None:
        return None
    if not isinstance(base, str):
        raise TypeError("public_url must be a str")
    message = "public_url must be an http(s) base URL such as https://example.ngrok.io"
    try:
        split = urlsplit(base)
        _ = split.port  # a port that is not one raises
        host = split.netloc.rpartition("@")[2]
        if host.startswith("["):  # checked here too: not every interpreter's urlsplit does
            ipaddress.IPv6Address(host[1 : host.index("]")])
    except ValueError:  # its message would repeat the value
        raise ValueError(message) from None
    if split.scheme not in ("http", "https") or not split.netloc or split.query or split.fragment:
        raise ValueError(message)
    return base.rstrip("/")


def public_url(
    url: str,
    headers: Mapping[str, str],
    *,
    trust_proxy: bool,
    path_and_query: str | None = None,
    base: str | None = None,
) -> str:
    """The URL SignalWire signed, from the URL the server received.

    In order: ``base`` (an adapter's explicit ``public_url=`` option), else
    ``SWML_PROXY_URL_BASE`` (read on every call), joined with ``path_and_query`` (by
    default the path and query of ``url``); when ``trust_proxy`` is set and
    ``X-Forwarded-Host`` is present, that host with ``X-Forwarded-Proto`` (default
    ``https``) and the path and query of ``url``; else ``url`` itself. Without ``base``
    these are the reference's rules (``webhook_middleware._public_url``).

    Raises:
        ValueError: ``url`` does not split (``urllib.parse.urlsplit``'s errors).
    """
    split = urlsplit(url)
    received_path = split.path + (f"?{split.query}" if split.query else "")
    if not base:
        base = os.environ.get("SWML_PROXY_URL_BASE")
    if base:
        tail = received_path if path_and_query is None else path_and_query
        return f"{base.rstrip('/')}{tail}"
    if trust_proxy:
        host = headers.get("x-forwarded-host")
        proto = headers.get("x-forwarded-proto", "https")
        if host:
            return f"{proto}://{host}{received_path}"
    return url
