from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference


@pytest.fixture(scope="session")
def ref_validator() -> ModuleType:
    return reference.load("webhook_validator")
