"""Beyond the reference: signing helpers, WebhookValidator (key rotation, header policy,
bytes bodies), multi-key middleware and dependency, and the command line tool."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

import cases
from live import scheme_a, scheme_b
from signalwire.core.security import (
    WebhookSignatureMiddleware,
    WebhookValidator,
    make_webhook_validation_dependency,
    sign_webhook,
    signature_headers,
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

SEED = int(os.environ.get("SW_DIFF_SEED", "20261122"))
CASES = max(int(os.environ.get("SW_DIFF_CASES", "20000")) // 10, 1000)
KEY, OLD_KEY = "PSKnew-0123456789", "PSKold-9876543210"


def text(rng: random.Random) -> str:
    return cases.unicode_text(rng, rng.randint(0, 12))


def url_for(rng: random.Random) -> str:
    return rng.choice(["https://h.example", "http://H.example:80", "https://h:8443"]) + rng.choice(
        ["/hook", "/a;p?x=1", "/", "/ü?q=%20"]
    )


# ---- signing: ours equals the spec, and both validators accept it ------------------------


def test_signatures_follow_the_spec_and_validate_everywhere(ref_validator: ModuleType) -> None:
    rng = random.Random(SEED)
    for _ in range(CASES):
        key, url = rng.choice([KEY, "k", "s3cr3t-é"]), url_for(rng)
        body = cases.str_body(rng)
        try:
            body.encode()
        except UnicodeEncodeError:  # lone surrogates: nothing can sign them
            continue
        a = sign_webhook(key, url, body, scheme="scheme_a")
        assert a == scheme_a(key, url, body)
        assert sign_webhook(key, url, body.encode(), scheme="scheme_a") == a
        sha256 = sign_webhook(key, url, body, scheme="scheme_a_sha256")
        assert sha256 == scheme_a(key, url, body, "sha256")
        assert signature_headers(key, url, body) == {
            "x-signalwire-signature": a,
            "x-signalwire-sha256-signature": sha256,
        }
        params = [(text(rng), text(rng)) for _ in range(rng.randint(0, 5))]
        b = sign_webhook(key, url, params, scheme="scheme_b")
        assert b == scheme_b(key, url, params)
        form = sign_webhook(key, url, urlencode(params), scheme="scheme_b")
        assert form == b
        for module in (ref_validator, sys.modules["signalwire.core.security"]):
            assert module.validate_webhook_signature(key, a, url, body) is True
            assert module.validate_webhook_signature_sha256(key, sha256, url, body) is True
            assert module.validate_request(key, b, url, params) is True
            assert module.validate_webhook_signature(key, form, url, urlencode(params)) is True


def test_scheme_b_from_a_mapping_repeats_list_values() -> None:
    url = "https://h.example/cxml"
    signed = sign_webhook(KEY, url, {"Digits": ["1", "2"], "CallSid": "CA1"}, scheme="scheme_b")
    assert signed == scheme_b(KEY, url, [("Digits", "1"), ("Digits", "2"), ("CallSid", "CA1")])
    assert validate_request(KEY, signed, url, {"CallSid": "CA1", "Digits": ["1", "2"]})


@pytest.mark.parametrize(
    ("key", "scheme", "body", "error"),
    [
        ("", "scheme_a", "{}", ValueError),
        (KEY, "scheme_c", "{}", ValueError),
        (KEY, "scheme_a", {"a": "1"}, TypeError),
        (b"k", "scheme_a", "{}", TypeError),
    ],
)
def test_signing_refuses_bad_arguments(key: Any, scheme: Any, body: Any, error: type) -> None:
    with pytest.raises(error):
        sign_webhook(key, "https://h", body, scheme=scheme)


# ---- WebhookValidator ------------------------------------------------------------------


def outcome(call: Any) -> tuple[Any, ...]:
    try:
        return ("returned", call())
    except Exception as error:  # the class is the outcome
        return ("raised", type(error))


def same_answers(key: str, signature: str, url: str, body: str) -> tuple[Any, ...]:
    """Ours through WebhookValidator and through the functions; returns the function's."""
    validator = WebhookValidator(key)
    expected = outcome(lambda: validate_webhook_signature(key, signature, url, body))
    assert outcome(lambda: validator.validate(signature, url, body)) == expected
    sha = outcome(lambda: validate_webhook_signature_sha256(key, signature, url, body))
    assert outcome(lambda: validator.validate_sha256(signature, url, body)) == sha
    return expected


