"""The public surface: names, signatures, keyword calls, docs, dialect, imports."""

from __future__ import annotations

import inspect
import subprocess
import sys
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest

import signalwire
import signalwire.core
import signalwire.core.security as ours
from signalwire.core.security import _native, webhook_validator

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


def probe_dialect() -> dict[str, bool]:
    split = urllib.parse.urlsplit
    try:
        split("http://[zz]/")
        checks = False
    except ValueError:
        checks = True
    return {
        "scheme_starts_with_letter": split("1a://h").scheme == "",
        "checks_bracketed_host": checks,
        "strips_leading_c0": split("\x01a://h").scheme == "a",
    }


def test_dialect_is_the_running_interpreters() -> None:
    flags = _native._url_dialect()
    assert flags == probe_dialect()
    if sys.version_info[:2] == (3, 10):
        assert flags == {
            "scheme_starts_with_letter": False,
            "checks_bracketed_host": False,
            "strips_leading_c0": True,
        }
    else:
        assert all(flags.values())


def test_importing_validators_does_not_import_a_web_framework() -> None:
    code = (
        "import sys, signalwire.core.security as s; "
        "assert s.validate_request; "
        "bad = [m for m in ('fastapi', 'starlette', 'pydantic') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


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
