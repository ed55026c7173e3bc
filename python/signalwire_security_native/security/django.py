"""Django: ``SignalWireWebhookMiddleware`` for ``settings.MIDDLEWARE`` and the
``signalwire_view`` view decorator (CSRF-exempt, as ``django-twilio``'s ``twilio_view``).

Both are configured from settings (values may be text read from the environment:
``"false"``, ``"1048576"``, ``"/a,/b"``, ``"PSKold,PSKnew"``): ``SIGNALWIRE_SIGNING_KEY`` (or
``SIGNALWIRE_SIGNING_KEYS``), ``SIGNALWIRE_WEBHOOK_PATHS`` (the middleware only),
``SIGNALWIRE_WEBHOOK_POLICY`` (default ``"strict"``), ``SIGNALWIRE_TRUST_PROXY``,
``SIGNALWIRE_PUBLIC_URL`` and ``SIGNALWIRE_MAX_BODY_BYTES``; the decorator also takes
them as arguments. Django is imported when one of them is used
(``pip install "signalwire-security-native[django]"``), never by importing
``signalwire.core.security``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload
from urllib.parse import quote

from ._guard import CONFIG, Guard, from_config, refused
from ._optional import require
from ._request import HeaderPolicy
from ._rules import declares_body, needs_signature
from .wsgi import PATH_SAFE, allows

F = TypeVar("F", bound=Callable[..., Any])
_FEATURE = "signalwire.core.security.django"


def _module(name: str) -> Any:
    return require(name, extra="django", feature=_FEATURE)


def _guard_from_settings(given: dict[str, Any], *, paths: bool) -> Guard:
    """A guard from ``given`` options, the ``SIGNALWIRE_*`` settings for the rest.

    Raises:
        ImproperlyConfigured: no key, or an option or setting that does not check.
    """
    exceptions = _module("django.core.exceptions")
    settings = _module("django.conf").settings
    config = {key: getattr(settings, key) for key in CONFIG.values() if hasattr(settings, key)}
    try:
        return from_config(config, given, paths=paths, where="settings")
    except (TypeError, ValueError) as error:
        raise exceptions.ImproperlyConfigured(f"SignalWire webhooks: {error}") from None


def _refusal(guard: Guard, request: Any) -> Any:
    """``None`` for a request the signature vouches for (marked CSRF-exempt: the platform
    has no CSRF token), else the empty answer."""
    http = _module("django.http")
    status = _status(http, guard, request)
    if status is None:
        request._dont_enforce_csrf_checks = True  # what csrf_exempt views get
        return None
    return http.HttpResponse(status=status)


def _status(http: Any, guard: Guard, request: Any) -> int | None:
    exceptions = _module("django.core.exceptions")
    declared = request.META.get("CONTENT_LENGTH") or ""
    if guard.too_large(declared):
        return 413
    try:
        body = request.body
    except exceptions.RequestDataTooBig:
        return 413
    except http.RawPostDataException:
        cause = "the body was read before the signature check (request.POST or request.read()"
        cause += " in a middleware above SignalWireWebhookMiddleware?)"
        return refused(403, cause, request.path)
    except (OSError, http.UnreadablePostError):
        return 400
    if len(body) > guard.max_body_bytes:
        return 413
    declared = declared.strip()
    if declared.isascii() and declared.isdigit() and len(body) != int(declared):
        cause = "the body is not as long as its Content-Length (the client left, or a layer"
        cause += " outside Django read it)"
        return refused(400, cause, request.path)
    scheme = request.META.get("wsgi.url_scheme") or request.scheme
    meta = request.META
    if not (meta.get("REQUEST_URI") or meta.get("RAW_URI")):
        # No raw target (Django's test client, runserver, ASGI): rebuild it from the
        # decoded path Django keeps as text (META's PATH_INFO is text too, not WSGI's
        # latin-1 bytes).
        query = meta.get("QUERY_STRING", "")
        target = quote(request.path.encode(), safe=PATH_SAFE) + (f"?{query}" if query else "")
        meta = {**meta, "REQUEST_URI": target}
    if not allows(guard, meta, body, scheme=scheme):
        # Under ASGI the path arrives decoded; the platform signed the target as it sent it.
        raw = getattr(request, "scope", {}).get("raw_path")
        if not (isinstance(raw, bytes) and "REQUEST_URI" not in request.META):
            return 403
        query = request.META.get("QUERY_STRING", "")
        target = raw.decode("latin-1") + (f"?{query}" if query else "")
        if not allows(guard, {**request.META, "REQUEST_URI": target}, body, scheme=scheme):
            return 403
    return None


class SignalWireWebhookMiddleware:
    """Refuse requests whose SignalWire signature does not validate: an empty 403 (413 over
    ``SIGNALWIRE_MAX_BODY_BYTES``, 400 when the client left mid-body), and the view never
    runs. Every path is protected unless ``SIGNALWIRE_WEBHOOK_PATHS`` names some (matched
    on ``request.path_info``, below ``FORCE_SCRIPT_NAME``/``SCRIPT_NAME``, and on
    ``request.path``); only a body-less GET, HEAD or OPTIONS passes unsigned. A signed
    request is exempt from ``CsrfViewMiddleware``; ``request.body`` and ``request.POST``
    work as usual in the view. Place it above any middleware that reads the body.

    Raises:
        ImproperlyConfigured: at start-up, no key or a setting that does not check.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self._guard = _guard_from_settings({}, paths=True)
        self.paths = self._guard.paths

    def __repr__(self) -> str:
        return f"SignalWireWebhookMiddleware({self._guard!r})"

    def __call__(self, request: Any) -> Any:
        guard = self._guard
        if guard.paths.cover(request.path_info, request.path):
            meta = request.META
            announced = declares_body(
                meta.get("CONTENT_LENGTH"), meta.get("HTTP_TRANSFER_ENCODING")
            )
            # A GET, HEAD or OPTIONS that announces no body passes unsigned, unless one
            # arrived anyway (under ASGI, HTTP/2 needs no Content-Length).
            if needs_signature(request.method, announced) or _has_body(request):
                refusal = _refusal(guard, request)
                if refusal is not None:
                    return refusal
        return self.get_response(request)


def _has_body(request: Any) -> bool:
    try:
        return bool(request.body)
    except Exception:  # any body that cannot be read is a body to check
        return True


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
    """A view decorator: the view (``def`` or ``async def``) runs only for a request (any
    method) whose SignalWire signature validates, else an empty 403; the view is
    CSRF-exempt. Options given here win; the ``SIGNALWIRE_*`` settings, read on the first
    request, give the rest."""
    given = {
        "signing_key": signing_key,
        "signing_keys": signing_keys,
        "trust_proxy": trust_proxy,
        "policy": policy,
        "public_url": public_url,
        "max_body_bytes": max_body_bytes,
    }

    def decorate(view: F) -> F:
        _module("django.http")
        guards: list[Guard] = []

        def guard() -> Guard:
            if not guards:
                guards.append(_guard_from_settings(given, paths=False))
            return guards[0]

        wrapper: Any
        if inspect.iscoroutinefunction(view):

            @functools.wraps(view)
            async def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
                refusal = _refusal(guard(), request)
                if refusal is not None:
                    return refusal
                return await view(request, *args, **kwargs)

        else:

            @functools.wraps(view)
            def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
                refusal = _refusal(guard(), request)
                if refusal is not None:
                    return refusal
                return view(request, *args, **kwargs)

        wrapper.csrf_exempt = True  # what django.views.decorators.csrf.csrf_exempt sets
        return wrapper  # type: ignore[no-any-return]

    return decorate(view) if view is not None else decorate