def test_one_key_answers_exactly_as_validate_webhook_signature(ref_validator: ModuleType) -> None:
    rng = random.Random(SEED + 1)
    compared = accepted = 0
    while compared < CASES:
        case = cases.make_case(rng, ref_validator)
        key, signature, url, body = case.args
        if case.function == "validate_request" or not all(
            isinstance(x, str) for x in (key, signature, url, body)
        ):
            continue
        if any(cases.odds_in(arg) for arg in case.args):
            continue  # scripted objects answer differently on each call
        if not key or "\ud800" in key:
            continue  # WebhookValidator refuses these keys when it is built
        compared += 1
        accepted += same_answers(key, signature, url, body) == ("returned", True)
    assert accepted > CASES // 10


def test_key_rotation_accepts_old_and_new_keys_only() -> None:
    url, body = "https://h.example/hook", '{"event":"call.state"}'
    rotating = WebhookValidator([KEY, OLD_KEY])
    for key in (KEY, OLD_KEY):
        assert rotating.validate(scheme_a(key, url, body), url, body)
        assert rotating.validate(scheme_b(key, url, [("a", "1")]), url, "a=1")
        assert rotating.validate_sha256(scheme_a(key, url, body, "sha256"), url, body.encode())
    assert not rotating.validate(scheme_a("PSKother", url, body), url, body)
    assert not WebhookValidator(KEY).validate(scheme_a(OLD_KEY, url, body), url, body)


def test_bytes_bodies() -> None:
    url, body = "https://h.example/hook", '{"t":"é"}'
    validator = WebhookValidator(KEY)
    assert validator.validate(scheme_a(KEY, url, body), url, body.encode())
    raw = b"caf\xe9"  # not UTF-8: SignalWire never signs such a body
    assert not validator.validate(scheme_a(KEY, url, raw), url, raw)


def test_header_policy() -> None:
    url, body = "https://h.example/hook", '{"event":"call.state"}'
    good_sha1 = scheme_a(KEY, url, body)
    good_sha256 = scheme_a(KEY, url, body, "sha256")
    bad_sha256 = scheme_a("PSKother", url, body, "sha256")
    fallback, strict = WebhookValidator(KEY), WebhookValidator(KEY, policy="strict")
    both_good = {"x-signalwire-sha256-signature": good_sha256, "x-signalwire-signature": "x"}
    bad_then_good = {"x-signalwire-sha256-signature": bad_sha256, "x-twilio-signature": good_sha1}
    sha1_only = {"x-signalwire-signature": good_sha1}
    assert fallback.validate_headers(url, both_good, body)
    assert strict.validate_headers(url, both_good, body)
    assert fallback.validate_headers(url, bad_then_good, body)  # the reference's rule
    assert not strict.validate_headers(url, bad_then_good, body)  # SHA-256 alone decides
    assert strict.validate_headers(url, sha1_only, body)  # messaging: SHA-1 only
    assert not strict.validate_headers("http://[::1/hook", sha1_only, body)  # never raises


def test_validator_construction_and_repr() -> None:
    refused: list[tuple[Any, type[Exception]]] = [([], ValueError), ([KEY, ""], ValueError)]
    refused += [([b"k"], TypeError), (["k\ud800"], UnicodeEncodeError)]
    for keys, error in refused:
        with pytest.raises(error):
            WebhookValidator(keys)
    with pytest.raises(ValueError, match="policy"):
        WebhookValidator(KEY, policy="lenient")  # type: ignore[arg-type]
    shown = repr(WebhookValidator([KEY, OLD_KEY], policy="strict"))
    assert KEY not in shown and OLD_KEY not in shown and "2 key" in shown


# ---- the middleware and the dependency with several keys and a policy ------------------


