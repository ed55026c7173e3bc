"""Native (Rust) webhook signature validation for SignalWire, a drop-in for the
pure-Python ``signalwire.core.security`` of ``signalwire-sdk``.

Importing this package never imports a web framework: FastAPI is loaded only when
``make_webhook_validation_dependency`` builds a dependency.
"""

from signalwire.core.security.asgi import WebhookSignatureMiddleware
from signalwire.core.security.security_utils import (
    SENSITIVE_HEADERS,
    filter_sensitive_headers,
    is_valid_hostname,
    redact_url,
)
from signalwire.core.security.webhook_middleware import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    make_webhook_validation_dependency,
)
from signalwire.core.security.webhook_validator import (
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

__all__ = [
    "SENSITIVE_HEADERS",
    "SIGNALWIRE_SHA256_SIGNATURE_HEADER",
    "SIGNALWIRE_SIGNATURE_HEADER",
    "TWILIO_COMPAT_SIGNATURE_HEADER",
    "WebhookSignatureMiddleware",
    "filter_sensitive_headers",
    "is_valid_hostname",
    "make_webhook_validation_dependency",
    "redact_url",
    "validate_request",
    "validate_webhook_signature",
    "validate_webhook_signature_sha256",
]
