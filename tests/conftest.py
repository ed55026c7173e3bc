from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import leaks
import reference
import seeds

try:
    from hypothesis import core as hypothesis_core
except ImportError:  # the drop-in scenarios' venvs (tests/install) have no Hypothesis
    hypothesis_core = None  # type: ignore[assignment]

# `make dropin`: the install scenarios (install/), which run dropin/ in each of their venvs.
collect_ignore = ["dropin", "install"]


def pytest_report_header() -> str:
    return seeds.describe()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis explores from the run's seed too, unless --hypothesis-seed says otherwise.
    if hypothesis_core is not None and hypothesis_core.global_force_seed is None:
        hypothesis_core.global_force_seed = seeds.SEED  # type: ignore[assignment]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        report.sections.append(("seed", seeds.describe()))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(seeds.describe())


@pytest.fixture(scope="session")
def ref_validator() -> ModuleType:
    return reference.load("webhook_validator")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info is not None:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def no_secret_in_logs() -> Iterator[list[logging.LogRecord]]:
    """Every log record of every test, at DEBUG and up: none may carry a signing key or a
    correct signature (``leaks.SECRETS``, filled as the tests sign)."""
    collect = _Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    try:
        yield collect.records
    finally:
        root.removeHandler(collect)
        root.setLevel(old_level)
    for record in collect.records:
        text = _text(record)
        assert not leaks.found_in(text), (
            f"log record {record.name}:{record.levelname} carries a secret"
        )
