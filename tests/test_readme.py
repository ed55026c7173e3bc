"""Every Python block of README.md runs as written, and every quickstart app protects its
webhook on a real server: a signed request gets 200, a forged and an unsigned one 403.

A block's info string may name its file (```python app.py): ``app.py`` and ``wsgi.py``
are served (``app`` or ``application``, whichever framework it is), ``settings.py`` and
``urls.py`` are a Django project's lines, anything else is run. The shell blocks are the
command line block (run by test_extras.py) and install or make commands.
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from fastapi import FastAPI
from flask import Flask
from starlette.applications import Starlette

import django_site
from live import Server, exchange, scheme_a
from live_wsgi import WSGIServer

README = Path(__file__).resolve().parent.parent / "README.md"
KEY = "PSKtest-readme-0123456789"
SHA1 = "X-SignalWire-Signature"
EVENT = json.dumps({"event": "calling.call.state"}).encode()
BLOCK = re.compile(r"^```(\w+)[ \t]*([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELL_COMMANDS = ("pip ", "make ", "signalwire-webhook ", "SIGNALWIRE_SIGNING_KEY=", "    ")


def blocks(language: str) -> list[tuple[str, str, int]]:
    """(file name or "", code, line) of each block in ``language``."""
    text = README.read_text()
    return [
        (match[2].strip(), match[3], text.count("\n", 0, match.start()) + 1)
        for match in BLOCK.finditer(text)
        if match[1] == language
    ]


PYTHON = blocks("python")
SERVED_NAMES = ("app.py", "wsgi.py")
SERVED = [(name, code, line) for name, code, line in PYTHON if name in SERVED_NAMES]
RUN = [
    (name, code, line)
    for name, code, line in PYTHON
    if name not in (*SERVED_NAMES, "settings.py", "urls.py")
]
DJANGO = {name: code for name, code, _ in PYTHON if name in ("settings.py", "urls.py")}


def load(name: str, code: str, line: int) -> types.ModuleType:
    module = types.ModuleType(f"readme_{Path(name).stem or 'block'}_{line}")
    module.__file__ = f"README.md:{line}:{name}"
    exec(compile(code, module.__file__, "exec"), module.__dict__)
    return module


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALWIRE_SIGNING_KEY", KEY)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("SWML_PROXY_URL_BASE", raising=False)


def test_the_readme_has_its_blocks() -> None:
    names = [name for name, _, _ in PYTHON]
    assert (
        names.count("app.py") >= 3
        and "wsgi.py" in names
        and set(DJANGO)
        == {
            "settings.py",
            "urls.py",
        }
    )


@pytest.mark.parametrize(("name", "code", "line"), RUN, ids=[f"line {b[2]}" for b in RUN])
def test_block_runs(name: str, code: str, line: int) -> None:
    load(name, code, line)


def _serve(app: Any) -> Any:
    if isinstance(app, FastAPI | Starlette):
        return Server(app)
    if isinstance(app, Flask):
        return WSGIServer(app)
    assert callable(app)
    return WSGIServer(app)


def _check(port: int) -> None:
    url = f"http://127.0.0.1:{port}/webhook"
    signed = {"Content-Type": "application/json", SHA1: scheme_a(KEY, url, EVENT)}
    assert exchange(port, "POST", "/webhook", signed, EVENT) == 200
    forged = {"Content-Type": "application/json", SHA1: "0" * 40}
    assert exchange(port, "POST", "/webhook", forged, EVENT) == 403
    assert exchange(port, "POST", "/webhook", {"Content-Type": "application/json"}, EVENT) == 403


@pytest.mark.parametrize(("name", "code", "line"), SERVED, ids=[f"line {b[2]}" for b in SERVED])
def test_quickstart_app_protects_its_webhook(name: str, code: str, line: int) -> None:
    module = load(name, code, line)
    app = getattr(module, "application", None) or module.app
    with _serve(app) as server:
        _check(server.port)


@pytest.fixture
def django_project() -> Iterator[None]:
    django_site.configure()
    settings = load("settings.py", DJANGO["settings.py"], 0)
    urls = load("urls.py", DJANGO["urls.py"], 0)
    sys.modules[urls.__name__] = urls
    values = {k: v for k, v in vars(settings).items() if k.isupper()}
    try:
        with override_settings(ROOT_URLCONF=urls.__name__, **values):
            yield
    finally:
        del sys.modules[urls.__name__]


def test_django_quickstart_protects_its_webhook(django_project: None) -> None:
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415 - after setup

    with WSGIServer(get_wsgi_application()) as server:
        _check(server.port)


def test_shell_blocks_are_commands_the_tests_run() -> None:
    for _, code, line in blocks("sh"):
        if "signalwire-webhook sign" in code:
            continue  # the command line block: test_extras.py runs it and checks its output
        for command in code.splitlines():
            if command.strip() and not command.startswith("#"):
                assert command.startswith(SHELL_COMMANDS), (line, command)
