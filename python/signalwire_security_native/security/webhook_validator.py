"""The three validators of SignalWire's webhook signature schemes, implemented natively.

* ``validate_webhook_signature``: Scheme A (hex HMAC-SHA1 of ``url + raw_body``), then
  Scheme B (base64 HMAC-SHA1 of the URL and the body's sorted form params, with and
  without the default port, honouring a ``bodySHA256`` query parameter).
* ``validate_webhook_signature_sha256``: hex HMAC-SHA256 of ``url + raw_body``.
* ``validate_request``: a raw body as above, or pre-parsed form params (Scheme B only).

Results and exceptions are those of ``signalwire-sdk`` 3.7.5 on the running interpreter.

Constant time: no signature is compared with ``==``. For a str signature the native core
encodes each expected MAC with a constant-time encoder and compares it with the ``subtle``
crate's ``ConstantTimeEq``, the guarantee ``hmac.compare_digest`` gives Python code; the
timing test (``benches/timing.py``) measures no leak. A signature of another type is
compared as the reference compares it, ``str()`` of it with ``hmac.compare_digest``
(``_compat.signature_matches``).
"""

from ._native import (
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

__all__ = [
    "validate_request",
    "validate_webhook_signature",
    "validate_webhook_signature_sha256",
]
