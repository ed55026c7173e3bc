"""The public surface: names, signatures, keyword calls, docs, dialect, imports."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys
import urllib.parse
from collections import UserDict
from pathlib import Path
from types import ModuleType

import pytest

import signalwire
import signalwire.core
import signalwire.core.security as ours
from signalwire.core.security import _compat, _native, webhook_validator

NAMES = ["validate_request", "validate_webhook_signature", "validate_webhook_signature_sha256"]


@pytest.mark.parametrize("name", NAMES)
def test_same_names_and_parameters_as_reference(name: str, ref_validator: ModuleType) -> None:
    mine = inspect.signature(getattr(ours, name))
    theirs = inspect.signature(getattr(ref_validator, name))
    assert list(mine.parameters) == list(theirs.parameters)
    assert getattr(webhook_validator, name) is getattr(ours, name)
    assert name in ours.__all__ and name in webhook_validator.__all__


@pytest.mark.parametrize("name", NAMES)
def test_docstrings_are_our_own(name: str, ref_validator: ModuleType) -> None:
    doc = getattr(ours, name).__doc__
    assert doc and len(doc) > 40
    assert doc != getattr(ref_validator, name).__doc__


def test_keyword_calls() -> None:
    assert ours.validate_webhook_signature(
        signing_key="PSKtest1234567890abcdef",
        signature="c3c08c1fefaf9ee198a100d5906765a6f394bf0f",
        url="https://example.ngrok.io/webhook",
        raw_body='{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}',
    )
    assert not ours.validate_request(
        signing_key="k", signature="x", url="https://h/", params_or_raw_body=None
    )
    with pytest.raises(TypeError):
        ours.validate_webhook_signature_sha256("k", "x", "u", body="")  # type: ignore[call-arg]


def accepts(url: str) -> bool:
    try:
        urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return True


def probe_dialect() -> dict[str, bool | str]:
    """The generation read off this interpreter's urlsplit, written out independently."""
    if accepts("http://[zz]/"):
        check = "unchecked"
    elif accepts("http://x[::1]/"):
        check = "first_bracketed"
    else:
        check = "host_info"
    split = urllib.parse.urlsplit
    return {
        "scheme_starts_with_letter": split("1a://h").scheme == "",
        "bracket_check": check,
        "ipvfuture_upper_v": check != "unchecked" and accepts("http://[V1.x]/"),
        "strips_leading_c0": split("\x01a://h").scheme == "a",
    }


def test_dialect_is_the_running_interpreters() -> None:
    flags = _native._url_dialect()
    assert flags == probe_dialect()
    # The version is never consulted by the probe; here it only says what to expect of the
    # interpreters CI runs (pyenv's and Debian's builds).
    version = sys.version_info[:3]
    if version[:2] == (3, 10):
        expected = {(3, 10, 16): "first_bracketed"}.get(
            version, "host_info" if version >= (3, 10, 17) else "unchecked"
        )
        assert flags["bracket_check"] == expected
        assert flags["scheme_starts_with_letter"] is False
    else:
        assert flags["scheme_starts_with_letter"] is True
        fixed = {(3, 11): 12, (3, 12): 9, (3, 13): 2}.get(version[:2], 0)
        assert flags["bracket_check"] == ("host_info" if version[2] >= fixed else "first_bracketed")
    upper_v_from = {(3, 13): 15, (3, 14): 7}.get(version[:2], 0 if version >= (3, 15) else 99)
    assert flags["ipvfuture_upper_v"] is (version[2] >= upper_v_from)
    assert flags["strips_leading_c0"] is True


def test_importing_validators_does_not_import_a_web_framework() -> None:
    code = (
        "import sys, signalwire.core.security as s; "
        "assert s.validate_request; "
        "bad = [m for m in ('fastapi', 'starlette', 'pydantic') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


FRAMEWORKS = ("fastapi", "starlette", "pydantic", "flask", "werkzeug", "django", "waitress")


def test_importing_the_adapters_does_not_import_their_frameworks() -> None:
    code = (
        "import sys, signalwire.core.security as s; "
        "from signalwire.core.security import wsgi, testing, flask, django; "
        "assert s.WSGIWebhookSignatureMiddleware and flask.SignalWireWebhooks "
        "and django.signalwire_view and testing.signed_json; "
        f"bad = [m for m in {FRAMEWORKS!r} if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("framework", "use", "extra"),
    [
        ("flask", "flask.SignalWireWebhooks().init_app(None)", "flask"),
        ("flask", "flask.validate_signalwire_request(lambda: None)", "flask"),
        ("django", "django.signalwire_view(lambda request: None)", "django"),
        ("django", "django.SignalWireWebhookMiddleware(None)", "django"),
    ],
)
def test_an_adapter_without_its_framework_names_the_extra(
    framework: str, use: str, extra: str
) -> None:
    code = (  # a finder that answers as for a framework that is not installed
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.partition('.')[0] == {framework!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Absent())\n"
        "from signalwire.core.security import flask, django\n"
        f"try:\n    {use}\nexcept ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f'pip install "signalwire-security-native[{extra}]"' in out.stdout


def test_namespace_portions_have_no_init() -> None:
    for package in (signalwire, signalwire.core):
        assert getattr(package, "__file__", None) is None, package.__path__


def test_validator_module_says_how_it_compares_in_constant_time() -> None:
    """The SDK's own suite reads this module's source: it must name ``hmac.compare_digest``
    and never compare an expected signature with ``==``; what it says must be true of the
    core (``subtle``'s constant-time equality)."""
    source = inspect.getsource(webhook_validator)
    assert "hmac.compare_digest" in source
    assert "expected_a == signature" not in source and "expected_b == signature" not in source
    assert "ConstantTimeEq" in source
    core = (Path(__file__).resolve().parent.parent / "src" / "scheme.rs").read_text()
    assert "use subtle::ConstantTimeEq;" in core


def load_native_as(name: str) -> ModuleType:
    """The same extension file, loaded under another module name."""
    spec = importlib.util.spec_from_file_location(name, _native.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ALIAS_COMPAT = """
CALLS: list[object] = []
_signing_pairs = signing_pairs


def signing_pairs(params):
    CALLS.append(params)
    return _signing_pairs(params)
"""


def test_native_uses_the_compat_module_of_its_own_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _native._compat is _compat  # type: ignore[attr-defined]
    assert "_compat" not in _native.__all__
    package = tmp_path / "sw_alias_package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_compat.py").write_text(Path(_compat.__file__).read_text() + ALIAS_COMPAT)
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ("sw_alias_package", "sw_alias_package._compat", "sw_alias_package._native")
    try:
        __import__("sw_alias_package")
        alias = load_native_as("sw_alias_package._native")
        sys.modules["sw_alias_package._native"] = alias
        alias_compat = sys.modules["sw_alias_package._compat"]
        assert alias._compat is alias_compat
        params = UserDict({"b": "2", "a": "1"})  # a Mapping but not a dict: the slow path
        key, url = "PSKkey", "https://example.com/hook"
        signature = _native._sign("scheme_b", key, url, [("a", "1"), ("b", "2")])
        assert alias.validate_request(key, signature, url, params) is True
        assert alias.validate_request(key, signature[::-1], url, params) is False
        calls = alias_compat.CALLS
        assert calls == [params, params]
    finally:
        for name in names:
            sys.modules.pop(name, None)
    assert _native._compat is _compat  # type: ignore[attr-defined]


def test_native_refuses_to_load_outside_a_package() -> None:
    with pytest.raises(ImportError, match="submodule of its package"):
        load_native_as("_native")
