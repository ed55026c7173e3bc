"""signalwire-security-native's own package: where our ``signalwire.core.security`` is
stored, and the import hook that activates it under that name.

Nothing here is meant to be imported by applications: ``import signalwire.core.security``
is the public name. The wheel installs ``signalwire_security_native_hook.pth``, which imports
``_hook`` at interpreter start-up; the hook serves ``signalwire.core.security`` (and its
submodules) from ``security/`` here, so no file of the SDK is ever overwritten. Setting
``SIGNALWIRE_SECURITY_NATIVE=0`` turns the activation off without uninstalling.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at start-up: it would cost milliseconds
if TYPE_CHECKING:
    from typing import NoReturn


def main() -> NoReturn:
    """The ``signalwire-webhook`` console script: our CLI, whatever the hook decided."""
    from ._hook import ours  # noqa: PLC0415 - keeps this module free to import

    ours("cli").main()
    raise SystemExit(2)  # not reached: the CLI exits
