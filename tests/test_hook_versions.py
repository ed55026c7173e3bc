"""The hook serves ours only over SDK security modules it was verified against.

Each test starts a fresh interpreter (the installed wheel's ``.pth`` hook active) with a
stand-in SDK on ``PYTHONPATH``: the reference wheel's own ``signalwire/core/security``
files (3.7.5, verified), then the same with one module changed (a "next" SDK), then inside
a zip archive (a zipapp or an egg). The finder must serve ours, stand down to the SDK's
modules with ``doctor`` saying why, or decline with nothing worse than an ``ImportError``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import reference

SWITCH = "SIGNALWIRE_SECURITY_NATIVE"
# Where the package would load from (its spec; executing the SDK's would need FastAPI).
PROBE = """
import json
from importlib.util import find_spec
try:
    spec = find_spec("signalwire.core.security")
except ImportError as error:
    print(json.dumps({"error": type(error).__name__}))
else:
    print(json.dumps({"file": spec.origin if spec else None}))
"""


def fake_sdk(root: Path, *, changed: bool = False) -> Path:
    """A stand-in SDK: empty ``signalwire`` and ``signalwire.core``, the reference's
    security modules (one of them changed, for a "next" release)."""
    reference.load("webhook_validator")  # fetches the reference wheel once
    security = root / "signalwire" / "core" / "security"
    shutil.copytree(reference.PACKAGE_DIR, security, ignore=shutil.ignore_patterns("*.pyc"))
    (root / "signalwire" / "__init__.py").write_text("")
    (root / "signalwire" / "core" / "__init__.py").write_text("")
    if changed:
        with (security / "webhook_validator.py").open("a") as module:
            module.write("\n\ndef validate_next_generation() -> bool:\n    return False\n")
    return root


def run(pythonpath: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    merged = {k: v for k, v in os.environ.items() if k != SWITCH}
    merged.update(env, PYTHONPATH=str(pythonpath))
    return subprocess.run(
        [sys.executable, *args], text=True, capture_output=True, env=merged, check=False
    )


def served(pythonpath: Path, **env: str) -> dict[str, str]:
    done = run(pythonpath, "-c", PROBE, **env)
    assert done.returncode == 0, done.stderr
    result: dict[str, str] = json.loads(done.stdout)
    return result


def is_ours(file: str) -> bool:
    return Path(file).parent.parent.name == "signalwire_security_native"


def test_ours_is_served_over_a_verified_sdk(tmp_path: Path) -> None:
    assert is_ours(served(fake_sdk(tmp_path))["file"])


def test_a_changed_sdk_gets_its_own_modules_and_doctor_says_why(tmp_path: Path) -> None:
    sdk = fake_sdk(tmp_path, changed=True)
    where = served(sdk)["file"]
    assert Path(where).is_relative_to(sdk), where
    doctor = run(sdk, "-m", "signalwire_security_native", "doctor")
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "stood down" in doctor.stdout and "not ones this release was verified" in doctor.stdout
    assert f"{SWITCH}=force" in doctor.stdout
    # The SDK's own validators are what its code calls.
    done = run(
        sdk,
        "-c",
        "from signalwire.core.security import webhook_validator as w; "
        "print(hasattr(w, 'validate_next_generation'))",
    )
    assert done.stdout.strip() == "True", done.stderr


def test_force_serves_ours_over_any_sdk(tmp_path: Path) -> None:
    sdk = fake_sdk(tmp_path, changed=True)
    assert is_ours(served(sdk, **{SWITCH: "force"})["file"])


@pytest.mark.parametrize("name", ["app.pyz", "sdk.egg"])
def test_a_zipped_sdk_makes_the_finder_decline(tmp_path: Path, name: str) -> None:
    sdk = fake_sdk(tmp_path / "tree")
    archive = tmp_path / name
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(sdk.rglob("*.py")):
            out.write(path, path.relative_to(sdk).as_posix())
    result = served(archive)
    # zipimport loads the SDK's own package: the finder declined, nothing raised.
    assert result.get("file", "").startswith(str(archive)), result


def test_our_package_inside_a_zipapp_declines_with_an_import_error(tmp_path: Path) -> None:
    import signalwire_security_native  # noqa: PLC0415 - the installed copy, to zip up

    package = Path(signalwire_security_native.__file__).parent
    archive = tmp_path / "app.pyz"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(package.rglob("*.py")):
            out.write(path, path.relative_to(package.parent).as_posix())
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); "
        "import signalwire_security_native._hook as hook; hook.install()\n"
        "try:\n    import signalwire.core.security\n"
        "except ImportError as e:\n    print(json.dumps({'error': type(e).__name__}))\n"
        "else:\n    print(json.dumps({'file': 'imported'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(archive)],
        text=True,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"error": "ModuleNotFoundError"}


def test_ours_is_served_where_signalwire_core_has_no_security_folder(tmp_path: Path) -> None:
    """Another distribution's ``signalwire.core`` without a ``security`` folder is no SDK to
    compare with: ours is served."""
    (tmp_path / "signalwire" / "core").mkdir(parents=True)
    (tmp_path / "signalwire" / "__init__.py").write_text("")
    (tmp_path / "signalwire" / "core" / "__init__.py").write_text("")
    assert is_ours(served(tmp_path)["file"])


# active() before the import, then after an import made under SWITCH=argv[1] (the switch
# is gone again when asked: the answer is what the import gave).
ACTIVE = """
import json, os, sys
import signalwire_security_native._hook as hook
before = hook.active()
if sys.argv[1]:
    os.environ["SIGNALWIRE_SECURITY_NATIVE"] = sys.argv[1]
