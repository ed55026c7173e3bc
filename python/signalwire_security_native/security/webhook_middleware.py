"""Request-level signature checks: the framework-free decision, the public-URL rules, and
the FastAPI dependency. Same names and behaviour as ``signalwire-sdk`` 3.7.5's
``webhook_middleware`` (including the private names the SDK imports), over the native
validators.

FastAPI is imported only when a dependency is built, so ``validate`` and ``_public_url``
work without it (``pip install "signalwire-security-native[fastapi]"`` for the dependency).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from ._optional import require
from ._request import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    public_url,
    validate,
)

if TYPE_CHECKING:
    from fastapi import Request, Response

# What a SignalWire agent serves below its route, slashes stripped: the SWML document
# (""), SWAIG calls and the post-prompt summary. The SDK requires a signature on POSTs
# to these when a signing key is set.
_SIGNED_POST_PATHS = frozenset({"", "swaig", "post_prompt"})


def _public_url(
    url: str,
    headers: Mapping[str, str],
    *,
    trust_proxy: bool,
    path_and_query: str | None = None,
) -> str:
    """The reference's name and parameters for the public-URL rule every adapter shares
    (``SWML_PROXY_URL_BASE``, then trusted forwarded headers, then ``url``)."""
    return public_url(url, headers, trust_proxy=trust_proxy, path_and_query=path_and_query)


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
    require("fastapi", extra="fastapi", feature="make_webhook_validation_dependency")
    from ._fastapi import signature_dependency  # noqa: PLC0415

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
