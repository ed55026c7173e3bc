"""Loads modules of the pinned reference wheel (signalwire-sdk 3.7.5) by file path.

The wheel is downloaded once with pip (hash-checked) into ``.cache/`` at the repository
root and its modules are loaded under private names, so they never shadow our package.
"""

from __future__ import annotations

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


def load(module: str) -> ModuleType:
    """The reference's ``signalwire/core/security/<module>.py`` as a private module."""
    name = f"_signalwire_reference_{module}"
    if name in sys.modules:
        return sys.modules[name]
    path = PACKAGE_DIR / f"{module}.py"
    if not path.exists():
        _fetch()
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
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
