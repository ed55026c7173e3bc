"""``Guard``: one adapter's configuration, checked once, and the decisions every adapter
takes from it in the same way (which requests need a signature, whether one vouches for a
body, how large a body may be). The adapters only read requests and write answers.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

from . import _rules
from ._request import SIGNALWIRE_SHA256_SIGNATURE_HEADER, public_url, sha1_signature
from .validator import WebhookValidator

# Refusals are logged here at WARNING with their cause and the request path; never a key,
# a signature or a configuration value.
log = logging.getLogger("signalwire.core.security")

# Where Flask's app.config and Django's settings keep each option.
CONFIG = {
    "signing_key": "SIGNALWIRE_SIGNING_KEY",
    "signing_keys": "SIGNALWIRE_SIGNING_KEYS",
    "paths": "SIGNALWIRE_WEBHOOK_PATHS",
    "trust_proxy": "SIGNALWIRE_TRUST_PROXY",
    "policy": "SIGNALWIRE_WEBHOOK_POLICY",
    "public_url": "SIGNALWIRE_PUBLIC_URL",
    "max_body_bytes": "SIGNALWIRE_MAX_BODY_BYTES",
}
OPTIONS = tuple(CONFIG)


def given(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The options among a constructor's arguments (``locals()``)."""
    return {option: arguments[option] for option in OPTIONS if option in arguments}


class Guard:
    """The checked options of one adapter.

    Args:
        options: Option name -> value; ``None`` (or absent) takes the default.
        names: How errors name an option (a Flask or Django setting); the option itself
            by default.
        text: The options (all: ``True``) whose values come from configuration: booleans,
            sizes, paths and key lists may be text there (``"false"``, ``"1048576"``,
            ``"/a,/b"``, ``"PSKold,PSKnew"``).
        paths: Whether this adapter takes ``paths`` (a view decorator does not).

    Raises:
        TypeError, ValueError: an option that does not check; the message names it and
        what it takes, never the value.
    """

    __slots__ = ("max_body_bytes", "paths", "validator")

    def __init__(
        self,
        options: Mapping[str, Any],
        *,
        names: Mapping[str, str] | None = None,
        text: bool | Collection[str] = False,
        paths: bool = True,
    ) -> None:
        unknown = set(options) - set(OPTIONS)
        if unknown or (not paths and options.get("paths") is not None):
            raise TypeError(f"unexpected options: {sorted(unknown) or ['paths']}")

        def name(option: str) -> str:
            return (names or {}).get(option, option)

        def texts(option: str) -> bool:
            return text if isinstance(text, bool) else option in text

        def get(option: str, default: Any = None) -> Any:
            value = options.get(option)
            return default if value is None else value

        keys = _rules.keys(
            options.get("signing_key"),
            options.get("signing_keys"),
            (name("signing_key"), name("signing_keys")),
            text=texts("signing_key") or texts("signing_keys"),
        )
        trust_proxy = _rules.flag(
            get("trust_proxy", False), name("trust_proxy"), text=texts("trust_proxy")
        )
        policy = _rules.policy(get("policy", _rules.DEFAULT_POLICY), name("policy"))
        public = get("public_url")
        if public is not None and not isinstance(public, str):
            raise TypeError(f"{name('public_url')} must be a str")
        self.max_body_bytes = _rules.size(
            get("max_body_bytes", _rules.DEFAULT_MAX_BODY_BYTES),
            name("max_body_bytes"),
            text=texts("max_body_bytes"),
        )
        self.paths = _rules.paths(options.get("paths"), name("paths"), text=texts("paths"))
        self.validator = WebhookValidator(
            keys, trust_proxy=trust_proxy, policy=policy, public_url=public
        )

    def __repr__(self) -> str:
        v = self.validator
        return (
            f"paths={self.paths!r}, trust_proxy={v.trust_proxy!r}, policy={v.policy!r}, "
            f"public_url={v.public_url!r}, max_body_bytes={self.max_body_bytes!r}"
        )

    def too_large(self, content_length: str | None) -> bool:
        """Whether a declared ``Content-Length`` is over the limit (answer 413 unread)."""
        declared = (content_length or "").strip()
        return declared.isascii() and declared.isdigit() and int(declared) > self.max_body_bytes

    def names_hosts(self, headers: Mapping[str, str]) -> bool:
        """Whether ``Host``, and ``X-Forwarded-Host``/``-Proto`` where they are trusted,
        name a host and a scheme and nothing more (``_rules.names_host``)."""
        if not _rules.names_host(headers.get("host")):
            return False
        forwarded = headers.get("x-forwarded-host")
        if not (self.validator.trust_proxy and forwarded):
            return True
        scheme = headers.get("x-forwarded-proto", "https")
        return _rules.names_host(forwarded) and scheme in ("http", "https")

    def vouches(self, url: str | None, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the signature headers vouch for ``body`` on the public URL of a request
        received on ``url`` (``None``: a URL that could not be built). Never raises."""
        if url is None or not self.names_hosts(headers):
            return False
        validator = self.validator
        try:
            signed = public_url(
                url, headers, trust_proxy=validator.trust_proxy, base=validator.public_url
            )
        except ValueError:
            return False
        return validator._check(
            signed, body, headers.get(SIGNALWIRE_SHA256_SIGNATURE_HEADER), sha1_signature(headers)
        )


def from_config(
    config: Mapping[str, Any], given: Mapping[str, Any], *, paths: bool, where: str
) -> Guard:
    """The checked options of a Flask or Django adapter: those ``given`` in code (``None``:
    not given), the ``SIGNALWIRE_*`` entries of ``config`` (Flask's ``app.config``, Django's
    settings; ``where`` names it) for the rest. Keys given in code replace the config's;
    its ``SIGNALWIRE_SIGNING_KEYS`` wins over its ``SIGNALWIRE_SIGNING_KEY``.

    Raises:
        ValueError, TypeError: no key anywhere, or an option that does not check; the
        message names the option or config key, never its value.
    """
    options = {k: v for k, v in given.items() if v is not None}
    from_config = {}
    for option, key in CONFIG.items():
        if option in options or (option == "paths" and not paths):
            continue
        if option in ("signing_key", "signing_keys") and (
            "signing_key" in options or "signing_keys" in options
        ):
            continue
        if config.get(key) is not None:
            from_config[option] = config[key]
    if "signing_keys" in from_config:
        from_config.pop("signing_key", None)
    if not any(k in options or k in from_config for k in ("signing_key", "signing_keys")):
        raise ValueError(
            "no SignalWire signing key: set SIGNALWIRE_SIGNING_KEY (or SIGNALWIRE_SIGNING_KEYS)"
            f" in {where}, or pass signing_key="
        )
    # Each option is checked as code or as configuration, under the name the user wrote.
    return Guard(
        {**from_config, **options},
        names={option: CONFIG[option] for option in from_config},
        text=set(from_config),
        paths=paths,
    )


def refused(status: int, cause: str, path: str) -> int:
    """Log a refusal that is the deployment's problem, not a forger's (a body read before
    the check, a client that left), and return ``status``."""
    log.warning("SignalWire webhook refused with %d: %s (path %r)", status, cause, path[:200])
    return status
