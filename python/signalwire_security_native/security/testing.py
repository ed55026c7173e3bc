"""Correctly signed requests for testing your own receivers with Flask's test client,
Django's test client, or Starlette's ``TestClient``/httpx. No framework is imported here.

    request = signed_json("PSK...", "http://localhost/webhook", {"event": "call.state"})
    flask_app.test_client().post(**request.flask())
    django.test.Client().post(**request.django())
    starlette.testclient.TestClient(app).post(**request.httpx())

The URL is the full URL the receiver will see (scheme, host, path, query): each helper
points its client at that host, so the signature holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from ._request import SIGNALWIRE_SHA256_SIGNATURE_HEADER, SIGNALWIRE_SIGNATURE_HEADER
from .signing import sign_webhook

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
Sha1Header = Literal["X-SignalWire-Signature", "X-Twilio-Signature"]


@dataclass(frozen=True)
class SignedRequest:
    """A POST as the platform would send it: ``url``, ``body`` bytes, the signature
    ``headers`` and the ``content_type``."""

    url: str
    body: bytes
    headers: dict[str, str] = field(repr=False)  # signatures are not for logs
    content_type: str

    @property
    def path(self) -> str:
        """The path and query, as a test client takes them."""
        split = urlsplit(self.url)
        return (split.path or "/") + (f"?{split.query}" if split.query else "")

    def flask(self) -> dict[str, Any]:
        """Keyword arguments for Flask's (Werkzeug's) ``client.post(**...)``."""
        split = urlsplit(self.url)
        return {
            "path": self.path,
            "base_url": f"{split.scheme}://{split.netloc}",
            "data": self.body,
            "headers": dict(self.headers),
            "content_type": self.content_type,
        }

    def django(self) -> dict[str, Any]:
        """Keyword arguments for Django's ``Client().post(**...)`` (Django 4.2+), and
        ``AsyncClient`` for a URL on ``testserver``."""
        split = urlsplit(self.url)
        return {
            "path": self.path,
            "data": self.body,
            "content_type": self.content_type,
            "secure": split.scheme == "https",
            # Both clients say ``Host: testserver`` by themselves; AsyncClient cannot be
            # told otherwise (a second Host would join the first), so sign for
            # ``http://testserver/...`` there.
            "headers": {
                **self.headers,
                **({} if split.netloc == "testserver" else {"Host": split.netloc}),
            },
        }

    def httpx(self) -> dict[str, Any]:
        """Keyword arguments for httpx's or Starlette ``TestClient``'s ``post(**...)``."""
        return {
            "url": self.url,
            "content": self.body,
            "headers": {**self.headers, "Content-Type": self.content_type},
        }


def signed_json(
    signing_key: str,
    url: str,
    payload: Any,
    *,
    sha1: bool = True,
    sha256: bool = True,
) -> SignedRequest:
    """A RELAY/SWML JSON webhook (Scheme A): ``payload`` as given when str or bytes, else
    ``json.dumps(payload)``; ``X-SignalWire-Signature`` and/or
    ``X-SignalWire-Sha256-Signature``."""
    if isinstance(payload, str):
        body = payload.encode()
    elif isinstance(payload, bytes):
        body = payload
    else:
        body = json.dumps(payload).encode()
    headers = {}
    if sha1:
        headers[_canonical(SIGNALWIRE_SIGNATURE_HEADER)] = sign_webhook(
            signing_key, url, body, scheme="scheme_a"
        )
    if sha256:
        headers[_canonical(SIGNALWIRE_SHA256_SIGNATURE_HEADER)] = sign_webhook(
            signing_key, url, body, scheme="scheme_a_sha256"
        )
    return SignedRequest(url, body, headers, JSON)


def signed_form(
    signing_key: str,
    url: str,
    params: Mapping[str, Any] | Iterable[tuple[str, Any]],
    *,
    header: Sha1Header = "X-SignalWire-Signature",
) -> SignedRequest:
    """A cXML/compat form webhook (Scheme B) in ``header``: ``params`` (a mapping, whose
    list values repeat their name, or ``(name, value)`` pairs in submission order)."""
    if header not in ("X-SignalWire-Signature", "X-Twilio-Signature"):
        raise ValueError("header must be X-SignalWire-Signature or X-Twilio-Signature")
    pairs = _pairs(params)
    signature = sign_webhook(signing_key, url, pairs, scheme="scheme_b")
    return SignedRequest(url, urlencode(pairs).encode(), {header: signature}, FORM)


def _pairs(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        out: list[tuple[str, str]] = []
        for name, value in params.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            out.extend((str(name), str(v)) for v in values)
        return out
    return [(str(name), str(value)) for name, value in params]


def _canonical(name: str) -> str:
    return "-".join(
        "SignalWire" if part == "signalwire" else part.capitalize() for part in name.split("-")
    )
