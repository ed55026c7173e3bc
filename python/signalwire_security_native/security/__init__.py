"""Native (Rust) webhook signature validation for SignalWire, a drop-in for the
pure-Python ``signalwire.core.security`` of ``signalwire-sdk``.

Importing this package never imports a web framework: FastAPI is loaded only when
``make_webhook_validation_dependency`` builds a dependency. Beyond the reference it offers
``WebhookSignatureMiddleware`` (any ASGI app), ``WSGIWebhookSignatureMiddleware`` (any
WSGI app; Flask and Django adapters in ``.flask`` and ``.django``), ``WebhookValidator``
(several keys while one is rotated, a strict policy), ``sign_webhook``/``signature_headers``
(and ``.testing`` for test clients) and the ``signalwire-webhook`` command line tool
(``python -m signalwire.core.security``).
"""

from .asgi import WebhookSignatureMiddleware
from .security_utils import (
    SENSITIVE_HEADERS,
    filter_sensitive_headers,
    is_valid_hostname,
    redact_url,
)
from .signing import sign_webhook, signature_headers
from .validator import WebhookValidator
from .webhook_middleware import (
    SIGNALWIRE_SHA256_SIGNATURE_HEADER,
    SIGNALWIRE_SIGNATURE_HEADER,
    TWILIO_COMPAT_SIGNATURE_HEADER,
    make_webhook_validation_dependency,
)
from .webhook_validator import (
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)
from .wsgi import WSGIWebhookSignatureMiddleware

__all__ = [  # noqa: RUF022 - grouped by module, not sorted
    # The validators (webhook_validator).
    "validate_request",
    "validate_webhook_signature",
    "validate_webhook_signature_sha256",
    # Request-level checks and the FastAPI dependency (webhook_middleware).
    "SIGNALWIRE_SIGNATURE_HEADER",
    "SIGNALWIRE_SHA256_SIGNATURE_HEADER",
    "TWILIO_COMPAT_SIGNATURE_HEADER",
    "make_webhook_validation_dependency",
    # Hygiene helpers (security_utils).
    "SENSITIVE_HEADERS",
    "filter_sensitive_headers",
    "redact_url",
    "is_valid_hostname",
    # Ours: the ASGI and WSGI middleware, the multi-key validator, signing for tests.
    "WebhookSignatureMiddleware",
    "WSGIWebhookSignatureMiddleware",
    "WebhookValidator",
    "sign_webhook",
    "signature_headers",
]
