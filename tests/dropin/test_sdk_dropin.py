"""signalwire-sdk 3.7.5 in one environment with our wheel, or without it: the SDK keeps
working, and validates natively exactly when our import hook is active.

``tests/install/`` builds each environment with real pip (SDK then ours, ours then SDK,
ours uninstalled, the SDK force-reinstalled, the escape hatch) and runs this file in it
with ``SW_DROPIN_EXPECT`` set to ``native`` or ``pure``. The main test run skips it.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from live import scheme_a
from signalwire import AgentBase
from signalwire.core import security
from signalwire.core.function_result import FunctionResult
from signalwire.core.mixins import serverless_mixin, web_mixin
from signalwire.core.security import security_utils, webhook_middleware, webhook_validator

KEY = "PSKtest-dropin-0123456789"
AUTH = ("agent-user", "agent-pass")
CALL_ID = "call-0001"
NATIVE = os.environ.get("SW_DROPIN_EXPECT", "native") == "native"
OURS = "signalwire-security-native"
SECURITY_DIR = Path(str(security.__file__)).parent
SDK_SECURITY_DIR = Path(str(webhook_middleware.__file__)).parent if not NATIVE else None


def installed(distribution: str) -> bool:
    try:
        metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def record(distribution: str) -> dict[str, str | None]:
    """The paths (relative to site-packages) ``distribution``'s RECORD lists, with hashes."""
    return {
        entry.as_posix(): entry.hash.value if entry.hash else None
        for entry in metadata.files(distribution) or ()
    }


def digest(path: Path) -> str:
    raw = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest())
    return raw.rstrip(b"=").decode()


def native_module() -> ModuleType:
    return importlib.import_module("signalwire.core.security._native")


def test_no_file_is_owned_by_two_distributions() -> None:
    assert metadata.version("signalwire-sdk") == "3.7.5"
    if not installed(OURS):
        pytest.skip("our wheel is not installed here")
    shared = set(record(OURS)) & set(record("signalwire-sdk"))
    assert not shared


def test_the_sdks_files_are_untouched() -> None:
    files = record("signalwire-sdk")
    site = Path(str(metadata.distribution("signalwire-sdk").locate_file("")))
    checked = 0
    for relative, expected in files.items():
        if expected is None or relative.endswith(".pyc"):
            continue
        assert digest(site / relative) == expected, relative
        checked += 1
    assert checked > 100  # the whole SDK, not a sample


def test_security_modules_come_from_the_expected_place() -> None:
    site = Path(str(metadata.distribution("signalwire-sdk").locate_file("")))
    for module in (security, webhook_validator, webhook_middleware, security_utils):
        top = Path(str(module.__file__)).relative_to(site).parts[0]
        owner = OURS if top == "signalwire_security_native" else "signalwire-sdk"
        assert owner == (OURS if NATIVE else "signalwire-sdk"), module.__name__


def test_the_sdk_imports_the_expected_functions() -> None:
    # The names the SDK's mixins imported from signalwire.core.security.
    imported = [
        (web_mixin, "make_webhook_validation_dependency", webhook_middleware),
        (web_mixin, "_SIGNED_POST_PATHS", webhook_middleware),
        (web_mixin, "filter_sensitive_headers", security_utils),
        (web_mixin, "redact_url", security_utils),
        (serverless_mixin, "validate", webhook_middleware),
        (serverless_mixin, "_public_url", webhook_middleware),
    ]
    for user, name, provider in imported:
        assert vars(user)[name] is vars(provider)[name], name
    for name in ("validate_webhook_signature", "validate_webhook_signature_sha256"):
        function = getattr(webhook_validator, name)
        if NATIVE:
            assert function is getattr(native_module(), name)
            assert getattr(security, name) is function
        else:
            assert Path(function.__code__.co_filename).parent == SDK_SECURITY_DIR


def test_our_additional_names() -> None:
    # By name: a type checker sees the SDK's files, not what the import hook serves.
    if NATIVE:
        validator = getattr(security, "WebhookValidator")  # noqa: B009
        assert validator(KEY).validate("x", "https://h/", "") is False
        assert callable(getattr(security, "WebhookSignatureMiddleware"))  # noqa: B009
    else:
        with pytest.raises(ImportError):
            importlib.import_module("signalwire.core.security.asgi")
        assert not hasattr(security, "WebhookSignatureMiddleware")


