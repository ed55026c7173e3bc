"""Native (Rust) webhook signature validation for SignalWire, a drop-in for the
pure-Python ``signalwire.core.security`` of ``signalwire-sdk``.

Importing this package never imports a web framework.
"""

from signalwire.core.security.webhook_validator import (
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

__all__ = [
    "validate_request",
    "validate_webhook_signature",
    "validate_webhook_signature_sha256",
]
