"""Loads modules of the pinned reference wheel (signalwire-sdk 3.7.5) by file path.

The wheel is downloaded once with pip (hash-checked) into ``.cache/`` at the repository
root and its modules are loaded under private names, so they never shadow our package.
Every load checks again: the wheel against the hash pinned in reference-requirements.txt,
the module's file against the wheel's RECORD, and runs the very bytes it checked.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "signalwire-sdk-3.7.5"
REQUIREMENTS = Path(__file__).resolve().parent / "reference-requirements.txt"
PACKAGE_DIR = CACHE / "tree" / "signalwire" / "core" / "security"


def _fetch() -> None:
    wheels = CACHE / "wheel"
    if not list(wheels.glob("signalwire_sdk-3.7.5-*.whl")):
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--require-hashes",
                "-r",
                str(REQUIREMENTS),
                "-d",
                str(wheels),
            ],
            check=True,
        )
    (wheel,) = wheels.glob("signalwire_sdk-3.7.5-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith("signalwire/core/security/")]
        archive.extractall(CACHE / "tree", members)


class TamperedReference(AssertionError):
    """The cached reference is not the pinned wheel's (delete ``.cache/signalwire-sdk-3.7.5``)."""


def _pinned_hash() -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith("signalwire-sdk==3.7.5 "):
            return line.split("--hash=sha256:", 1)[1].strip()
    raise AssertionError(f"no pinned hash in {REQUIREMENTS}")


def verified_source(module: str) -> tuple[Path, bytes]:
    """The module's path and bytes, after checking the wheel's sha256 against the pin and
    the file's against the wheel's RECORD (the hashes pip itself checks)."""
    path = PACKAGE_DIR / f"{module}.py"
    wheels = list((CACHE / "wheel").glob("signalwire_sdk-3.7.5-*.whl"))
    if not path.exists() or not wheels:
        _fetch()
        wheels = list((CACHE / "wheel").glob("signalwire_sdk-3.7.5-*.whl"))
    (wheel,) = wheels
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != _pinned_hash():
        raise TamperedReference(f"{wheel.name} does not have the pinned sha256")
    member = f"signalwire/core/security/{module}.py"
    with zipfile.ZipFile(wheel) as archive:
        (record,) = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
        rows = dict(line.split(",", 1) for line in archive.read(record).decode().splitlines())
    algorithm, _, want = rows[member].split(",")[0].partition("=")
    data = path.read_bytes()
    got = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=").decode()
    if algorithm != "sha256" or got != want:
        raise TamperedReference(f"{path} is not the file the pinned wheel holds")
    return path, data


def load(module: str) -> ModuleType:
    """The reference's ``signalwire/core/security/<module>.py`` as a private module,
    verified by hash on every call (``verified_source``)."""
    name = f"_signalwire_reference_{module}"
    path, data = verified_source(module)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        exec(compile(data, str(path), "exec"), loaded.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded


def load_middleware() -> ModuleType:
    """The reference's ``webhook_middleware``, calling the reference's own validators.

    It imports its validators by absolute name, which in this environment is our package;
    rebinding them makes ``validate`` the reference end to end. Needs FastAPI.
    """
    middleware = load("webhook_middleware")
    validator = load("webhook_validator")
    for name in ("validate_webhook_signature", "validate_webhook_signature_sha256"):
        setattr(middleware, name, getattr(validator, name))
    return middleware
