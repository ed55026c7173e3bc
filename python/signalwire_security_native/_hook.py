"""The import hook that makes ``signalwire.core.security`` ours.

A meta-path finder, first on ``sys.meta_path``, answers for ``signalwire.core.security``
itself: the package is loaded from our ``security/`` folder, and its ``__path__`` lists
that folder first and then the SDK's own ``signalwire/core/security`` folders, so our
modules win and a module we do not ship (the SDK's ``session_manager``) still imports from
the SDK. A second finder, last on ``sys.meta_path``, provides empty ``signalwire`` and
``signalwire.core`` packages only when nothing else on the path does (no SDK installed).

``SIGNALWIRE_SECURITY_NATIVE`` set to ``0``, ``false``, ``no`` or ``off`` turns both off:
the SDK's pure-Python modules are used as if we were not installed. It is read when
``signalwire.core.security`` is first imported.

Activation is safe across SDK releases: the SDK's own ``signalwire/core/security`` modules
are digested (``sdk_digests``) and ours are served only where every one present matches a
set this release was verified against (``VERIFIED``), or where no SDK provides the
package. Over any other SDK (an older one with other rules, a newer one that may expect
names we lack) the finder stands down and the SDK's own modules load;
``signalwire-webhook doctor`` says why. ``SIGNALWIRE_SECURITY_NATIVE=force`` serves ours
over any SDK. A path entry that is not a directory (a zipapp, an egg) also makes the
finder stand down, never fail the import.

At every interpreter start-up ``signalwire_security_native_hook.pth`` (an import line, up to
CPython 3.14) or ``signalwire_security_native_hook.start`` (a PEP 829 entry point, from 3.15
on, which also turns the ``.pth`` line off) calls ``install()``; so this module imports
nothing that start-up has not imported already.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported at start-up: it would cost milliseconds
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType
    from typing import Any

TARGET = "signalwire.core.security"
PARENTS = ("signalwire", "signalwire.core")
SWITCH = "SIGNALWIRE_SECURITY_NATIVE"
OURS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "security")
# Our copy under its own name, for the CLI when the SDK's modules are active.
PRIVATE = __package__ + ".security"
FORCE = "force"
# SHA-256 of each of the SDK's signalwire/core/security/*.py files, for the releases our
# modules were verified against (the differential tests run against 3.7.5; 3.5.0 to 3.7.5
# ship the same files). Ours is served when every SDK file present matches one set (a file
# missing is one our package replaces, as a copy-over install leaves it); 3.4.x (other URL
# rules) and 3.0.x (no validators) match none.
VERIFIED = {
    "signalwire-sdk 3.5.0 to 3.7.5": {
        "__init__.py": "dd184abe7ea62370db9d0f3b5d6771c1a90d3463bc042a35471765686704f89f",
        "security_utils.py": "2404c209e3144b1f17b62721ddba10a737164dfc9582be4da19a627c052f96a3",
        "session_manager.py": "7518d02607abb7bf5e7e91f64b0c9ee0deb3fb8e0ef7fa2839c79472ace6cd50",
        "webhook_middleware.py": "b147e8cb9d1d50c22a1eb6f3757dc69cc6d6d8a881edc159a62155f72805d7ff",
        "webhook_validator.py": "f2d20f9b9240f286d7879783f4a5720e1ce0eaf182a726c6f614a0c0dcdf78b7",
    },
}
# Why the finder stood down, once it did (doctor reports it).
stood_down: str | None = None


def disabled() -> bool:
    """Whether the escape hatch is set."""
    return os.environ.get(SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


def forced() -> bool:
    """Whether ours is asked for over any SDK (``SIGNALWIRE_SECURITY_NATIVE=force``)."""
    return os.environ.get(SWITCH, "").strip().lower() == FORCE


def sdk_digests(folder: str) -> dict[str, str]:
    """SHA-256 of each ``*.py`` file directly in an SDK ``security`` folder, by name."""
    from hashlib import sha256  # noqa: PLC0415 - not at start-up

    found = {}
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".py")):
        with open(os.path.join(folder, name), "rb") as source:
            found[name] = sha256(source.read()).hexdigest()
    return found


def refusal(parent_path: Sequence[str] | None) -> str | None:
    """Why ours must not be served under ``signalwire.core``'s path (None: it may be)."""
    if not os.path.isdir(OURS):
        return f"our package is not in a directory ({OURS}): a zipapp or an egg"
    entries = list(parent_path or ())
    for entry in entries:
        if not os.path.isdir(entry):
            return f"signalwire.core is on a path entry that is not a directory ({entry})"
    if forced():
        return None
    for folder in sdk_folders(entries):
        try:
            found = sdk_digests(folder)
        except OSError as error:
            return f"the SDK's {folder} cannot be read ({type(error).__name__})"
        differing = min(
            ([n for n, d in found.items() if files.get(n) != d] for files in VERIFIED.values()),
            key=len,
        )
        if differing:
            return (
                f"the SDK's security modules in {folder} are not ones this release was "
                f"verified against ({'; '.join(VERIFIED)}): {', '.join(differing)} differ"
            )
    return None


