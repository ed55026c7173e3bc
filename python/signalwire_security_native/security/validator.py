"""``WebhookValidator``: a reusable validator with one or more signing keys.

Rotating a Signing Key without downtime means accepting the old and the new one for a
while; the validator tries each key in order and keeps each key's HMAC state between
requests. With one key, ``validate`` answers exactly as ``validate_webhook_signature``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._native import _KeyRing
from ._request import (
    POLICIES,
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    HeaderPolicy,
    check_public_url,
    public_url,
    sha1_signature,
)


class WebhookValidator:
    """Validates SignalWire webhook signatures with one or more keys.

    Args:
        signing_keys: One Signing Key, or several (tried in order) while rotating.
        trust_proxy: ``validate_headers`` honours ``X-Forwarded-Host``/``-Proto`` (only
            behind a proxy you control); ``SWML_PROXY_URL_BASE`` is always honoured.
        policy: ``"fallback"`` (the reference's rules) or ``"strict"``: when the SHA-256
            header is present it alone decides, as SignalWire's verification recipe says,
            and a Scheme B signature over the URL with no params is accepted for a
            non-empty body only when the URL carries the body's ``bodySHA256`` (under the
            reference's rule a signature captured from any param-less callback
            authenticates any body POSTed to that URL).
        public_url: The public base URL the platform signs (``https://example.ngrok.io``):
            ``validate_headers`` replaces the received URL's scheme and host (and any path
            prefix) with it; it is taken before ``SWML_PROXY_URL_BASE`` and forwarded headers.
    """

    __slots__ = ("_ring", "policy", "public_url", "trust_proxy")

    def __init__(
        self,
        signing_keys: str | Iterable[str],
        *,
        trust_proxy: bool = False,
        policy: HeaderPolicy = "fallback",
        public_url: str | None = None,
    ) -> None:
        keys = [signing_keys] if isinstance(signing_keys, str) else list(signing_keys)
        if not all(isinstance(key, str) for key in keys):
            raise TypeError("signing keys must be str")
        if not (isinstance(policy, str) and policy in POLICIES):
            raise ValueError("policy must be 'fallback' or 'strict'")  # never the value
        if not isinstance(trust_proxy, bool):
            raise TypeError("trust_proxy must be a bool (True or False)")
        self._ring = _KeyRing(keys)  # ValueError("signing_key is required") if none/empty
        self.public_url = check_public_url(public_url)
        self.trust_proxy = trust_proxy
        self.policy: HeaderPolicy = policy

    def __repr__(self) -> str:
        return (
            f"WebhookValidator(<{len(self._ring)} key(s)>, trust_proxy={self.trust_proxy!r}, "
            f"policy={self.policy!r}, public_url={self.public_url!r})"
        )

    def validate(self, signature: str, url: str, body: str | bytes) -> bool:
        """Scheme A, then Scheme B, with each key: ``validate_webhook_signature``'s answer
        and errors (``ValueError`` for a URL that does not parse), and under the strict
        policy its rule for a Scheme B signature over the URL alone. A bytes body that is
        not UTF-8 is False."""
        return self._ring.validate(signature, url, body, self.policy == "strict")

    def validate_sha256(self, signature: str, url: str, body: str | bytes) -> bool:
        """The ``X-SignalWire-Sha256-Signature`` check with each key."""
        return self._ring.validate_sha256(signature, url, body)

    def validate_headers(self, url: str, headers: Mapping[str, str], body: str | bytes) -> bool:
        """The middleware's decision for a request received on ``url`` with ``headers``
        (looked up by lower-case name): the public URL as ``_public_url`` rebuilds it, then
        the SHA-256 header, then ``X-SignalWire-Signature`` (or ``X-Twilio-Signature``),
        under this validator's policy. Never raises for a bad URL or header: False."""
        try:
            public = public_url(url, headers, trust_proxy=self.trust_proxy, base=self.public_url)
        except ValueError:
            return False
        sha256 = headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER)
        return self._check(public, body, sha256, sha1_signature(headers))

    def _check(
        self, public_url: str, body: str | bytes, sha256: str | None, signature: str | None
    ) -> bool:
        """The header rule on an already rebuilt URL (the middleware and the dependency)."""
        return self._ring.validate_headers(
            public_url, body, sha256, signature, self.policy == "strict"
        )