class Agent(AgentBase):
    def __init__(self) -> None:
        super().__init__(name="dropin", route="/agent", signing_key=KEY, basic_auth=AUTH)
        self.handled: list[str] = []
        self.set_post_prompt("Summarize the call.")
        self.define_tool(
            name="echo",
            description="Echo",
            parameters={},
            handler=self.echo,
            secure=False,
        )

    def echo(self, args: dict[str, Any], raw: dict[str, Any]) -> FunctionResult:
        self.handled.append("swaig")
        return FunctionResult("echoed")

    def on_summary(self, summary: Any, raw_data: Any = None) -> None:
        self.handled.append("post_prompt")


class Calls:
    """Records, in every thread, the native functions called and the Python functions run
    while it is active, of our folder and of the SDK's ``signalwire/core/security``."""

    def __init__(self) -> None:
        self.native: set[str] = set()
        self.python: set[tuple[str, str, str]] = set()
        # Our package's __path__ lists our folder, then the SDK's; the SDK's own package
        # has only its folder.
        folders = [Path(p) for p in security.__path__]
        self.folders = {folders[0]: "ours" if NATIVE else "sdk"}
        self.folders.update((folder, "sdk") for folder in folders[1:])
        self.module = native_module() if NATIVE else None

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and self.module is not None:
            if getattr(arg, "__module__", None) == self.module.__name__ or isinstance(
                getattr(arg, "__self__", None), self.module._KeyRing
            ):
                self.native.add(arg.__qualname__)
        elif event == "call":
            path = Path(frame.f_code.co_filename)
            owner = self.folders.get(path.parent)
            if owner is not None:
                self.python.add((owner, path.name, frame.f_code.co_name))


@pytest.fixture
def agent_client() -> Iterator[tuple[Agent, TestClient, Calls]]:
    agent = Agent()
    calls = Calls()
    threading.setprofile(calls)  # TestClient runs the app in a thread started below
    sys.setprofile(calls)
    try:
        with TestClient(agent.get_app()) as client:
            yield agent, client, calls
    finally:
        sys.setprofile(None)
        threading.setprofile(None)


def endpoints(agent: Agent) -> list[tuple[str, str, str]]:
    """(label, path, body) of the SWAIG and post-prompt POSTs the platform makes."""
    token = agent._create_tool_token("post_prompt", CALL_ID)
    swaig = {"function": "echo", "argument": {"parsed": [{}]}, "call_id": CALL_ID}
    summary = {"call_id": CALL_ID, "post_prompt_data": {"parsed": [{"ok": True}]}}
    return [
        ("swaig", "/agent/swaig", json.dumps(swaig)),
        ("post_prompt", f"/agent/post_prompt?__token={token}", json.dumps(summary)),
    ]


def test_agent_accepts_signed_posts_natively(
    agent_client: tuple[Agent, TestClient, Calls],
) -> None:
    agent, client, calls = agent_client
    for label, path, body in endpoints(agent):
        url = "http://testserver" + path
        for header, digest in (
            ("X-SignalWire-Signature", "sha1"),
            ("X-SignalWire-Sha256-Signature", "sha256"),
        ):
            agent.handled.clear()
            signed = {header: scheme_a(KEY, url, body, digest)}
            reply = client.post(path, content=body, headers=signed, auth=AUTH)
            assert reply.status_code == 200, (label, header, reply.text)
            assert agent.handled == [label]
    sdk_ran = {name for owner, name, _ in calls.python if owner == "sdk"}
    if not NATIVE:
        assert not calls.native
        assert "webhook_validator.py" in sdk_ran
        return
    assert "_KeyRing.validate_headers" in calls.native
    ours = {entry.name for entry in metadata.files(OURS) or ()}
    # session_manager.py is the SDK's own token store (the post-prompt token); we ship no
    # module of that name, and it is the only module of the SDK's folder that runs.
    assert "session_manager.py" not in ours
    assert sdk_ran == {"session_manager.py"}
    assert ("ours", "_fastapi.py", "check_webhook_signature") in calls.python


def test_agent_refuses_unsigned_and_forged_posts(
    agent_client: tuple[Agent, TestClient, Calls],
) -> None:
    agent, client, _ = agent_client
    for label, path, body in endpoints(agent):
        url = "http://testserver" + path
        forged = [
            {},
            {"X-SignalWire-Signature": scheme_a("not-the-key", url, body)},
            {"X-SignalWire-Signature": scheme_a(KEY, url, body + " ")},
            {"X-SignalWire-Sha256-Signature": scheme_a(KEY, url + "x", body, "sha256")},
            {"X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
        ]
        for headers in forged:
            reply = client.post(path, content=body, headers=headers, auth=AUTH)
            assert reply.status_code == 403, (label, headers)
            assert reply.json() == {"detail": "Forbidden"}
    assert agent.handled == []
