"""Installing, uninstalling and upgrading next to signalwire-sdk 3.7.5, as users do it: each
scenario is a fresh venv, real pip, the real SDK (from a wheelhouse of its pinned
dependencies, ``make wheelhouse``) and our wheel from ``dist/``.

Run from the main environment (``make dropin``); the main test run skips this folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / ".cache" / "wheelhouse"
VENVS = ROOT / ".cache" / "install-scenarios"
SDK_REQUIREMENTS = ROOT / "requirements" / "sdk.txt"
OURS = "signalwire-security-native"
SWITCH = "SIGNALWIRE_SECURITY_NATIVE"

# Run inside a scenario's venv: where signalwire.core.security and the functions the SDK
# calls come from, and what of each distribution is installed.
INSPECT = """
import importlib, json, sys
from importlib import metadata
def version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
out = {"sdk": version("signalwire-sdk"), "ours": version("signalwire-security-native")}
try:
    security = importlib.import_module("signalwire.core.security")
except ImportError as error:
    out["error"] = f"{type(error).__name__}: {error}"
else:
    from signalwire.core.security import webhook_middleware, webhook_validator
    out["security_file"] = security.__file__
    out["validator_module"] = webhook_validator.validate_webhook_signature.__module__
    out["middleware_file"] = webhook_middleware.__file__
    missing = []
    for name in getattr(security, "__all__", ()):
        if not hasattr(security, name):
            missing.append(name)
    out["all"] = sorted(getattr(security, "__all__", ()))
    out["missing"] = missing
    out["extras"] = all(
        hasattr(security, n) for n in ("WebhookSignatureMiddleware", "WebhookValidator")
    )
    if out["sdk"]:
        from signalwire import AgentBase
        out["agent"] = AgentBase.__module__
