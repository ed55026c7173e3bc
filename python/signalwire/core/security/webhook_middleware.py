"""Request-level signature checks: the framework-free decision, the public-URL rules, and
the FastAPI dependency. Same names and behaviour as ``signalwire-sdk`` 3.7.5's
``webhook_middleware`` (including the private names the SDK imports), over the native
validators.

FastAPI is imported only when a dependency is built, so ``validate`` and ``_public_url``
work without it (``pip install "signalwire-security-native[fastapi]"`` for the dependency).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from signalwire.core.security._native import (
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

if TYPE_CHECKING:
    from fastapi import Request, Response

SIGNALWIRE_SIGNATURE_HEADER = "x-signalwire-signature"
SIGNALWIRE_SHA256_SIGNATURE_HEADER = "x-signalwire-sha256-signature"
TWILIO_COMPAT_SIGNATURE_HEADER = "x-twilio-signature"

# What a SignalWire agent serves below its route, slashes stripped: the SWML document
# (""), SWAIG calls and the post-prompt summary. The SDK requires a signature on POSTs
# to these when a signing key is set.
_SIGNED_POST_PATHS = frozenset({"", "swaig", "post_prompt"})

_FORBIDDEN = 403


def _rejection() -> tuple[int, dict[str, str], str]:
    return (_FORBIDDEN, {}, "")


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
    signature = headers.get(SIGNALWIRE_SIGNATURE_HEADER)
    if signature is None:
        signature = headers.get(TWILIO_COMPAT_SIGNATURE_HEADER)
    if not signature:
        return _rejection()
    try:
        valid = validate_webhook_signature(signing_key, signature, url, body)
    except (TypeError, ValueError):
        return _rejection()
    return None if valid else _rejection()


def _public_url(
    url: str,
    headers: Mapping[str, str],
    *,
    trust_proxy: bool,
    path_and_query: str | None = None,
) -> str:
    """The URL SignalWire signed, from the URL the server received.

    In order: ``SWML_PROXY_URL_BASE`` (read on every call) joined with ``path_and_query``
    (by default the path and query of ``url``); when ``trust_proxy`` is set and
    ``X-Forwarded-Host`` is present, that host with ``X-Forwarded-Proto`` (default
    ``https``) and the path and query of ``url``; else ``url`` itself.

    Raises:
        ValueError: ``url`` does not split (``urllib.parse.urlsplit``'s errors).
    """
    split = urlsplit(url)
    received_path = split.path + (f"?{split.query}" if split.query else "")
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


def _reconstruct_url(request: Request, *, trust_proxy: bool) -> str:
    """``_public_url`` of a Starlette/FastAPI request."""
    return _public_url(str(request.url), request.headers, trust_proxy=trust_proxy)


def make_webhook_validation_dependency(
    signing_key: str,
    *,
    trust_proxy: bool = False,
    signing_keys: Iterable[str] | None = None,
    policy: Literal["fallback", "strict"] = "fallback",
) -> Callable[[Request, Response], Awaitable[Response | None]]:
    """A FastAPI dependency (``Depends(...)``) that refuses badly signed requests.

    It reads the raw body before anything parses it and keeps it on
    ``request.state.raw_body`` (bytes), rebuilds the public URL as ``_public_url`` does,
    and raises ``HTTPException(403)`` (no detail) for a non-UTF-8 body or a signature that
    does not validate as ``validate`` decides. It also answers 403, not 500, when the
    received URL cannot be built or split. ``trust_proxy`` honours ``X-Forwarded-Host`` and
    ``X-Forwarded-Proto``; set it only behind a proxy you control.

    Beyond the reference: ``signing_keys`` (with ``signing_key=None``) accepts any of
    several keys while one is rotated, and ``policy="strict"`` lets a present SHA-256 header
    decide alone (see ``WebhookValidator``).

    Raises:
        ValueError: ``signing_key`` is empty (here, not on the first request).
    """
    if signing_keys is not None:
        if signing_key:
            raise TypeError("give signing_key or signing_keys, not both")
    elif not signing_key:
        raise ValueError("signing_key is required")
    from signalwire.core.security._fastapi import signature_dependency  # noqa: PLC0415

    return signature_dependency(
        signing_key, signing_keys=signing_keys, trust_proxy=trust_proxy, policy=policy
    )


__all__ = [
    "SIGNALWIRE_SHA256_SIGNATURE_HEADER",
    "SIGNALWIRE_SIGNATURE_HEADER",
    "TWILIO_COMPAT_SIGNATURE_HEADER",
    "make_webhook_validation_dependency",
    "validate",
]
