"""Flask: the ``SignalWireWebhooks`` extension (``init_app``) and the
``validate_signalwire_request`` view decorator.

Both read the app's config when given no options: ``SIGNALWIRE_SIGNING_KEY`` (or
``SIGNALWIRE_SIGNING_KEYS``), ``SIGNALWIRE_WEBHOOK_PATHS`` (the extension only),
``SIGNALWIRE_WEBHOOK_POLICY`` (default ``"strict"``), ``SIGNALWIRE_TRUST_PROXY``,
``SIGNALWIRE_PUBLIC_URL`` and ``SIGNALWIRE_MAX_BODY_BYTES``. Flask is imported when one of
them is used (``pip install "signalwire-security-native[flask]"``), never by importing
``signalwire.core.security``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, overload

from ._optional import require
from ._request import HeaderPolicy
from .wsgi import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_PATHS,
    DEFAULT_POLICY,
    Guard,
    WSGIWebhookSignatureMiddleware,
)

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "signalwire_webhooks"
_OPTIONS = ("signing_key", "signing_keys", "trust_proxy", "policy", "public_url")


def _flask() -> Any:
    return require("flask", extra="flask", feature="signalwire.core.security.flask")


def _settings(config: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Options given in code, else the app's ``SIGNALWIRE_*`` config, else the defaults."""
    defaults = {
        "signing_key": None,
        "signing_keys": None,
        "trust_proxy": False,
        "policy": DEFAULT_POLICY,
        "public_url": None,
        "max_body_bytes": DEFAULT_MAX_BODY_BYTES,
        "paths": DEFAULT_PATHS,
    }
    names = {"paths": "SIGNALWIRE_WEBHOOK_PATHS", "policy": "SIGNALWIRE_WEBHOOK_POLICY"}
    out = {}
    for option, default in defaults.items():
        value = given.get(option)
        if value is None:
            value = config.get(names.get(option, "SIGNALWIRE_" + option.upper()), default)
        out[option] = value
    if given.get("signing_key") is not None or given.get("signing_keys") is not None:
        out["signing_key"] = given.get("signing_key")  # keys given in code replace the config's
        out["signing_keys"] = given.get("signing_keys")
    elif out["signing_keys"] is not None:
        out["signing_key"] = None  # the config's list of keys wins over its single key
    return out


def _guard(settings: Mapping[str, Any]) -> Guard:
    return Guard(**{k: settings[k] for k in (*_OPTIONS, "max_body_bytes")})


class SignalWireWebhooks:
    """Protect the POSTs of a Flask app to the webhook paths: the WSGI middleware wrapped
    around ``app.wsgi_app``, so a refused request never reaches Flask.

    ``SignalWireWebhooks(app)`` or ``webhooks = SignalWireWebhooks()`` then
    ``webhooks.init_app(app)``. Options given here win over the app's config.
    """

    def __init__(
        self,
        app: Any = None,
        *,
        signing_key: str | None = None,
        signing_keys: Iterable[str] | None = None,
        paths: Iterable[str] | None = None,
        trust_proxy: bool | None = None,
        policy: HeaderPolicy | None = None,
        public_url: str | None = None,
        max_body_bytes: int | None = None,
    ) -> None:
        self._given: dict[str, Any] = {
            "signing_key": signing_key,
            "signing_keys": signing_keys,
            "paths": paths,
            "trust_proxy": trust_proxy,
            "policy": policy,
            "public_url": public_url,
            "max_body_bytes": max_body_bytes,
        }
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        return "SignalWireWebhooks()"

    def init_app(self, app: Any) -> None:
        """Wrap ``app.wsgi_app``; raises ``ValueError`` when no signing key is set."""
        _flask()
        settings = _settings(app.config, self._given)
        app.wsgi_app = WSGIWebhookSignatureMiddleware(app.wsgi_app, **settings)
        app.extensions[EXTENSION] = self


@overload
def validate_signalwire_request(view: F) -> F: ...
@overload
def validate_signalwire_request(
    view: None = None,
    *,
    signing_key: str | None = None,
    signing_keys: Iterable[str] | None = None,
    trust_proxy: bool | None = None,
    policy: HeaderPolicy | None = None,
    public_url: str | None = None,
    max_body_bytes: int | None = None,
) -> Callable[[F], F]: ...


def validate_signalwire_request(
    view: F | None = None,
    *,
    signing_key: str | None = None,
    signing_keys: Iterable[str] | None = None,
    trust_proxy: bool | None = None,
    policy: HeaderPolicy | None = None,
    public_url: str | None = None,
    max_body_bytes: int | None = None,
) -> F | Callable[[F], F]:
    """A view decorator: the view runs only for a request whose SignalWire signature
    validates (any method); otherwise an empty 403 (413 over the body limit, 400 when the
    client left mid-body). ``@validate_signalwire_request`` reads the app's config;
    ``@validate_signalwire_request(signing_key=...)`` takes options.

    The body is read with ``request.get_data(cache=True)``, so ``request.get_data()``,
    ``request.form`` and ``request.get_json()`` still work in the view.
    """
    given = {
        "signing_key": signing_key,
        "signing_keys": signing_keys,
        "trust_proxy": trust_proxy,
        "policy": policy,
        "public_url": public_url,
        "max_body_bytes": max_body_bytes,
    }
    explicit = _guard(_settings({}, given)) if signing_key is not None or signing_keys else None

    def decorate(view: F) -> F:
        flask = _flask()
        key = f"{EXTENSION}.view.{id(decorate)}"

        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            guard = explicit
            if guard is None:
                app = flask.current_app
                guard = app.extensions.get(key)
                if guard is None:
                    guard = app.extensions[key] = _guard(_settings(app.config, given))
            refusal = _refusal(flask, guard)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def _refusal(flask: Any, guard: Guard) -> Any:
    """``None`` for a request the signature vouches for, else the empty answer."""
    werkzeug = require("werkzeug.exceptions", extra="flask", feature="the Flask adapter")
    request = flask.request
    status = None
    declared = request.content_length
    if declared is not None and declared > guard.max_body_bytes:
        status = 413
    else:
        limit = request.max_content_length
        request.max_content_length = (
            guard.max_body_bytes if limit is None else min(limit, guard.max_body_bytes)
        )
        try:
            body = request.get_data(cache=True)
        except werkzeug.RequestEntityTooLarge:
            status = 413
        except werkzeug.ClientDisconnected:
            status = 400
        else:
            if not guard.allows(request.environ, body):
                status = 403
    if status is None:
        return None
    return flask.Response(b"", status=status)