print(json.dumps(out))
"""


def _wheel() -> Path:
    wheels = sorted((ROOT / "dist").glob("signalwire_security_native-*manylinux_2_17_x86_64.whl"))
    assert len(wheels) == 1, "run `make build` first"
    return wheels[0]


@dataclass
class Env:
    """One scenario's virtual environment."""

    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def run(self, *args: str | Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
        merged = {k: v for k, v in os.environ.items() if k != SWITCH}
        merged.pop("PYTHONPATH", None)
        merged.update(env or {})
        done = subprocess.run(
            [str(a) for a in args], check=False, capture_output=True, text=True, env=merged, cwd=cwd
        )
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
        return done.stdout

    def pip(self, *args: str | Path) -> None:
        self.run(self.python, "-m", "pip", "--disable-pip-version-check", "-q", *args)

    def install_sdk(self) -> None:
        self.pip("install", "--no-index", "--find-links", WHEELHOUSE, "-r", SDK_REQUIREMENTS)

    def install_ours(self) -> None:
        self.pip("install", "--no-index", "--no-deps", _wheel())

    def inspect(self, env: dict[str, str] | None = None) -> dict[str, object]:
        out: dict[str, object] = json.loads(self.run(self.python, "-c", INSPECT, env=env))
        return out

    def doctor(self, env: dict[str, str] | None = None) -> tuple[int, str]:
        merged = {k: v for k, v in os.environ.items() if k != SWITCH} | (env or {})
        done = subprocess.run(
            [str(self.root / "bin" / "signalwire-webhook"), "doctor"],
            check=False,
            capture_output=True,
            text=True,
            env=merged,
        )
        assert not done.stderr, done.stderr
        return done.returncode, done.stdout

    def dropin_suite(self, expect: str, env: dict[str, str] | None = None) -> str:
        """``tests/dropin`` in this venv: the SDK's agent signed and forged, ``expect``
        saying whether validation must be native or the SDK's pure Python."""
        out = self.run(
            self.python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "dropin",
            env={"SW_DROPIN_EXPECT": expect, **(env or {})},
            cwd=ROOT / "tests",
        )
        assert " passed" in out and "failed" not in out, out
        return out

    def site_packages(self) -> Path:
        code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        return Path(self.run(self.python, "-c", code).strip())


def fresh(name: str) -> Env:
    """A new venv (any earlier one of that name removed), with the pinned pip."""
    assert list(WHEELHOUSE.glob("signalwire_sdk-3.7.5-*.whl")), "run `make wheelhouse` first"
    root = VENVS / name
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    env = Env(root)
    env.pip("install", "--no-index", "--find-links", WHEELHOUSE, "pip==25.3")
    return env


def assert_native(found: dict[str, object], env: Env) -> None:
    ours = str(env.site_packages() / "signalwire_security_native" / "security")
    assert str(found["security_file"]).startswith(ours), found
    assert str(found["middleware_file"]).startswith(ours), found
    assert str(found["validator_module"]).endswith("._native"), found
    assert found["extras"] is True and found["missing"] == [], found


def assert_pure(found: dict[str, object], env: Env) -> None:
    sdk = str(env.site_packages() / "signalwire" / "core" / "security")
    assert str(found["security_file"]).startswith(sdk), found
    assert str(found["validator_module"]) == "signalwire.core.security.webhook_validator", found
    assert found["extras"] is False, found


def test_s1_sdk_then_ours() -> None:
    env = fresh("s1")
    env.install_sdk()
    env.install_ours()
    assert_native(env.inspect(), env)
    env.dropin_suite("native")
    status, report = env.doctor()
    assert status == 0 and "verdict: native validation is active" in report, report
    assert "signalwire-sdk: 3.7.5" in report


def test_s2_ours_then_sdk() -> None:
    env = fresh("s2")
    env.install_ours()
    env.install_sdk()
    assert_native(env.inspect(), env)
    env.dropin_suite("native")
    status, report = env.doctor()
    assert status == 0 and "native validation is active" in report, report


def test_s3_uninstall_ours_leaves_the_sdk_whole() -> None:
    env = fresh("s3")
    env.install_sdk()
    env.install_ours()
    assert_native(env.inspect(), env)
    site = env.site_packages()
    env.pip("uninstall", "-y", OURS)
    found = env.inspect()
    assert found["ours"] is None and found["agent"] == "signalwire.core.agent_base", found
    assert_pure(found, env)
    env.dropin_suite("pure")  # the SDK validates, in pure Python, signed and forged alike
    left = [str(p) for p in site.rglob("*") if "signalwire_security_native" in p.name]
    assert left == []
    assert not (env.root / "bin" / "signalwire-webhook").exists()


def test_s4_sdk_force_reinstalled_stays_native() -> None:
    env = fresh("s4")
    env.install_sdk()
    env.install_ours()
    # What an install that copied its files over the SDK's leaves once it is uninstalled
    # (our 0.1.0 did): the hook still serves ours, and doctor says how to repair the SDK.
    (env.site_packages() / "signalwire" / "core" / "security" / "webhook_validator.py").unlink()
    status, report = env.doctor()
    assert status == 0, report
    assert "1 missing (signalwire/core/security/webhook_validator.py)" in report, report
    assert "pip install --force-reinstall --no-deps signalwire-sdk==3.7.5" in report
    env.pip(
        "install",
        "--no-index",
        "--find-links",
        WHEELHOUSE,
        "--force-reinstall",
        "--no-deps",
        "signalwire-sdk==3.7.5",
    )
    found = env.inspect()
    assert_native(found, env)
    assert "WebhookSignatureMiddleware" in found["all"]  # type: ignore[operator]
    env.dropin_suite("native")
    status, report = env.doctor()
    assert status == 0, report
    assert "security files: all present" in report, report


def test_s5_ours_alone() -> None:
    env = fresh("s5")
    env.install_ours()
    found = env.inspect()
    assert found["sdk"] is None
    assert_native(found, env)
    # Every name works, natively: a signed request validates, a forged one does not.
    check = (
        "import hmac, signalwire.core.security as s;"
        "sig = hmac.new(b'k', b'https://h/x{}', 'sha1').hexdigest();"
        "assert s.validate_webhook_signature('k', sig, 'https://h/x', '{}');"
        "assert not s.validate_webhook_signature('k', sig, 'https://h/y', '{}');"
        "assert s.validate_webhook_signature.__module__.endswith('._native');"
        "print(len(s.__all__))"
    )
    assert int(env.run(env.python, "-c", check)) == len(found["all"])  # type: ignore[arg-type]
    status, report = env.doctor()
    assert status == 0 and "signalwire-sdk: not installed" in report, report
    # No FastAPI here: the dependency's ImportError names the extra that brings it.
    missing = (
        "from signalwire.core.security import make_webhook_validation_dependency as m\n"
        "try:\n    m('k')\nexcept ImportError as e:\n    print(type(e).__name__, e)\n"
    )
    said = env.run(env.python, "-c", missing)
    assert said.startswith("ImportError ") and '"signalwire-security-native[fastapi]"' in said


def test_s6_older_sdk() -> None:
    """SDK 3.5.1 over 3.7.5's dependencies: its security modules are the ones ours were
    verified against (README "Drop-in"), so ours is served and the SDK's agent imports."""
    env = fresh("s6")
    env.install_sdk()
    env.pip(
        "install", "--no-index", "--find-links", WHEELHOUSE, "--no-deps", "signalwire-sdk==3.5.1"
    )
    env.install_ours()
    found = env.inspect()
    assert found["sdk"] == "3.5.1" and found["agent"], found
    assert_native(found, env)
    status, report = env.doctor()
    assert status == 0 and "verdict: native validation is active" in report, report
    # A changed security module (what a future SDK may ship): the hook stands down.
    validator = env.site_packages() / "signalwire" / "core" / "security" / "webhook_validator.py"
    validator.write_text(validator.read_text() + "\n\ndef added_later() -> None:\n    pass\n")
    assert_pure(env.inspect(), env)
    status, report = env.doctor()
    assert status == 1 and "the import hook stood down" in report, report
    assert_native(env.inspect({SWITCH: "force"}), env)


def test_escape_hatch_turns_native_off_without_uninstalling() -> None:
    env = fresh("hatch")
    env.install_sdk()
    env.install_ours()
    for value in ("0", "off", "false", "NO"):
        assert_pure(env.inspect({SWITCH: value}), env)
    assert_native(env.inspect({SWITCH: "1"}), env)  # anything else leaves it on
    env.dropin_suite("pure", {SWITCH: "0"})
    status, report = env.doctor({SWITCH: "0"})
    assert status == 1, report
    assert "verdict: the SDK validates in pure Python" in report
    assert f"{SWITCH} turns the hook off" in report
    # The CLI is ours either way: it signs and verifies with the hatch set.
    signed = env.run(
        env.root / "bin" / "signalwire-webhook",
        "sign",
        "https://h/x",
        env={SWITCH: "0", "SIGNALWIRE_SIGNING_KEY": "k"},
    )
    assert len(signed.strip()) == 40


@pytest.mark.parametrize("flag", ["-S", "-I"])
def test_without_site_processing(flag: str) -> None:
    """``-S`` skips every ``.pth`` file (and, in a venv, site-packages itself): nothing of
    ours runs, so nothing can break. ``-I`` keeps site-packages and the hook."""
    env = Env(VENVS / "s1")
    if not env.python.exists():
        pytest.skip("needs test_s1's venv")
    code = "import sys; print(any('SecurityFinder' in repr(f) for f in sys.meta_path))"
    assert env.run(env.python, flag, "-c", code).strip() == ("False" if flag == "-S" else "True")
