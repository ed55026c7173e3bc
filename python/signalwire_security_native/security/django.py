"""Django: ``SignalWireWebhookMiddleware`` for ``settings.MIDDLEWARE`` and the
``signalwire_view`` view decorator (CSRF-exempt, as ``django-twilio``'s ``twilio_view``).

Both are configured from settings: ``SIGNALWIRE_SIGNING_KEY`` (or
``SIGNALWIRE_SIGNING_KEYS``), ``SIGNALWIRE_WEBHOOK_PATHS`` (the middleware only),
``SIGNALWIRE_WEBHOOK_POLICY`` (default ``"strict"``), ``SIGNALWIRE_TRUST_PROXY``,
``SIGNALWIRE_PUBLIC_URL`` and ``SIGNALWIRE_MAX_BODY_BYTES``; the decorator also takes
them as arguments. Django is imported when one of them is used
(``pip install "signalwire-security-native[django]"``), never by importing
``signalwire.core.security``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from ._optional import require
from ._request import HeaderPolicy
from .wsgi import DEFAULT_MAX_BODY_BYTES, DEFAULT_PATHS, DEFAULT_POLICY, Guard, paths_set

F = TypeVar("F", bound=Callable[..., Any])
_FEATURE = "signalwire.core.security.django"


def _module(name: str) -> Any:
    return require(name, extra="django", feature=_FEATURE)


def _setting(name: str, default: Any) -> Any:
    return getattr(_module("django.conf").settings, name, default)


def _guard_from_settings(given: dict[str, Any]) -> Guard:
    """A guard from ``given`` options, the ``SIGNALWIRE_*`` settings for the rest."""
    exceptions = _module("django.core.exceptions")
    if given.get("signing_key") is None and given.get("signing_keys") is None:
        keys = _setting("SIGNALWIRE_SIGNING_KEYS", None)
        given = {
            **given,
            "signing_keys": keys,
            "signing_key": None if keys is not None else _setting("SIGNALWIRE_SIGNING_KEY", None),
        }
    settings = {
        "trust_proxy": _setting("SIGNALWIRE_TRUST_PROXY", False),
        "policy": _setting("SIGNALWIRE_WEBHOOK_POLICY", DEFAULT_POLICY),
        "public_url": _setting("SIGNALWIRE_PUBLIC_URL", None),
        "max_body_bytes": _setting("SIGNALWIRE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
    }
    settings.update({k: v for k, v in given.items() if v is not None})
    try:
        return Guard(**{"signing_key": None, "signing_keys": None, **settings})
    except (TypeError, ValueError) as error:
        raise exceptions.ImproperlyConfigured(f"SignalWire webhooks: {error}") from None


def _refusal(guard: Guard, request: Any) -> Any:
    """``None`` for a request the signature vouches for (marked CSRF-exempt: the platform
    has no CSRF token), else the empty answer."""
    http = _module("django.http")
    exceptions = _module("django.core.exceptions")
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isascii() and declared.isdigit() and int(declared) > guard.max_body_bytes:
        return http.HttpResponse(status=413)
    try:
        body = request.body
    except exceptions.RequestDataTooBig:
        return http.HttpResponse(status=413)
    except (OSError, http.UnreadablePostError):
        return http.HttpResponse(status=400)
    if len(body) > guard.max_body_bytes:
        return http.HttpResponse(status=413)
    scheme = request.META.get("wsgi.url_scheme") or request.scheme
    if not guard.allows(request.META, body, scheme=scheme):
        return http.HttpResponseForbidden()
    request._dont_enforce_csrf_checks = True  # what csrf_exempt views get
    return None


class SignalWireWebhookMiddleware:
    """Refuse POSTs to ``SIGNALWIRE_WEBHOOK_PATHS`` (``request.path_info``; default ``/``,
    ``/swaig``, ``/post_prompt``) whose SignalWire signature does not validate: an empty
    403 (413 over ``SIGNALWIRE_MAX_BODY_BYTES``, 400 when the client left mid-body), and
    the view never runs. A signed request is exempt from ``CsrfViewMiddleware``.
    ``request.body`` and ``request.POST`` work as usual in the view.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.paths = paths_set(_setting("SIGNALWIRE_WEBHOOK_PATHS", DEFAULT_PATHS))
        self._guard = _guard_from_settings({})

    def __repr__(self) -> str:
        return (
            f"SignalWireWebhookMiddleware(paths={sorted(self.paths)!r}, {self._guard.describe()})"
        )

    def __call__(self, request: Any) -> Any:
        if request.method == "POST" and request.path_info.rstrip("/") in self.paths:
            refusal = _refusal(self._guard, request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


@overload
def signalwire_view(view: F) -> F: ...
@overload
def signalwire_view(
    view: None = None,
    *,
    signing_key: str | None = None,
    signing_keys: Iterable[str] | None = None,
    trust_proxy: bool | None = None,
    policy: HeaderPolicy | None = None,
    public_url: str | None = None,
    max_body_bytes: int | None = None,
) -> Callable[[F], F]: ...


def signalwire_view(
    view: F | None = None,
    *,
    signing_key: str | None = None,
    signing_keys: Iterable[str] | None = None,
    trust_proxy: bool | None = None,
    policy: HeaderPolicy | None = None,
    public_url: str | None = None,
    max_body_bytes: int | None = None,
) -> F | Callable[[F], F]:
    """A view decorator: the view runs only for a request (any method) whose SignalWire
    signature validates, else an empty 403; the view is CSRF-exempt. Options default to
    the ``SIGNALWIRE_*`` settings, read on the first request."""
    given = {
        "signing_key": signing_key,
        "signing_keys": signing_keys,
        "trust_proxy": trust_proxy,
        "policy": policy,
        "public_url": public_url,
        "max_body_bytes": max_body_bytes,
    }

    def decorate(view: F) -> F:
        csrf = _module("django.views.decorators.csrf")
        guards: list[Guard] = []

        @functools.wraps(view)
        def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not guards:
                guards.append(_guard_from_settings(given))
            refusal = _refusal(guards[0], request)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        return csrf.csrf_exempt(guarded)  # type: ignore[no-any-return]

    return decorate(view) if view is not None else decorate
