"""Beyond the reference: signing helpers, WebhookValidator (key rotation, header policy,
bytes bodies), multi-key middleware and dependency, and the command line tool."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import re
import shutil
import subprocess
import sys
from functools import partial
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

import cases
from live import scheme_a, scheme_b
from seeds import SEED
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
from signalwire.core.security.cli import hint, verify

ROOT = Path(__file__).resolve().parents[1]
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


def test_cli_explains_every_scheme() -> None:
    url, body = "https://h.example/hook", b'{"event":"call.state"}'
    sha256 = scheme_a(KEY, url, body, "sha256")
    for signature, verdict, status in ((sha256, "MATCH", 0), ("0" * 64, "no match", 1)):
        shown = cli(
            "verify", "--explain", "--scheme", "scheme_a_sha256", "--signature", signature, url,
            body=body,
        )  # fmt: skip
        assert shown.returncode == status, shown.stderr
        attempts = [line for line in shown.stdout.splitlines() if "->" in line]
        assert attempts == [f"  scheme A  body         {url}  -> {verdict}"], shown.stdout
        assert "HMAC-SHA256" in shown.stdout
    form_url, params = "https://h.example/cxml", [("Digits", "1"), ("CallSid", "CA1")]
    signature = scheme_b(KEY, form_url, params)
    only_b = cli(
        "verify", "--explain", "--scheme", "scheme_b", "--signature", signature, form_url,
        body=urlencode(params).encode(),
    )  # fmt: skip
    assert only_b.returncode == 0, only_b.stderr
    attempts = [line for line in only_b.stdout.splitlines() if "->" in line]
    assert len(attempts) == 4 and all(line.startswith("  scheme B ") for line in attempts)
    assert [line for line in attempts if line.endswith("-> MATCH")] == [
        f"  scheme B  form params  {form_url}  -> MATCH"
    ]


def test_cli_hints_at_the_scheme_a_signature_shape_calls_for() -> None:
    url, body = "https://h.example/hook", b'{"event":"call.state"}'
    sha1, sha256 = scheme_a(KEY, url, body), scheme_a(KEY, url, body, "sha256")
    b = scheme_b(KEY, url, [])
    expected = {sha1, sha256, b}
    for scheme, signature, advice in [
        ("auto", sha256, "--scheme scheme_a_sha256"),
        ("scheme_b", sha256, "--scheme scheme_a_sha256"),
        ("scheme_a_sha256", sha1, "--scheme auto"),
        ("scheme_a_sha256", b, "--scheme auto"),
        ("scheme_b", sha1, "--scheme auto"),
    ]:
        run = cli("verify", "--scheme", scheme, "--signature", signature, url, body=body)
        assert (run.returncode, run.stdout) == (1, "invalid\n"), (scheme, run.stderr)
        assert run.stderr.startswith("hint: ") and advice in run.stderr, (scheme, run.stderr)
        assert KEY not in run.stderr and not any(e in run.stderr for e in expected)
    # No hint when the shape belongs to the scheme used, or to none.
    for scheme, signature in [
        ("auto", "0" * 40),
        ("auto", b[:-2] + "A="),
        ("scheme_a_sha256", "0" * 64),
        ("scheme_b", b[:-2] + "A="),
        ("auto", "0" * 63),
        ("auto", sha256.upper() + "0"),
    ]:
        run = cli("verify", "--scheme", scheme, "--signature", signature, url, body=body)
        assert (run.returncode, run.stderr) == (1, ""), (scheme, signature)
    assert hint("auto", sha256) is not None and hint("auto", sha256.upper()) is not None


def ref_scheme_b_only(ref: ModuleType, a_match: bool, *args: str) -> bool:
    """The reference accepts ``args`` and not through its Scheme A check."""
    return bool(ref.validate_webhook_signature(*args)) and not a_match


def test_verify_scheme_b_accepts_what_the_reference_accepts_through_scheme_b(
    ref_validator: ModuleType,
) -> None:
    """``verify --scheme scheme_b``: the reference's answer without its Scheme A match;
    ``auto`` and ``scheme_a_sha256`` are the reference's validators."""
    rng = random.Random(SEED + 2)
    compared, accepted = 0, {"auto": 0, "scheme_b": 0, "scheme_a_sha256": 0}
    while compared < CASES:
        case = cases.make_case(rng, ref_validator)
        key, signature, url, body = case.args
        if not all(type(x) is str for x in (key, signature, url, body)):  # the CLI gets exact str
            continue
        try:
            a_match = signature == scheme_a(key, url, body)
        except UnicodeEncodeError:
            continue
        compared += 1
        args = (key, signature, url, body)
        for scheme, expected in [
            ("auto", outcome(partial(ref_validator.validate_webhook_signature, *args))),
            (
                "scheme_a_sha256",
                outcome(partial(ref_validator.validate_webhook_signature_sha256, *args)),
            ),
            ("scheme_b", outcome(partial(ref_scheme_b_only, ref_validator, a_match, *args))),
        ]:
            ours = outcome(partial(verify, scheme, *args))
            assert ours == expected, (scheme, case.intent)
            accepted[scheme] += ours == ("returned", True)
    assert min(accepted.values()) > CASES // 50, accepted


