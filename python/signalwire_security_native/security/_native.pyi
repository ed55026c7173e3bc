from collections.abc import Mapping
from typing import Any, final

__all__ = [
    "_KeyRing",
    "_explain",
    "_sign",
    "_url_dialect",
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
def _url_dialect() -> dict[str, bool | str]: ...
def _sign(
    scheme: str, signing_key: str, url: str, body: str | bytes | list[tuple[str, str]]
) -> str: ...
def _explain(
    signing_key: str, signature: str, url: str, body: str
) -> list[tuple[str, str, str, bool, bool | None]]: ...

@final
class _KeyRing:
    def __new__(cls, keys: list[str]) -> _KeyRing: ...
    def __len__(self) -> int: ...
    def validate(
        self, signature: str, url: str, body: str | bytes, strict: bool = False
    ) -> bool: ...
    def validate_sha256(self, signature: str, url: str, body: str | bytes) -> bool: ...
    def validate_headers(
        self, url: str, body: str | bytes, sha256: str | None, sha1: str | None, strict: bool
    ) -> bool: ...
