from collections.abc import Mapping
from typing import Any

__all__ = [
    "_url_dialect",
    "_validate_signed_body",
    "validate_request",
    "validate_webhook_signature",
    "validate_webhook_signature_sha256",
]

def validate_webhook_signature(
    signing_key: str, signature: str, url: str, raw_body: str
) -> bool: ...
def validate_webhook_signature_sha256(
    signing_key: str, signature: str, url: str, raw_body: str
) -> bool: ...
def validate_request(
    signing_key: str,
    signature: str,
    url: str,
    params_or_raw_body: str | Mapping[str, Any] | list[tuple[str, Any]] | None,
) -> bool: ...
def _url_dialect() -> dict[str, bool]: ...
def _validate_signed_body(
    signing_key: str,
    url: str,
    body: bytes,
    sha256_signature: str | None,
    signature: str | None,
) -> bool: ...