def test_cli_file_and_url_errors_say_where(tmp_path: Path) -> None:
    url = "https://h.example/hook"
    missing = tmp_path / "no-such-body.json"
    run = cli("verify", "--signature", "0" * 40, "--body-file", str(missing), url)
    assert run.returncode == 2 and f"--body-file {missing}: No such file" in run.stderr
    run = cli("sign", "--key-file", str(tmp_path / "no-key"), url, body=b"{}", env_key=None)
    assert run.returncode == 2 and f"--key-file {tmp_path / 'no-key'}: No such" in run.stderr
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"caf\xe9")
    run = cli("sign", "--body-file", str(latin1), url)
    assert run.returncode == 2 and f"the body ({latin1}) is not UTF-8" in run.stderr
    run = cli("sign", "--key-file", str(latin1), url, body=b"{}", env_key=None)
    assert run.returncode == 2 and f"--key-file {latin1}: not UTF-8" in run.stderr
    secret = cli("verify", "--signature", "x" * 28, "https://u:pw@h.example:99999/x", body=b"{}")
    assert secret.returncode == 2 and "pw" not in secret.stderr  # the URL is not repeated
    for bad, reason in [
        ("https://h.example:99999/hook", "Port out of range 0-65535"),
        ("https://h.example:8o8o/hook", "Port could not be cast to integer value"),
        ("http://[::1/hook", "Invalid IPv6 URL"),
    ]:
        run = cli("verify", "--signature", "x" * 28, bad, body=b"{}")
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith("signalwire-webhook: the URL argument does not parse")
        assert reason in run.stderr and KEY not in run.stderr


def readme_cli_block() -> tuple[str, str]:
    """The README's command-line block and the output it shows for it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Command line: `signalwire-webhook`\n", 1)[1]
    section = section.split("\n### ", 1)[0]
    script = re.search(r"^```sh\n(.*?)^```$", section, re.S | re.M)
    assert script is not None
    output = re.search(r"^```\n(.*?)^```$", section[script.end() :], re.S | re.M)
    assert output is not None
    return script.group(1), output.group(1)


def test_the_readme_cli_block_runs_as_shown(tmp_path: Path) -> None:
    script, shown = readme_cli_block()
    installed = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k != "SIGNALWIRE_SIGNING_KEY"}
    env["PATH"] = os.pathsep.join([str(installed), env.get("PATH", "")])
    assert shutil.which("signalwire-webhook", path=env["PATH"]) == str(
        installed / "signalwire-webhook"
    )
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the hint, in the order it comes
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout
    assert ran.stdout == shown
    assert {p.name for p in tmp_path.iterdir()} == {"body.json", "form.txt"}
    # The signature it prints is the spec's, for the block's key.
    key = re.search(r"SIGNALWIRE_SIGNING_KEY=(\S+)", script)
    assert key is not None
    body = (tmp_path / "body.json").read_bytes()
    expected = hmac.new(key.group(1).encode(), b"https://example.com/hook" + body, hashlib.sha1)
    assert ran.stdout.splitlines()[0] == expected.hexdigest()


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "signalwire-webhook"
    shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert shown.stdout.startswith("usage: signalwire-webhook")


# ---- the licence -------------------------------------------------------------------------


def test_the_installed_wheel_carries_the_licence() -> None:
    dist = metadata.distribution("signalwire-security-native")
    assert dist.metadata["License-Expression"] == "MIT"  # what `pip show` prints
    assert dist.metadata.get_all("License-File") == ["LICENSE"]
    shipped = [f for f in dist.files or () if f.name == "LICENSE"]
    assert [f.parent.name for f in shipped] == ["licenses"]  # PEP 639: .dist-info/licenses/
    assert shipped[0].read_text() == (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_readme_names_the_installed_wheels_tag() -> None:
    """The README's build-route table lists the tag of the wheel under test (make build's
    manylinux one, or pip's plain linux one)."""
    wheel = metadata.distribution("signalwire-security-native").read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    install = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Install\n", 1)[1]
    install = install.split("\n## ", 1)[0]
    assert tags and all(f"`{tag}`" in install for tag in tags), tags


def test_cli_warns_on_a_url_without_scheme_and_host() -> None:
    for command in (("sign",), ("verify", "--signature", "0" * 40)):
        relative = cli(*command, "/hook", body=b"{}")
        assert "warning: the URL has no http(s) scheme and host" in relative.stderr
        full = cli(*command, "https://h.example/hook", body=b"{}")
        assert "warning" not in full.stderr
    assert cli("sign", "/hook", body=b"{}").returncode == 0  # a warning, not an error


def test_cli_explain_ends_with_the_likely_cause() -> None:
    body = b'{"event":"call.state"}'
    public = "https://example.ngrok.io/hook"
    signature = scheme_a(KEY, public, body)
    local = cli("verify", "--explain", "--signature", signature, "http://127.0.0.1:8000/hook",
                body=body)  # fmt: skip
    assert local.returncode == 1
    assert "likely cause" in local.stdout and "local host (127.0.0.1:8000)" in local.stdout
    assert "public_url=" in local.stdout and KEY not in local.stdout + local.stderr
    elsewhere = cli("verify", "--explain", "--signature", signature, "https://other.example/hook",
                    body=body)  # fmt: skip
    assert "likely cause" in elsewhere.stdout and "local host" not in elsewhere.stdout
    matched = cli("verify", "--explain", "--signature", signature, public, body=body)
    assert matched.returncode == 0 and "likely cause" not in matched.stdout
