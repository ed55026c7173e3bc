"""Signing, the platform's side: the header values SignalWire would send for a request, for
your own tests and tools. Whatever these produce validates with ``validate_webhook_signature``
(and ``validate_request`` for Scheme B params), here and in ``signalwire-sdk``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from ._compat import signing_pairs
from ._native import _sign
from ._request import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
)

Scheme = Literal["scheme_a", "scheme_a_sha256", "scheme_b"]


def sign_webhook(
    signing_key: str,
    url: str,
    raw_body: str | bytes | Mapping[str, Any] | Iterable[tuple[str, Any]],
    *,
    scheme: Scheme,
) -> str:
    """The signature header value for ``url`` and ``raw_body``.

    * ``"scheme_a"``: ``X-SignalWire-Signature`` of a RELAY/SWML/JSON request, hex
      HMAC-SHA1 of ``url + raw_body`` (a str is signed as UTF-8, bytes as they are).
    * ``"scheme_a_sha256"``: ``X-SignalWire-Sha256-Signature``, the same with SHA-256.
    * ``"scheme_b"``: the compat/cXML signature (``X-SignalWire-Signature`` or
      ``X-Twilio-Signature``), base64 HMAC-SHA1 of ``url`` and the params sorted by name.
      ``raw_body`` is the form body (str), or the params: a mapping (a list or tuple value
      repeats its name) or ``(name, value)`` pairs, in submission order.

    Raises:
        ValueError: empty ``signing_key`` or an unknown ``scheme``.
        TypeError: a body the scheme cannot sign.
    """
    if not isinstance(signing_key, str) or not isinstance(url, str):
        raise TypeError("signing_key and url must be str")
    if scheme == "scheme_b" and not isinstance(raw_body, (str, bytes)):
        return _sign(scheme, signing_key, url, signing_pairs(raw_body))
    if scheme == "scheme_b" and isinstance(raw_body, bytes):
        raw_body = raw_body.decode("utf-8")
    if not isinstance(raw_body, (str, bytes)):
        raise TypeError("scheme_a bodies are str or bytes")
    return _sign(scheme, signing_key, url, raw_body)


def signature_headers(signing_key: str, url: str, raw_body: str | bytes) -> dict[str, str]:
    """The two headers the platform sends with a signed JSON request (SHA-1 and SHA-256),
    ready to pass to an HTTP client."""
    return {
        SIGNALWIRE_SIGNATURE_HEADER: sign_webhook(signing_key, url, raw_body, scheme="scheme_a"),
        SIGNALWIRE_SHA256_SIGNATURE_HEADER: sign_webhook(
            signing_key, url, raw_body, scheme="scheme_a_sha256"
        ),
    }
