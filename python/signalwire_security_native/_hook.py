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


def disabled() -> bool:
    """Whether the escape hatch is set."""
    return os.environ.get(SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


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
        if fullname != TARGET or disabled():
            return None
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
    return SecurityFinder in sys.meta_path and not disabled()


def ours(submodule: str) -> ModuleType:
    """One of our modules: under ``signalwire.core.security`` when the hook serves it,
    else under our private name (the escape hatch is set, or the hook is not installed)."""
    from importlib import import_module  # noqa: PLC0415 - not at start-up

    package = TARGET if active() else PRIVATE
    return import_module(f"{package}.{submodule}")