def sdk_folders(parent_path: Sequence[str] | None) -> list[str]:
    """The ``security`` folders below ``signalwire.core``'s path entries (the SDK's)."""
    found = []
    for entry in parent_path or ():
        folder = os.path.join(entry, "security")
        if os.path.normcase(os.path.abspath(folder)) != os.path.normcase(OURS) and (
            os.path.isdir(folder)
        ):
            found.append(folder)
    return found


class SecurityFinder:
    """Serves ``signalwire.core.security`` from our folder (first on ``sys.meta_path``)."""

    @classmethod
    def find_spec(
        cls, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> Any:
        global stood_down  # noqa: PLW0603 - one verdict per interpreter, for doctor
        if fullname != TARGET or disabled():
            return None
        reason = refusal(path)
        if reason is not None:
            stood_down = reason
            return None
        stood_down = None
        from importlib.util import spec_from_file_location  # noqa: PLC0415 - not at start-up

        return spec_from_file_location(
            TARGET,
            os.path.join(OURS, "__init__.py"),
            submodule_search_locations=[OURS, *sdk_folders(path)],
        )


class ParentFinder:
    """Empty ``signalwire`` and ``signalwire.core`` packages when no distribution provides
    them (last on ``sys.meta_path``: any real one is found first)."""

    @classmethod
    def find_spec(
        cls, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> Any:
        if fullname not in PARENTS or disabled():
            return None
        from importlib.machinery import ModuleSpec  # noqa: PLC0415 - not at start-up

        return ModuleSpec(fullname, None, is_package=True)  # a namespace package, no files


def install() -> None:
    """Put the finders on ``sys.meta_path`` (once): ``signalwire_security_native_hook.pth`` calls
    this at start-up."""
    if SecurityFinder not in sys.meta_path:
        sys.meta_path.insert(0, SecurityFinder)
    if ParentFinder not in sys.meta_path:
        sys.meta_path.append(ParentFinder)


def active() -> bool:
    """Whether ``import signalwire.core.security`` gives (or gave) our package."""
    module = sys.modules.get(TARGET)
    if module is not None:
        return os.path.dirname(os.path.abspath(str(getattr(module, "__file__", "")))) == OURS
    if SecurityFinder not in sys.meta_path or disabled():
        return False
    # Where `signalwire.core` would come from, without importing the SDK.
    core = [os.path.join(entry, "signalwire", "core") for entry in sys.path if entry]
    return refusal([c for c in core if os.path.isdir(c)]) is None


def ours(submodule: str) -> ModuleType:
    """One of our modules: under ``signalwire.core.security`` when the hook serves it,
    else under our private name (the escape hatch is set, or the hook is not installed)."""
    from importlib import import_module  # noqa: PLC0415 - not at start-up

    package = TARGET if active() else PRIVATE
    return import_module(f"{package}.{submodule}")
