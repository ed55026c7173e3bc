"""Flask: the ``SignalWireWebhooks`` extension (``init_app``) and the
``validate_signalwire_request`` view decorator.

Options given in code win; the rest come from the app's config: ``SIGNALWIRE_SIGNING_KEY``
(or ``SIGNALWIRE_SIGNING_KEYS``), ``SIGNALWIRE_WEBHOOK_PATHS`` (the extension only),
``SIGNALWIRE_WEBHOOK_POLICY`` (default ``"strict"``), ``SIGNALWIRE_TRUST_PROXY``,
``SIGNALWIRE_PUBLIC_URL`` and ``SIGNALWIRE_MAX_BODY_BYTES``. Config values may be text
(read from the environment): ``"false"``, ``"1048576"``, ``"/a,/b"``, ``"PSKold,PSKnew"``.
Flask is imported when one of them is used (``pip install
"signalwire-security-native[flask]"``), never by importing ``signalwire.core.security``.
"""

from __future__ import annotations

import functools
import inspect
import io
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from ._guard import Guard, from_config, refused
from ._optional import require
from ._request import HeaderPolicy
from ._rules import empty_unproven
from .wsgi import WSGIWebhookSignatureMiddleware, allows

F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "signalwire_webhooks"
# What Werkzeug parses a form from (formparser.FormDataParser).
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _flask() -> Any:
    return require("flask", extra="flask", feature="signalwire.core.security.flask")


class SignalWireWebhooks:
    """Protect a Flask app: the WSGI middleware wrapped around ``app.wsgi_app``, so a
    refused request never reaches Flask (nor its ``before_request`` hooks).

    ``SignalWireWebhooks(app)`` or ``webhooks = SignalWireWebhooks()`` then
    ``webhooks.init_app(app)``. Every path is protected unless ``paths`` (or
    ``SIGNALWIRE_WEBHOOK_PATHS``) names some; paths are ``PATH_INFO`` (below the app's
    mount point), blueprint prefixes included. Options given here win over the app's
    config.
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
        """Wrap ``app.wsgi_app``.

        Raises:
            ValueError, TypeError: no signing key, or an option that does not check.
        """
        _flask()
        guard = from_config(app.config, self._given, paths=True, where="app.config")
        app.wsgi_app = WSGIWebhookSignatureMiddleware._from_guard(app.wsgi_app, guard)
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
    """A view decorator: the view (``def`` or ``async def``) runs only for a request whose
    SignalWire signature validates, whatever its method; otherwise an empty 403 (413 over
    the body limit, 400 when the client left mid-body).

    ``@validate_signalwire_request`` reads the app's config on each app's first request;
    ``@validate_signalwire_request(signing_key=...)`` takes its options in code only.
    The checked body stays readable in the view every usual way (``get_data()``,
    ``form``, ``get_json()``, ``stream``). A body read before the check (a
    ``before_request`` hook that reads ``request.form`` or ``.data``) cannot be checked: 403,
    logged.
    """
    given = {
        "signing_key": signing_key,
        "signing_keys": signing_keys,
        "trust_proxy": trust_proxy,
        "policy": policy,
        "public_url": public_url,
        "max_body_bytes": max_body_bytes,
    }
    explicit = None
    if signing_key is not None or signing_keys is not None:
        explicit = from_config({}, given, paths=False, where="app.config")

    def decorate(view: F) -> F:
        flask = _flask()
        guards: weakref.WeakKeyDictionary[Any, Guard] = weakref.WeakKeyDictionary()

        def guard() -> Guard:
            if explicit is not None:
                return explicit
            app = flask.current_app._get_current_object()
            found = guards.get(app)
            if found is None:
                found = guards[app] = from_config(
                    app.config, given, paths=False, where="app.config"
                )
            return found

        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                refusal = _refusal(flask, guard())
                if refusal is not None:
                    return refusal
                return await view(*args, **kwargs)

            return guarded_async  # type: ignore[return-value]

        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refusal = _refusal(flask, guard())
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def _refusal(flask: Any, guard: Guard) -> Any:
    """``None`` for a request the signature vouches for, else the empty answer."""
    werkzeug = require("werkzeug.exceptions", extra="flask", feature="the Flask adapter")
    request = flask.request
    status = _status(werkzeug, request, guard)
    if status is None:
        return None
    return flask.Response(b"", status=status)


def _status(werkzeug: Any, request: Any, guard: Guard) -> int | None:
    declared = request.content_length
    if declared is not None and declared > guard.max_body_bytes:
        return 413
    state = request.__dict__
    cached = getattr(request, "_cached_data", None)
    # Something read the body before us: Werkzeug handed out its stream (a cached property;
    # parsing .form, .values or .files reads through it too) and nothing cached the bytes,
    # or it parsed a form from the stream and then cached what was left, b"" (what
    # ``request.data`` and ``get_data(parse_form_data=True)`` do).
    touched = (cached is None and "stream" in state) or (
        not cached and "form" in state and request.mimetype in _FORM_TYPES
    )
    limit = request.max_content_length
    # One byte over our limit lets Werkzeug read a body of exactly the limit.
    request.max_content_length = (
        guard.max_body_bytes + 1 if limit is None else min(limit, guard.max_body_bytes + 1)
    )
    try:
        body = request.get_data(cache=True)
    except werkzeug.RequestEntityTooLarge:
        return 413
    except werkzeug.ClientDisconnected:
        return 400
    if len(body) > guard.max_body_bytes:
        return 413
    if touched and (declared is None or len(body) != declared):
        cause = "the body was read before the signature check (request.form, .data or"
        cause += " .stream in a before_request hook?)"
        return refused(403, cause, request.path)
    if declared is not None and len(body) != declared:
        return refused(400, "the body is shorter than its Content-Length", request.path)
    environ = request.environ
    if empty_unproven(environ.get("CONTENT_LENGTH"), environ.get("HTTP_TRANSFER_ENCODING"), body):
        cause = "a chunked body that reads as empty (request.input_stream or wsgi.input read"
        cause += " in a before_request hook, or by a WSGI layer outside Flask?)"
        return refused(400, cause, request.path)
    if not allows(guard, request.environ, body):
        return 403
    # The view may read the checked bytes as a stream too.
    state["stream"] = io.BytesIO(body)
    return None