import signalwire.core.security as security
os.environ.pop("SIGNALWIRE_SECURITY_NATIVE", None)
print(json.dumps({"before": before, "after": hook.active(), "file": security.__file__}))
"""


@pytest.mark.parametrize(
    ("changed", "switch", "before", "after"),
    [(False, "", True, True), (False, "0", True, False), (True, "", False, False),
     (True, "force", False, True)],
    ids=["verified", "switched off for the import", "changed SDK", "forced for the import"],
)  # fmt: skip
def test_active_says_what_the_import_gives_or_gave(
    tmp_path: Path, changed: bool, switch: str, before: bool, after: bool
) -> None:
    done = run(fake_sdk(tmp_path, changed=changed), "-c", ACTIVE, switch)
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert (facts["before"], facts["after"]) == (before, after)
    assert is_ours(facts["file"]) is after


# A finder put first on sys.meta_path before the hook installs (an editable install's, from
# a .pth that sorts earlier) that serves the SDK's package.
EDITABLE = """
import importlib.util, json, sys
import signalwire_security_native._hook as hook

class Editable:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "signalwire.core.security":
            return None
        init = sys.argv[1] + "/signalwire/core/security/__init__.py"
        return importlib.util.spec_from_file_location(name, init)

sys.meta_path.remove(hook.SecurityFinder)
sys.meta_path.insert(0, Editable)
hook.install()
print(json.dumps({"file": importlib.util.find_spec("signalwire.core.security").origin}))
"""


def test_the_hook_goes_first_on_the_meta_path(tmp_path: Path) -> None:
    sdk = fake_sdk(tmp_path)
    done = run(sdk, "-c", EDITABLE, str(sdk))
    assert done.returncode == 0, done.stderr
    assert is_ours(json.loads(done.stdout)["file"])


@pytest.mark.parametrize(
    ("value", "off", "force"),
    [
        ("0", True, False), (" OFF ", True, False), ("No\n", True, False), ("false", True, False),
        ("force", False, True), (" FORCE ", False, True), ("Force\n", False, True),
        ("", False, False), ("1", False, False), ("offf", False, False),
    ],
)  # fmt: skip
def test_the_switch_is_read_as_people_write_it(
    monkeypatch: pytest.MonkeyPatch, value: str, off: bool, force: bool
) -> None:
    """The escape hatch and ``force``, whatever their case and surrounding white space
    (an environment file's newline)."""
    import signalwire_security_native._hook as hook  # noqa: PLC0415

    monkeypatch.setenv(SWITCH, value)
    assert (hook.disabled(), hook.forced()) == (off, force)
