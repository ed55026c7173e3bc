"""Our wheel installed over signalwire-sdk 3.7.5 (the SDK first, our wheel second, as
``make dropin`` builds the environment): the SDK keeps working and validates natively.

Run only in that environment; the main test run skips this folder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from signalwire.core.function_result import FunctionResult
from signalwire.core.mixins import serverless_mixin, web_mixin

from live import scheme_a
from signalwire import AgentBase
from signalwire.core import security
from signalwire.core.security import (
    _native,
    security_utils,
    webhook_middleware,
    webhook_validator,
)

KEY = "PSKtest-dropin-0123456789"
AUTH = ("agent-user", "agent-pass")
CALL_ID = "call-0001"
SECURITY_DIR = Path(security.__file__).parent


def record_hash(distribution: str, relative: str) -> str | None:
    """The sha256 that ``distribution``'s RECORD lists for ``relative``, if any."""
    for entry in metadata.files(distribution) or ():
        if entry.as_posix() == relative and entry.hash is not None:
            return entry.hash.value
    return None


@pytest.mark.parametrize(
    "module", [security, webhook_validator, webhook_middleware, security_utils]
)
def test_our_files_replaced_the_sdks(module: ModuleType) -> None:
    assert metadata.version("signalwire-sdk") == "3.7.5"
    path = Path(str(module.__file__))
    relative = "signalwire/core/security/" + path.name
    on_disk = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest())
    on_disk_text = on_disk.rstrip(b"=").decode()
    assert record_hash("signalwire-security-native", relative) == on_disk_text
    sdk_hash = record_hash("signalwire-sdk", relative)
    assert sdk_hash is not None and sdk_hash != on_disk_text, "the SDK ships this module too"


def test_the_sdk_imports_our_functions() -> None:
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
        assert getattr(webhook_validator, name) is getattr(_native, name)
        assert getattr(security, name) is getattr(_native, name)


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
    """Records, in every thread, the native functions called and the Python functions of
    ``signalwire/core/security`` run while it is active."""

    def __init__(self) -> None:
        self.native: set[str] = set()
        self.python: set[tuple[str, str]] = set()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and (
            getattr(arg, "__module__", None) == _native.__name__
            or isinstance(getattr(arg, "__self__", None), _native._KeyRing)
        ):
            self.native.add(arg.__qualname__)
        elif event == "call" and Path(frame.f_code.co_filename).parent == SECURITY_DIR:
            self.python.add((Path(frame.f_code.co_filename).name, frame.f_code.co_name))


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
    assert "_KeyRing.validate_headers" in calls.native
    ours = {entry.name for entry in metadata.files("signalwire-security-native") or ()}
    ran = {name for name, _ in calls.python}
    # session_manager.py is the SDK's own token store (the post-prompt token); we ship
    # no module of that name. Everything else that ran in the folder is ours.
    assert "session_manager.py" not in ours
    assert ran - {"session_manager.py"} <= ours
    assert ("_fastapi.py", "check_webhook_signature") in calls.python


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
