"""Loads another build of ours next to the installed one, for benchmarks that compare
two builds in one run (``compare.py --baseline``, ``scaling.py --baseline``)."""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType


def load_baseline(folder: Path) -> ModuleType:
    """Another build's ``_native`` (next to its own ``_compat``) as ``sw_baseline._native``:
    ``folder`` holds an unpacked wheel, 0.2's layout or 0.1's."""
    layouts = [
        folder / "signalwire_security_native" / "security",
        folder / "signalwire" / "core" / "security",
    ]
    source = next((path for path in layouts if (path / "_compat.py").exists()), layouts[0])
    package = Path(tempfile.mkdtemp()) / "sw_baseline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for path in [*source.glob("_native*.so"), source / "_compat.py"]:
        shutil.copy(path, package)
    sys.path.insert(0, str(package.parent))
    return importlib.import_module("sw_baseline._native")
