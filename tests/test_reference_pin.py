"""The oracle is the pinned wheel's code, checked on every load (tests/reference.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import reference


def _copy_cache(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    reference.verified_source("webhook_validator")  # fetched and intact
    copy = tmp / "signalwire-sdk-3.7.5"
    shutil.copytree(reference.CACHE, copy)
    monkeypatch.setattr(reference, "CACHE", copy)
    monkeypatch.setattr(reference, "PACKAGE_DIR", copy / "tree/signalwire/core/security")
    for name in [n for n in sys.modules if n.startswith("_signalwire_reference_")]:
        monkeypatch.delitem(sys.modules, name)
    return copy


def test_an_intact_copy_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy_cache(tmp_path, monkeypatch)
    loaded = reference.load("webhook_validator")
    assert loaded.__file__ is not None and loaded.__file__.startswith(str(tmp_path))
    assert callable(loaded.validate_webhook_signature)


def test_an_edited_module_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_cache(tmp_path, monkeypatch)
    module = copy / "tree/signalwire/core/security/webhook_validator.py"
    source = module.read_bytes()
    # One decision changed, the length kept: what a stale or edited tree would be.
    assert b"return False" in source
    module.write_bytes(source.replace(b"return False", b"return True ", 1))
    with pytest.raises(reference.TamperedReference, match="not the file the pinned wheel"):
        reference.load("webhook_validator")
    assert "_signalwire_reference_webhook_validator" not in sys.modules


def test_a_replaced_wheel_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_cache(tmp_path, monkeypatch)
    (wheel,) = (copy / "wheel").glob("*.whl")
    data = bytearray(wheel.read_bytes())
    data[-1] ^= 1
    wheel.write_bytes(bytes(data))
    with pytest.raises(reference.TamperedReference, match="pinned sha256"):
        reference.load("webhook_validator")
