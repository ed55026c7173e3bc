"""The FastAPI dependency behind ``make_webhook_validation_dependency``.

A module of its own so that FastAPI is imported only when a dependency is built, and so
that FastAPI can resolve the dependency's parameter annotations from this module's globals.
"""

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal

from fastapi import HTTPException, Request, Response
from starlette.requests import ClientDisconnect

from ._request import SIGNALWIRE_SHA256_SIGNATURE_HEADER, public_url, sha1_signature, validate
from .validator import WebhookValidator

log = logging.getLogger("signalwire.core.security")


def _forbidden() -> HTTPException:
    # No detail: the answer must not tell a forger which check failed.
    return HTTPException(status_code=403)


def signature_dependency(
    signing_key: str,
    *,
    signing_keys: Iterable[str] | None,
    trust_proxy: bool,
    policy: Literal["fallback", "strict"],
) -> Callable[[Request, Response], Awaitable[None]]:
    """Build the dependency; the key arguments are already checked for presence."""
    # str keys take the native path over the body bytes (no str copy of the body, key
    # states kept); any other key goes through ``validate`` so that it fails exactly there.
    keys = signing_keys if signing_keys is not None else [signing_key]
    validator = None
    if signing_keys is not None or type(signing_key) is str:
        validator = WebhookValidator(keys, trust_proxy=trust_proxy, policy=policy)

    async def check_webhook_signature(request: Request, response: Response) -> None:
        try:
            body = await request.body()  # cached by Starlette: the handler can read it again
        except ClientDisconnect:
            # The client left mid-body: refuse (nobody reads the answer) rather than let the
            # exception become a logged 500.
            raise HTTPException(status_code=400) from None
        except RuntimeError:
            # FastAPI read the body before dependencies run (a route with Form()
            # parameters): it cannot be checked here. Refuse, and say why, rather than 500.
            log.warning(
                "SignalWire webhook refused with 403: the body was read before the dependency"
                " (Form() parameters?): put WebhookSignatureMiddleware on that route (path %r)",
                request.url.path[:200],
            )
            raise _forbidden() from None
        request.state.raw_body = body
        try:
            url = public_url(str(request.url), request.headers, trust_proxy=trust_proxy)
        except ValueError:
            raise _forbidden() from None  # a URL that cannot be built or split
        headers = request.headers
        if validator is not None:
            sha256_signature = headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER)
            if not validator._check(url, body, sha256_signature, sha1_signature(headers)):
                raise _forbidden()
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _forbidden() from None
        if validate(request.method, url, headers, text, signing_key=signing_key) is not None:
            raise _forbidden()

    return check_webhook_signature
