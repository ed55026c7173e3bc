"""The canonical vectors (data in vectors/canonical.json) through our package and the reference."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest

import signalwire.core.security as ours

VECTORS = json.loads((Path(__file__).parent / "vectors" / "canonical.json").read_text())


def implementations(ref: ModuleType) -> list[Any]:
    return [ours, ref]


@pytest.mark.parametrize("vector", VECTORS["scheme_a"])
def test_scheme_a(vector: dict[str, str], ref_validator: ModuleType) -> None:
    for impl in implementations(ref_validator):
        args = (vector["key"], vector["signature"], vector["url"], vector["body"])
        assert impl.validate_webhook_signature(*args) is True
        assert impl.validate_request(*args) is True
        tampered = (vector["key"], vector["signature"], vector["url"], vector["body"] + " ")
        assert impl.validate_webhook_signature(*tampered) is False


@pytest.mark.parametrize("vector", VECTORS["scheme_b"])
def test_scheme_b_in_every_params_shape(vector: dict[str, Any], ref_validator: ModuleType) -> None:
    pairs = [tuple(p) for p in vector["params"]]
    shapes: list[Any] = [dict(pairs), pairs, tuple(pairs), urlencode(pairs)]
    for impl in implementations(ref_validator):
        for shape in shapes:
            assert impl.validate_request(vector["key"], vector["signature"], vector["url"], shape)
        assert impl.validate_webhook_signature(
            vector["key"], vector["signature"], vector["url"], urlencode(pairs)
        )
        wrong = dict(pairs, Digits="9999")
        assert not impl.validate_request(vector["key"], vector["signature"], vector["url"], wrong)


@pytest.mark.parametrize("vector", VECTORS["body_sha256"])
def test_body_sha256(vector: dict[str, str], ref_validator: ModuleType) -> None:
    for impl in implementations(ref_validator):
        assert impl.validate_webhook_signature(
            vector["key"], vector["signature"], vector["url"], vector["body"]
        )
        assert not impl.validate_webhook_signature(
            vector["key"], vector["signature"], vector["url"], vector["other_body"]
        )
