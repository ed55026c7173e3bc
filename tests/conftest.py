from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference

# Runs in its own environment (signalwire-sdk plus our wheel): `make dropin`.
collect_ignore = ["dropin"]


@pytest.fixture(scope="session")
def ref_validator() -> ModuleType:
    return reference.load("webhook_validator")
