"""``signalwire-webhook doctor``: whether ``signalwire.core.security`` validates natively in
this interpreter, said in plain words.

Exit status 0 when our package is what ``import signalwire.core.security`` gives (or no SDK
is installed, so nothing validates in pure Python); 1 when the SDK's pure-Python modules
are the ones its code calls.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import import_module, metadata
from types import ModuleType

from signalwire_security_native import _hook

from . import _native

DISTRIBUTION = "signalwire-security-native"
SDK = "signalwire-sdk"
TARGET = _hook.TARGET
SWITCH = _hook.SWITCH
# What the SDK's own code imports from signalwire.core.security, and so must be ours.
SDK_CALLS = (
    ("webhook_validator", "validate_webhook_signature"),
    ("webhook_validator", "validate_webhook_signature_sha256"),
    ("webhook_validator", "validate_request"),
    ("webhook_middleware", "validate"),
    ("webhook_middleware", "_public_url"),
    ("webhook_middleware", "make_webhook_validation_dependency"),
)
OUR_FOLDER = os.path.dirname(os.path.abspath(__file__))


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _hook_installed() -> bool:
    return _hook.SecurityFinder in sys.meta_path


def _is_ours(module: ModuleType) -> bool:
    return os.path.dirname(os.path.abspath(str(getattr(module, "__file__", "")))) == OUR_FOLDER


def _sdk_files_missing() -> list[str]:
    """The SDK's own ``signalwire/core/security`` files (by its RECORD) not on disk as it
    installed them: what an install that copied files over the SDK's leaves behind."""
    missing = []
    for entry in metadata.files(SDK) or ():
        relative = entry.as_posix()
        if relative.startswith("signalwire/core/security/") and relative.endswith(".py"):
            path = entry.locate()
            if not os.path.isfile(str(path)):
                missing.append(relative)
    return missing


def _dialect() -> str:
    flags = _native._url_dialect()
    on = [name for name, value in flags.items() if value]
    off = [name for name, value in flags.items() if not value]
    return f"rules on: {', '.join(on) or 'none'}; off: {', '.join(off) or 'none'}"


def report() -> tuple[list[str], int]:
    """The report's lines and the exit status."""
    switch = os.environ.get(SWITCH)
    sdk = _version(SDK)
    lines = [
        f"{DISTRIBUTION} {_version(DISTRIBUTION) or '(not installed: running from source)'}",
        f"interpreter: {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"URL rules probed from this interpreter's urllib.parse: {_dialect()}",
        f"{SDK}: {sdk if sdk else 'not installed'}",
        "import hook: "
        + ("installed" if _hook_installed() else "NOT installed in this interpreter")
        + " (signalwire_security_native_hook.pth)",
        f"escape hatch {SWITCH}: " + (repr(switch) if switch is not None else "not set"),
        "verified SDK security modules: " + "; ".join(_hook.VERIFIED),
    ]
    if sdk is not None:
        missing = _sdk_files_missing()
        lines.append(
            f"{SDK}'s own signalwire/core/security files: "
            + (
                "all present"
                if not missing
                else f"{len(missing)} missing ({', '.join(missing)}): reinstall them with "
                f"pip install --force-reinstall --no-deps {SDK}=={sdk}"
            )
        )
    try:
        package = import_module(TARGET)
    except ImportError as error:
        lines.append(f"import {TARGET}: fails ({error})")
        if sdk is None and _hook.disabled():
            lines.append(f"verdict: {SWITCH} turns the hook off and no SDK is installed")
            return lines, 0
        if sdk is None:
            lines.append(
                "verdict: the import hook is not installed (an editable install or python -S?): "
                "install the wheel"
            )
            return lines, 1
        lines.append("verdict: the SDK cannot import its security package")
        return lines, 1
    where = os.path.dirname(os.path.abspath(str(package.__file__)))
    lines.append(f"import {TARGET}: {'ours' if _is_ours(package) else 'the SDK'} ({where})")
    pure = []
    for module_name, name in SDK_CALLS:
        module = import_module(f"{TARGET}.{module_name}")
        function = getattr(module, name, None)
        home = sys.modules.get(getattr(function, "__module__", "") or "")
        native = getattr(function, "__module__", None) == _native.__name__ or (
            home is not None and _is_ours(home)
        )
        if not native:
            pure.append(f"{module_name}.{name}")
    if pure:
        lines.append("functions the SDK calls that are NOT ours: " + ", ".join(pure))
    else:
        lines.append(f"functions the SDK calls: all {len(SDK_CALLS)} are ours (native)")
    if not pure:
        lines.append("verdict: native validation is active")
        return lines, 0
    if sdk is None and _hook.stood_down is None:
        lines.append("verdict: no SDK is installed; nothing validates in pure Python")
        return lines, 0
    if _hook.disabled():
        reason = f"{SWITCH} turns the hook off"
    elif _hook.stood_down is not None:
        reason = (
            f"the import hook stood down: {_hook.stood_down}. To serve ours over this SDK "
            f"anyway, set {SWITCH}={_hook.FORCE} (run your SDK's own tests with it first)"
        )
    else:
        reason = (
            "the import hook did not run (python -S, an editable install, or a copy over "
            "the SDK's files)"
        )
    lines.append(f"verdict: the SDK validates in pure Python: {reason}")
    return lines, 1


def main() -> int:
    """Print the report; returns the exit status."""
    lines, status = report()
    print("\n".join(lines))
    return status
