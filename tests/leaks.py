"""The secrets the tests have used: every signing key and correct signature the signing
helpers produced. No log record, exception message or repr may contain one of them
(conftest.py checks every log record of every test)."""

from __future__ import annotations

SECRETS: set[str] = set()


def secret(*values: str) -> None:
    """Register values that must never appear in output (shorter than 8: too common)."""
    SECRETS.update(v for v in values if len(v) >= 8)


def found_in(text: str) -> list[str]:
    """The registered secrets that occur in ``text``."""
    return [s for s in SECRETS if s in text]
