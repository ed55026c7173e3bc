"""The attack suite: in every deployment shape users run the adapters in, on real servers
on 127.0.0.1, no request SignalWire did not sign reaches a handler.

Each shape is an app as a user would write it (a FastAPI app with ``root_path``, a
``Mount``, a Flask blueprint, Flask under ``DispatcherMiddleware``, Django with
``FORCE_SCRIPT_NAME`` or under ``uvicorn --root-path``, async views, ...), with handlers on
the webhook path, below it, and for every method. Against each shape: a signed control
(200, and the handler got exactly the body that was signed) and the attacks of
``ATTACKS`` (never 2xx, never 500, and no handler ran). Requests are written as raw bytes,
so that paths reach the server as spelled (``//webhook``, ``/./webhook``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import path as django_path
from django.urls import re_path
from fastapi import FastAPI, Request
from flask import Blueprint, Flask
from flask import request as flask_request
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Host, Mount, Route
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

import django_site
from live import Server, exchange, scheme_a, scheme_b
from live_wsgi import WSGIServer
from signalwire.core.security import WebhookSignatureMiddleware, WSGIWebhookSignatureMiddleware
from signalwire.core.security.django import signalwire_view
from signalwire.core.security.flask import SignalWireWebhooks, validate_signalwire_request

KEY = "PSKtest-attack-0123456789"
SHA1 = "X-SignalWire-Signature"
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})
OTHER = json.dumps({"event": "calling.call.state", "params": {"call_state": "ended"}})
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# (shape name, body) for every handler run, in order.
RAN: list[tuple[str, bytes]] = []


@dataclass
class Shape:
    """One deployment: how to serve it, the path a client sends, the path in the URL the
    server reports (what the platform signs), the Host it is addressed by."""

    name: str
    serve: Callable[[str], Any]  # shape name -> a context manager with .port
    path: str = "/webhook"
    signed_path: str = "/webhook"
    host: str | None = None
    decorator: bool = False  # a view decorator: it checks every request, GETs included
    settings: dict[str, Any] = field(default_factory=dict)  # Django's, while it serves
    public: str | None = None  # the adapter's public_url: the signed URL is public + path


# ---- ASGI shapes -------------------------------------------------------------------------


def _fastapi(name: str, **kwargs: Any) -> FastAPI:
    app = FastAPI(**kwargs)

    async def handler(request: Request) -> dict[str, bool]:
        RAN.append((name, await request.body()))
        return {"ok": True}

    app.add_api_route("/webhook", handler, methods=METHODS)
    app.add_api_route("/webhook/{rest:path}", handler, methods=METHODS)
    app.add_api_route("/{rest:path}", handler, methods=METHODS)  # anything else, too
    return app


def _starlette(name: str) -> Starlette:
    async def handler(request: Any) -> JSONResponse:
        RAN.append((name, await request.body()))
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/webhook", handler, methods=METHODS),
            Route("/webhook/{rest:path}", handler, methods=METHODS),
        ]
    )


def fastapi_default(name: str) -> Server:
    app = _fastapi(name)
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY)
    return Server(app)


def fastapi_paths(name: str) -> Server:
    app = _fastapi(name)
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/webhook"])
    return Server(app)


def uvicorn_root_path(name: str) -> Server:
    """``uvicorn --root-path /api`` behind a proxy that strips ``/api``."""
    app = _fastapi(name)
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/webhook"])
    return Server(app, root_path="/api")


def uvicorn_root_path_prefixed(name: str) -> Server:
    """The same, with the prefix written into ``paths``."""
    app = _fastapi(name)
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/api/webhook"])
    return Server(app, root_path="/api")


def fastapi_root_path(name: str) -> Server:
    app = _fastapi(name, root_path="/api")
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/webhook"])
    return Server(app)


def fastapi_root_path_renamed_prefix(name: str) -> Server:
    """``FastAPI(root_path="/v1")`` behind a proxy that maps the public ``/api`` onto
    ``/v1``, with the public path written into ``paths``: only the path without the root
    (what FastAPI routes on) meets it."""
    app = _fastapi(name, root_path="/v1")
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/api/webhook"])
    return Server(app)


def fastapi_root_path_prefix_in_paths(name: str) -> Server:
    """``FastAPI(root_path="/api")`` behind a proxy that strips ``/api``, with the public
    path (prefix included) written into ``paths``."""
    app = _fastapi(name, root_path="/api")
    app.add_middleware(
        WebhookSignatureMiddleware,
        signing_key=KEY,
        paths=["/api/webhook"],
        public_url="https://hooks.example.com/api",
    )
    return Server(app)


def starlette_mount(name: str) -> Server:
    """The middleware on a sub-app under ``Mount("/hooks")``."""
    sub = WebhookSignatureMiddleware(_starlette(name), signing_key=KEY, paths=["/webhook"])
    return Server(Starlette(routes=[Mount("/hooks", app=sub)]))


def starlette_host(name: str) -> Server:
    """A sub-app chosen by ``Host``, the middleware outside."""
    app = Starlette(routes=[Host("hooks.example.com", app=_starlette(name))])
    return Server(WebhookSignatureMiddleware(app, signing_key=KEY, paths=["/webhook"]))


# ---- WSGI shapes -------------------------------------------------------------------------


def _flask(name: str, *, decorate: bool = False, **config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    def handler(rest: str = "") -> dict[str, bool]:
        RAN.append((name, flask_request.get_data()))
        return {"ok": True}

    view = validate_signalwire_request(handler) if decorate else handler
    app.add_url_rule("/webhook", "webhook", view, methods=METHODS)
    app.add_url_rule("/webhook/<path:rest>", "below", view, methods=METHODS)
    return app


def _bare_wsgi(name: str) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        RAN.append((name, environ["wsgi.input"].read(length)))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b""]


def wsgi_default(kind: str) -> Callable[[str], WSGIServer]:
    def serve(name: str) -> WSGIServer:
        return WSGIServer(WSGIWebhookSignatureMiddleware(_bare_wsgi(name), signing_key=KEY), kind)

    return serve


def wsgi_script_name(name: str) -> WSGIServer:
    """A bare app mounted at ``/app`` by ``DispatcherMiddleware`` (``SCRIPT_NAME``)."""
    guarded = WSGIWebhookSignatureMiddleware(_bare_wsgi(name), signing_key=KEY, paths=["/webhook"])
    return WSGIServer(DispatcherMiddleware(_not_found, {"/app": guarded}))


def flask_extension(kind: str) -> Callable[[str], WSGIServer]:
    def serve(name: str) -> WSGIServer:
        app = _flask(name, SIGNALWIRE_SIGNING_KEY=KEY)
        SignalWireWebhooks(app)
        return WSGIServer(app, kind)

    return serve


def flask_extension_env_strings(name: str) -> WSGIServer:
    """Config read from the environment: every value a str."""
    app = _flask(
        name,
        SIGNALWIRE_SIGNING_KEY=KEY,
        SIGNALWIRE_WEBHOOK_PATHS="/webhook",
        SIGNALWIRE_TRUST_PROXY="false",
        SIGNALWIRE_MAX_BODY_BYTES="65536",
    )
    SignalWireWebhooks(app)
    return WSGIServer(app)


def flask_proxy_fix(name: str) -> WSGIServer:
    """Werkzeug's ``ProxyFix`` (``X-Forwarded-Prefix``) applied before the extension, whose
    paths carry the public prefix the proxy strips."""
    app = _flask(name, SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_WEBHOOK_PATHS="/api/webhook")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)  # type: ignore[method-assign]
    SignalWireWebhooks(app)
    return WSGIServer(app)


def flask_unicode_path(name: str) -> WSGIServer:
    """A route and a ``paths`` entry outside ASCII (WSGI hands paths over as latin-1)."""
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_WEBHOOK_PATHS=["/café"])

    def handler(rest: str = "") -> dict[str, bool]:
        RAN.append((name, flask_request.get_data()))
        return {"ok": True}

    app.add_url_rule("/café", "webhook", handler, methods=METHODS)
    app.add_url_rule("/café/<path:rest>", "below", handler, methods=METHODS)
    SignalWireWebhooks(app)
    return WSGIServer(app)


def flask_dispatcher(name: str) -> WSGIServer:
    """A Flask app under ``DispatcherMiddleware`` at ``/app``, the extension on
    ``/webhook``."""
    app = _flask(name, SIGNALWIRE_SIGNING_KEY=KEY, SIGNALWIRE_WEBHOOK_PATHS=["/webhook"])
    SignalWireWebhooks(app)
    return WSGIServer(DispatcherMiddleware(_not_found, {"/app": app}))


def flask_blueprint(name: str) -> WSGIServer:
    """Views in a blueprint with ``url_prefix="/bp"``, the extension on ``/bp/webhook``,
    and ``APPLICATION_ROOT`` set (it changes no routing)."""
    app = Flask(__name__)
    app.config.update(
        SIGNALWIRE_SIGNING_KEY=KEY,
        SIGNALWIRE_WEBHOOK_PATHS=["/bp/webhook"],
        APPLICATION_ROOT="/root",
    )
    blueprint = Blueprint("hooks", __name__, url_prefix="/bp")

    def handler(rest: str = "") -> dict[str, bool]:
        RAN.append((name, flask_request.get_data()))
        return {"ok": True}

    blueprint.add_url_rule("/webhook", "webhook", handler, methods=METHODS)
    blueprint.add_url_rule("/webhook/<path:rest>", "below", handler, methods=METHODS)
    app.register_blueprint(blueprint)
    SignalWireWebhooks(app)
    return WSGIServer(app)


def flask_decorator(kind: str) -> Callable[[str], WSGIServer]:
    def serve(name: str) -> WSGIServer:
        return WSGIServer(_flask(name, decorate=True, SIGNALWIRE_SIGNING_KEY=KEY), kind)

    return serve


def flask_decorator_after_get_data(name: str) -> WSGIServer:
    """A ``before_request`` hook that reads the body with ``get_data()`` (cached)."""
    app = _flask(name, decorate=True, SIGNALWIRE_SIGNING_KEY=KEY)
    app.before_request(lambda: (flask_request.get_data(), None)[1])
    return WSGIServer(app)


def flask_async_decorator(name: str) -> WSGIServer:
    app = Flask(__name__)
    app.config.update(SIGNALWIRE_SIGNING_KEY=KEY)

    @validate_signalwire_request
    async def handler(rest: str = "") -> dict[str, bool]:
        await asyncio.sleep(0)
        RAN.append((name, flask_request.get_data()))
        return {"ok": True}

    app.add_url_rule("/webhook", "webhook", handler, methods=METHODS)
    app.add_url_rule("/webhook/<path:rest>", "below", handler, methods=METHODS)
    return WSGIServer(app)


# ---- Django shapes -----------------------------------------------------------------------


def _django_view(request: HttpRequest, rest: str = "") -> HttpResponse:
    RAN.append((request.resolver_match.url_name or "", request.body))
    return JsonResponse({"ok": True})


@signalwire_view
def _django_decorated(request: HttpRequest, rest: str = "") -> HttpResponse:
    RAN.append((request.resolver_match.url_name or "", request.body))
    return JsonResponse({"ok": True})


@signalwire_view
async def _django_async(request: HttpRequest, rest: str = "") -> HttpResponse:
    await asyncio.sleep(0)
    RAN.append((request.resolver_match.url_name or "", request.body))
    return JsonResponse({"ok": True})


DJANGO_MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "signalwire.core.security.django.SignalWireWebhookMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DJANGO_BASE = {"ROOT_URLCONF": __name__, "SIGNALWIRE_SIGNING_KEY": KEY}
urlpatterns = [
    # The view's URL name is the shape's name (the test's per-shape record).
    *(
        pattern
        for name, view in (
            ("django middleware, waitress, FORCE_SCRIPT_NAME", _django_view),
            ("django middleware, uvicorn --root-path", _django_view),
            ("django middleware, env strings", _django_view),
            ("django decorator, waitress", _django_decorated),
            ("django async decorator, uvicorn", _django_async),
            ("django async decorator, waitress", _django_async),
        )
        for prefix in [name.replace(" ", "-").replace(",", "").replace("_", "-").lower()]
        for pattern in (
            django_path(f"{prefix}/webhook", view, name=name),
            re_path(rf"^{prefix}/webhook/(?P<rest>.*)$", view, name=name),
        )
    ),
]


def _django_prefix(name: str) -> str:
    return "/" + name.replace(" ", "-").replace(",", "").replace("_", "-").lower()


def django_wsgi(name: str, **settings: Any) -> WSGIServer:
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    with override_settings(**{**DJANGO_BASE, **settings}):
        return WSGIServer(get_wsgi_application())


def django_asgi(name: str, *, root_path: str = "", **settings: Any) -> Server:
    from django.core.asgi import get_asgi_application  # noqa: PLC0415 - after setup

    with override_settings(**{**DJANGO_BASE, **settings}):
        return Server(get_asgi_application(), root_path=root_path)


def _django_shape(
    name: str, serve: str, *, decorator: bool = False, root: str = "", **settings: Any
) -> Shape:
    prefix = _django_prefix(name)
    settings = {**DJANGO_BASE, **settings}
    path = prefix + "/webhook"
    if serve == "asgi":

        def start(shape_name: str) -> Server:
            return django_asgi(shape_name, root_path=root, **settings)

        return Shape(name, start, path, root + path, decorator=decorator, settings=settings)

    def start_wsgi(shape_name: str) -> WSGIServer:
        return django_wsgi(shape_name, **settings)

    return Shape(name, start_wsgi, path, path, decorator=decorator, settings=settings)


SHAPES = [
    Shape("fastapi, middleware on every path", fastapi_default),
    Shape("fastapi, paths=['/webhook']", fastapi_paths),
    Shape(
        "uvicorn --root-path /api, prefix stripped", uvicorn_root_path, "/webhook", "/api/webhook"
    ),
    Shape(
        "uvicorn --root-path /api, prefix in paths",
        uvicorn_root_path_prefixed,
        "/webhook",
        "/api/webhook",
    ),
    Shape("FastAPI(root_path='/api')", fastapi_root_path, "/api/webhook", "/api/webhook"),
    Shape(
        "FastAPI(root_path='/v1'), /api mapped onto /v1, public path in paths",
        fastapi_root_path_renamed_prefix,
        "/v1/webhook",
        "/v1/webhook",
    ),
    Shape(
        "FastAPI(root_path='/api'), prefix stripped, prefix in paths",
        fastapi_root_path_prefix_in_paths,
        "/webhook",
        public="https://hooks.example.com/api",
    ),
    Shape(
        "Mount('/hooks', sub-app with the middleware)",
        starlette_mount,
        "/hooks/webhook",
        "/hooks/webhook",
    ),
    Shape("Host('hooks.example.com')", starlette_host, host="hooks.example.com"),
    Shape("wsgi middleware on every path, waitress", wsgi_default("waitress")),
    Shape("wsgi middleware on every path, werkzeug", wsgi_default("werkzeug")),
    Shape(
        "wsgi middleware under DispatcherMiddleware",
        wsgi_script_name,
        "/app/webhook",
        "/app/webhook",
    ),
    Shape("flask extension on every path, waitress", flask_extension("waitress")),
    Shape("flask extension on every path, werkzeug", flask_extension("werkzeug")),
    Shape("flask extension, config from environment strings", flask_extension_env_strings),
    Shape("flask under DispatcherMiddleware", flask_dispatcher, "/app/webhook", "/app/webhook"),
    Shape("flask behind ProxyFix(x_prefix), prefix in paths", flask_proxy_fix),
    Shape("flask, a path outside ASCII", flask_unicode_path, "/caf%C3%A9", "/caf%C3%A9"),
    Shape(
        "flask blueprint url_prefix, APPLICATION_ROOT",
        flask_blueprint,
        "/bp/webhook",
        "/bp/webhook",
    ),
    Shape("flask decorator, waitress", flask_decorator("waitress"), decorator=True),
    Shape("flask decorator, werkzeug", flask_decorator("werkzeug"), decorator=True),
    Shape(
        "flask decorator, before_request reads get_data()",
        flask_decorator_after_get_data,
        decorator=True,
    ),
    Shape("flask async decorator", flask_async_decorator, decorator=True),
    _django_shape(
        "django middleware, waitress, FORCE_SCRIPT_NAME",
        "wsgi",
        MIDDLEWARE=DJANGO_MIDDLEWARE,
        FORCE_SCRIPT_NAME="/site",
    ),
    _django_shape(
        "django middleware, uvicorn --root-path", "asgi", root="/api", MIDDLEWARE=DJANGO_MIDDLEWARE
    ),
    _django_shape(
        "django middleware, env strings",
        "wsgi",
        MIDDLEWARE=DJANGO_MIDDLEWARE,
        SIGNALWIRE_WEBHOOK_PATHS="/django-middleware-env-strings/webhook",
        SIGNALWIRE_TRUST_PROXY="false",
        SIGNALWIRE_MAX_BODY_BYTES="65536",
    ),
    _django_shape("django decorator, waitress", "wsgi", decorator=True),
    _django_shape("django async decorator, uvicorn", "asgi", decorator=True),
    _django_shape("django async decorator, waitress", "wsgi", decorator=True),
]


# ---- the attacks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Request_:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    chunked: bool = False


def _url(shape: Shape, port: int, path: str | None = None) -> str:
    if shape.public:
        return shape.public + (path or shape.path)
    return f"http://{shape.host or f'127.0.0.1:{port}'}{path or shape.signed_path}"


def _headers(shape: Shape, more: dict[str, str]) -> dict[str, str]:
    return {**({"Host": shape.host} if shape.host else {}), **more}


def _forged(shape: Shape, port: int, method: str = "POST", target: str | None = None) -> Request_:
    headers = _headers(shape, {**JSON, SHA1: "0" * 40})
    return Request_(method, target or shape.path, headers, EVENT.encode())


def _spelled(respell: Callable[[str], str]) -> Callable[[Shape, int], Request_]:
    """A forged POST whose path is spelled another way; signed for that spelling's URL
    with another key, so that only the signature check can refuse it."""

    def attack(shape: Shape, port: int) -> Request_:
        return _forged(shape, port, target=respell(shape.path))

    return attack


def _tampered(shape: Shape, port: int) -> Request_:
    signature = scheme_a(KEY, _url(shape, port), EVENT)
    return Request_("POST", shape.path, _headers(shape, {**JSON, SHA1: signature}), OTHER.encode())


def _unsigned(shape: Shape, port: int) -> Request_:
    return Request_("POST", shape.path, _headers(shape, JSON), EVENT.encode())


def _url_only(shape: Shape, port: int) -> Request_:
    """A Scheme B signature over the URL alone (the platform sends these for param-less
    callbacks) carrying a form: accepted only under the fallback policy."""
    signature = scheme_b(KEY, _url(shape, port), [])
    headers = _headers(shape, {**FORM, SHA1: signature})
    return Request_("POST", shape.path, headers, b"CallSid=CAforged&Digits=1")


def _url_only_empty_body_on_other_host(shape: Shape, port: int) -> Request_:
    """A signature made for another host, with ``X-Forwarded-Host`` naming it: honoured
    only with ``trust_proxy`` (off in every shape, whether set in code or as text)."""
    url = urlunsplit(urlsplit(_url(shape, port))._replace(netloc="attacker.example"))
    headers = _headers(
        shape,
        {**JSON, SHA1: scheme_a(KEY, url, EVENT), "X-Forwarded-Host": "attacker.example"},
    )
    return Request_("POST", shape.path, headers, EVENT.encode())


def _chunked(shape: Shape, port: int) -> Request_:
    return Request_(
        "POST", shape.path, _headers(shape, {**JSON, SHA1: "0" * 40}), EVENT.encode(), True
    )


def _get_with_body(shape: Shape, port: int) -> Request_:
    return _forged(shape, port, "GET")


def _get_chunked(shape: Shape, port: int) -> Request_:
    """A GET whose body only ``Transfer-Encoding`` announces (no ``Content-Length``)."""
    return Request_("GET", shape.path, _headers(shape, {**JSON, SHA1: "0" * 40}), b"{}", True)


def _on_host(host: str) -> Callable[[Shape, int], Request_]:
    """A forged POST whose ``Host`` makes no URL: refused, never waved through."""

    def attack(shape: Shape, port: int) -> Request_:
        headers = {**JSON, SHA1: "0" * 40, "Host": host}
        return Request_("POST", shape.path, headers, EVENT.encode())

    return attack


def _host_with_path(shape: Shape, port: int) -> Request_:
    """A request SignalWire signed for another path of this host (``/tenant`` + the path),
    replayed here with ``/tenant`` written into ``Host``: the URL built from that ``Host``
    and this path is the signed one, so only a check of ``Host`` itself refuses it."""
    host = f"{shape.host or f'127.0.0.1:{port}'}/tenant"
    signature = scheme_a(KEY, f"http://{host}{shape.signed_path}", EVENT)
    return Request_("POST", shape.path, {**JSON, SHA1: signature, "Host": host}, EVENT.encode())


ATTACKS: dict[str, Callable[[Shape, int], Request_]] = {
    "forged": _forged,
    "tampered body": _tampered,
    "unsigned": _unsigned,
    "URL-only signature with a form": _url_only,
    "signed for another host, X-Forwarded-Host": _url_only_empty_body_on_other_host,
    "forged chunked": _chunked,
    "forged PUT": lambda s, p: _forged(s, p, "PUT"),
    "forged PATCH": lambda s, p: _forged(s, p, "PATCH"),
    "forged DELETE": lambda s, p: _forged(s, p, "DELETE"),
    "forged GET with a body": _get_with_body,
    "forged GET with a chunked body": _get_chunked,
    "forged POST without a body": lambda s, p: Request_(
        "POST", s.path, _headers(s, {**JSON, SHA1: "0" * 40}), b""
    ),
    "Host not UTF-8": _on_host("h\xc3(.example"),
    "Host that does not split": _on_host("[zz"),
    "Host with a path, signed for that URL": _host_with_path,
    "trailing slash": _spelled(lambda p: p + "/"),
    "doubled slashes": _spelled(lambda p: "/" + p.replace("/", "//")),
    "upper case": _spelled(str.upper),
    "dot segment": _spelled(lambda p: p.replace("/webhook", "/./webhook")),
    "below the path": _spelled(lambda p: p + "/call/1"),
    "text after the path": _spelled(lambda p: p + "XYZ"),
    "a format suffix": _spelled(lambda p: p + ".json"),
    "dot-dot below the path": _spelled(lambda p: p + "/x/../y"),
}


class _Running:
    """Servers started once per shape and stopped at the end of the module."""

    def __init__(self) -> None:
        self.stack = ExitStack()
        self.ports: dict[str, int] = {}

    def port(self, shape: Shape) -> int:
        if shape.name not in self.ports:
            with override_settings(**shape.settings) if shape.settings else ExitStack():
                server = shape.serve(shape.name)
            self.ports[shape.name] = self.stack.enter_context(server).port
        return self.ports[shape.name]


@pytest.fixture(scope="module")
def running() -> Iterator[_Running]:
    django_site.configure()
    servers = _Running()
    with servers.stack:
        yield servers


def _send(shape: Shape, port: int, request: Request_) -> int | None:
    with override_settings(**shape.settings) if shape.settings else ExitStack():
        return exchange(
            port,
            request.method,
            request.target,
            request.headers,
            request.body,
            chunked=request.chunked,
        )


def _ran(shape: Shape) -> list[bytes]:
    name = shape.name
    return [body for who, body in RAN if who == name]


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_signed_control_reaches_the_handler(shape: Shape, running: _Running) -> None:
    port = running.port(shape)
    url = _url(shape, port)
    before = len(_ran(shape))
    signed = Request_(
        "POST",
        shape.path,
        _headers(shape, {**JSON, SHA1: scheme_a(KEY, url, EVENT)}),
        EVENT.encode(),
    )
    assert _send(shape, port, signed) == 200
    assert _ran(shape)[before:] == [EVENT.encode()]


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_attack_never_reaches_a_handler(shape: Shape, attack: str, running: _Running) -> None:
    port = running.port(shape)
    before = len(RAN)
    status = _send(shape, port, ATTACKS[attack](shape, port))
    assert status is not None and not 200 <= status < 300 and status != 500, status
    assert RAN[before:] == [], f"a handler ran for {attack!r}"


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_bodyless_get(shape: Shape, running: _Running) -> None:
    """A GET without a body passes the middlewares unsigned (documented); a view decorator
    checks it like any request."""
    port = running.port(shape)
    before = len(RAN)
    status = _send(shape, port, Request_("GET", shape.path, _headers(shape, {}), b""))
    if shape.decorator:
        assert status == 403 and RAN[before:] == []
    else:
        assert status == 200 and RAN[before:] == [(shape.name, b"")]
