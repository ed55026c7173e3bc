"""The FastAPI dependency behind ``make_webhook_validation_dependency``.

A module of its own so that FastAPI is imported only when a dependency is built, and so
that FastAPI can resolve the dependency's parameter annotations from this module's globals.
"""

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, Response

from signalwire.core.security._native import _validate_signed_body
from signalwire.core.security.webhook_middleware import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    _reconstruct_url,
    validate,
)


def _forbidden() -> HTTPException:
    # No detail: the answer must not tell a forger which check failed.
    return HTTPException(status_code=403)


def signature_dependency(
    signing_key: str, *, trust_proxy: bool
) -> Callable[[Request, Response], Awaitable[None]]:
    """Build the dependency; ``signing_key`` is known to be non-empty."""
    # A str key takes the native path over the body bytes (no str copy of the body);
    # any other key goes through ``validate`` so that it fails exactly as there.
    native = type(signing_key) is str

    async def check_webhook_signature(request: Request, response: Response) -> None:
        body = await request.body()  # cached by Starlette: the handler can read it again
        request.state.raw_body = body
        try:
            url = _reconstruct_url(request, trust_proxy=trust_proxy)
        except ValueError:
            raise _forbidden() from None  # a Host header that does not split
        headers = request.headers
        if native:
            signature = headers.get(SIGNALWIRE_SIGNATURE_HEADER)
            if signature is None:
                signature = headers.get(TWILIO_COMPAT_SIGNATURE_HEADER)
            sha256_signature = headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER)
            if not _validate_signed_body(signing_key, url, body, sha256_signature, signature):
                raise _forbidden()
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _forbidden() from None
        if validate(request.method, url, headers, text, signing_key=signing_key) is not None:
            raise _forbidden()

    return check_webhook_signature