def test_middleware_and_dependency_take_several_keys_and_the_policy() -> None:
    app = FastAPI()

    @app.post("/hook")
    async def hook() -> dict[str, bool]:
        return {"ran": True}

    guard = make_webhook_validation_dependency(
        None,  # type: ignore[arg-type]
        signing_keys=[KEY, OLD_KEY],
        policy="strict",
    )

    @app.post("/dep", dependencies=[Depends(guard)])
    async def dep() -> dict[str, bool]:
        return {"ran": True}

    app.add_middleware(
        WebhookSignatureMiddleware, signing_keys=[KEY, OLD_KEY], paths=["/hook"], policy="strict"
    )
    body = '{"event":"call.state"}'
    with TestClient(app) as client:
        for path in ("/hook", "/dep"):
            url = "http://testserver" + path
            old = {"x-signalwire-signature": scheme_a(OLD_KEY, url, body)}
            assert client.post(path, content=body, headers=old).status_code == 200
            shadowed = {**old, "x-signalwire-sha256-signature": scheme_a("x", url, body, "sha256")}
            assert client.post(path, content=body, headers=shadowed).status_code == 403
    with pytest.raises(TypeError):
        make_webhook_validation_dependency(KEY, signing_keys=[OLD_KEY])
    with pytest.raises(TypeError):
        WebhookSignatureMiddleware(app, signing_key=KEY, signing_keys=[OLD_KEY])


# ---- the command line tool -------------------------------------------------------------


def cli(
    *args: str, body: bytes = b"", env_key: str | None = KEY
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SIGNALWIRE_SIGNING_KEY"}
    if env_key is not None:
        env["SIGNALWIRE_SIGNING_KEY"] = env_key
    return subprocess.run(
        [sys.executable, "-m", "signalwire.core.security", *args],
        input=body.decode(),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_cli_sign_then_verify(tmp_path: Any) -> None:
    url, body = "https://h.example/hook", b'{"event":"call.state"}'
    signed = cli("sign", url, body=body)
    assert signed.returncode == 0 and signed.stdout.strip() == scheme_a(KEY, url, body)
    assert cli("verify", "--signature", signed.stdout.strip(), url, body=body).returncode == 0
    assert (
        cli("verify", "--signature", signed.stdout.strip(), url, body=body + b" ").returncode == 1
    )
    body_file = tmp_path / "body.json"
    body_file.write_bytes(body)
    key_file = tmp_path / "key"
    key_file.write_text(OLD_KEY + "\n")
    by_file = cli("sign", "--key-file", str(key_file), "--body-file", str(body_file), url)
    assert by_file.stdout.strip() == scheme_a(OLD_KEY, url, body)
    sha256 = cli("sign", "--scheme", "scheme_a_sha256", url, body=body).stdout.strip()
    verified = cli("verify", "--scheme", "scheme_a_sha256", "--signature", sha256, url, body=body)
    assert verified.returncode == 0


def test_cli_usage_errors_and_the_key_warning() -> None:
    url = "https://h.example/hook"
    no_key = cli("sign", url, body=b"{}", env_key=None)
    assert no_key.returncode == 2 and "SIGNALWIRE_SIGNING_KEY" in no_key.stderr
    assert cli("verify", url, body=b"{}").returncode == 2  # --signature is required
    bad_url = cli("verify", "--signature", "0" * 40, "http://[::1/", body=b"{}")
    assert bad_url.returncode == 2 and KEY not in bad_url.stderr
    on_argv = cli("sign", "--key", "PSKargv", url, body=b"{}", env_key=None)
    assert on_argv.returncode == 0 and "warning" in on_argv.stderr
    assert "PSKargv" not in on_argv.stderr + on_argv.stdout
    assert "examples:" in cli("--help").stdout


def test_cli_explain_names_the_matching_attempt_and_no_secret() -> None:
    url, params = "https://h.example/cxml", [("Digits", "1"), ("CallSid", "CA1")]
    signature = scheme_b(KEY, "https://h.example:443/cxml", params)
    shown = cli(
        "verify", "--explain", "--signature", signature, url, body=urlencode(params).encode()
    )
    assert shown.returncode == 0, shown.stderr
    matches = [line for line in shown.stdout.splitlines() if "-> MATCH" in line]
    assert len(matches) == 1 and "https://h.example:443/cxml" in matches[0]
    assert "form params" in matches[0]
    expected = {scheme_a(KEY, url, urlencode(params)), scheme_b(KEY, url, params)}
    assert KEY not in shown.stdout and not any(e in shown.stdout for e in expected)


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "signalwire-webhook"
    shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert shown.stdout.startswith("usage: signalwire-webhook")
