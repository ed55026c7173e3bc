"""The installed wheel as a user's interpreter meets it, on whatever CPU runs the tests.

Run natively by ``make py-test`` and, by ``make arm64-python``, on Debian's ARM64 CPython
under qemu with the aarch64 wheel installed in its site directory. A child interpreter is
started through ``SW_PYTHON`` (the launcher that starts that interpreter; a private root
needs it) and the console script through ``SW_CLI``; natively these default to
``sys.executable`` and the ``signalwire-webhook`` next to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import signalwire.core.security as ours

PYTHON = os.environ.get("SW_PYTHON", sys.executable)
CLI = os.environ.get("SW_CLI") or str(
    shutil.which("signalwire-webhook", path=str(Path(sys.executable).parent))
    or "signalwire-webhook"
)
KEY = "PSK_platform_0123456789"
URL = "https://example.ngrok.io/webhook?x=1"
SWITCH = "SIGNALWIRE_SECURITY_NATIVE"

PROBE = """
import json, platform, sys
import signalwire_security_native._hook as hook
before = hook.SecurityFinder in sys.meta_path
import signalwire.core.security as security
from signalwire.core.security import _native
print(json.dumps({"finder_at_start": before, "file": security.__file__,
                  "native": _native.__file__, "machine": platform.machine()}))
"""


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != SWITCH}
    env.update(extra)
    return env


@pytest.mark.skipif(sys.platform != "linux", reason="an ELF check")
def test_the_extension_is_built_for_this_cpu() -> None:
    native = Path(ours._native.__file__)
    header = native.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    machine = int.from_bytes(header[18:20], "little")
    expected = {"x86_64": 62, "aarch64": 183}[platform.machine()]
    assert machine == expected, f"{native.name} is for e_machine {machine}"


def test_the_hook_activates_from_the_site_directory() -> None:
    out = subprocess.run(
        [PYTHON, "-c", PROBE], check=True, text=True, stdout=subprocess.PIPE, env=child_env()
    ).stdout
    facts = json.loads(out)
    # The .pth ran at start-up (nothing imported the hook before the probe did).
    assert facts["finder_at_start"] is True
    package = Path(facts["file"]).parent
    assert package.name == "security" and package.parent.name == "signalwire_security_native"
    assert Path(facts["native"]).parent == package
    assert facts["machine"] == platform.machine()


def test_the_hook_costs_start_up_no_typing_import() -> None:
    """Every interpreter start runs the hook: it must not import ``typing`` (milliseconds
    on each start of every program in the environment)."""
    probe = "import sys; print('typing' in sys.modules, hasattr(sys.modules.get("
    probe += "'signalwire_security_native._hook'), 'install'))"
    out = subprocess.run(
        [PYTHON, "-c", probe], check=True, text=True, stdout=subprocess.PIPE, env=child_env()
    ).stdout
    assert out.split() == ["False", "True"]  # the hook ran, and typing stayed out


def test_the_escape_hatch_turns_the_hook_off() -> None:
    out = subprocess.run(
        [PYTHON, "-c", "import signalwire_security_native._hook as h; print(h.active())"],
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        env=child_env(**{SWITCH: "0"}),
    ).stdout
    assert out.strip() == "False"


def scheme_b(body: dict[str, str]) -> str:
    message = URL + "".join(k + v for k, v in sorted(body.items()))
    return base64.b64encode(hmac.new(KEY.encode(), message.encode(), "sha1").digest()).decode()


def verify(signature: str, body: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    body_file = tmp_path / "body"
    body_file.write_bytes(body)
    return subprocess.run(
        [CLI, "verify", "--signature", signature, "--body-file", str(body_file), URL],
        text=True,
        capture_output=True,
        env=child_env(SIGNALWIRE_SIGNING_KEY=KEY),
        check=False,
    )


def test_cli_verify_accepts_scheme_a_and_b_and_rejects_a_wrong_signature(tmp_path: Path) -> None:
    body = b'{"event":"call.state","params":{"state":"answered"}}'
    scheme_a = hmac.new(KEY.encode(), URL.encode() + body, hashlib.sha1).hexdigest()
    assert verify(scheme_a, body, tmp_path).returncode == 0
    form = {"CallSid": "CA1", "From": "+15550001111", "To": "+15550002222"}
    encoded = "&".join(f"{k}={v.replace('+', '%2B')}" for k, v in form.items()).encode()
    assert verify(scheme_b(form), encoded, tmp_path).returncode == 0
    wrong = verify(scheme_a[:-1] + ("0" if scheme_a[-1] != "0" else "1"), body, tmp_path)
    assert wrong.returncode == 1
    assert KEY not in wrong.stdout + wrong.stderr and scheme_a not in wrong.stdout + wrong.stderr
