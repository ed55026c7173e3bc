"""Optional frameworks: an ``ImportError`` that names the extra to install, not a bare
``No module named 'fastapi'``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

DISTRIBUTION = "signalwire-security-native"


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` for ``feature``, or raise an ``ImportError`` that says which extra
    of ours brings it (``pip install "signalwire-security-native[extra]"``).

    Only the absence of ``module`` itself (or of its top-level package) is translated; an
    error inside an installed framework propagates unchanged.
    """
    try:
        return import_module(module)
    except ModuleNotFoundError as error:
        top = module.partition(".")[0]
        if error.name not in {module, top}:
            raise
        raise ImportError(
            f'{feature} needs {top}, which is not installed: pip install "{DISTRIBUTION}[{extra}]"',
            name=module,
        ) from error
