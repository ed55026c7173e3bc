"""Differential tests: ours against the reference wheel, on the same interpreter.

Volume comes from a seeded generator (``SW_DIFF_CASES`` cases, seed ``SW_DIFF_SEED``);
Hypothesis drives the same generator for shrinking (``SW_HYPOTHESIS_EXAMPLES`` examples).
Any divergence fails with a one-line repro.
"""

from __future__ import annotations

import base64
import hmac
import os
import random
from collections import Counter
from types import ModuleType
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import signalwire.core.security as ours
from cases import FUNCTIONS, make_case, outcome
from seeds import SEED

CASES = int(os.environ.get("SW_DIFF_CASES", "20000"))
EXAMPLES = int(os.environ.get("SW_HYPOTHESIS_EXAMPLES", "1000"))


def check(ref: ModuleType, rng: random.Random, tally: Counter[str] | None = None) -> None:
    case = make_case(rng, ref)
    expected = outcome(case, getattr(ref, case.function))
    got = outcome(case, getattr(ours, case.function))
    assert got == expected, f"diverged: {case.repro()} reference={expected} ours={got}"
    if tally is not None:
        detail = expected[2] if expected[0] == "returned" else expected[1].__name__
        tally[f"{case.intent}:{expected[0]}:{detail}"] += 1


def test_seeded_volume(ref_validator: ModuleType) -> None:
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    for _ in range(CASES):
        check(ref_validator, rng, tally)
    accepted = {k: v for k, v in tally.items() if k.endswith(":returned:True")}
    kinds = {k.split(":")[0] for k in accepted}
    print(
        f"\n{CASES} cases, seed {SEED}: {sum(accepted.values())} accepted by both;",
        ", ".join(f"{k}={v}" for k, v in sorted(tally.items()) if v > CASES // 200),
    )
    # The generator must reach every success branch, not only rejections and errors.
    for kind in ("scheme_a", "sha256", "scheme_b", "scheme_b_variant", "scheme_b_bodysha"):
        assert kind in kinds, f"no accepted case of kind {kind}: generator drifted"
    assert sum(accepted.values()) > CASES // 10
    raised = {k.rsplit(":", 1)[1] for k in tally if ":raised:" in k}
    for error in ("ValueError", "TypeError", "AttributeError", "UnicodeEncodeError"):
        assert error in raised, f"no case raised {error}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.randoms(use_true_random=False))
def test_hypothesis_shrinks(ref_validator: ModuleType, rng: random.Random) -> None:
    check(ref_validator, rng)


def test_every_function_is_generated() -> None:
    assert set(FUNCTIONS) == {
        "validate_webhook_signature",
        "validate_webhook_signature_sha256",
        "validate_request",
    }


def large_forms(rng: random.Random) -> list[str]:
    """Forms long enough to be sorted by range (4 096 records and more): numbered names
    submitted interleaved, Twilio's names each with a number, and a mix of names that
    tie (``a`` and ``%61``, ``a`` and ``a%00``, names sharing 16 bytes, empty names)
    with numbered values in shuffled order, so that only a stable sort keeps them."""
    interleaved = "&".join(f"Field{i}={i}&Status{i}=%2B{i}" for i in range(2_600))
    twilio = "&".join(
        f"{name}{i}={value}"
        for i in range(1_500)
        for name, value in [("AccountSid", "AC7f"), ("Called", "%2B1555"), ("To", "%2B1")]
    )
    pool = ["a", "%61", "a%00", "0123456789abcdefXY", "0123456789abcdef%58Y", "", "%C3%A9"]
    values = list(range(6_000))
    rng.shuffle(values)
    mixed = "&".join(f"n{v}={v}" if v % 5 == 0 else f"{rng.choice(pool)}={v}" for v in values)
    return [interleaved, twilio, mixed, mixed + "&&" + interleaved]


def test_large_forms_agree_with_the_reference(ref_validator: ModuleType) -> None:
    key, url = "PSK_large", "https://example.ngrok.io/webhook?x=1"
    for body in large_forms(random.Random(SEED)):
        params = parse_qsl(body, keep_blank_values=True)
        assert len(params) > 4_096
        # The signing order (stable by name), then one that also orders equal names'
        # values: the reference accepts the first and, where they differ, not the second.
        orders = [sorted(params, key=lambda kv: kv[0]), sorted(params)]
        for order in orders:
            signature = signature_of(key, url, order)
            expected = ref_validator.validate_webhook_signature(key, signature, url, body)
            got = ours.validate_webhook_signature(key, signature, url, body)
            assert got is expected, f"diverged on a {len(body)}-byte form"
        accepted = ref_validator.validate_webhook_signature
        assert accepted(key, signature_of(key, url, orders[0]), url, body) is True
        assert orders[0] == orders[1] or not accepted(
            key, signature_of(key, url, orders[1]), url, body
        )


def signature_of(key: str, url: str, params: list[tuple[str, str]]) -> str:
    message = url + "".join(k + v for k, v in params)
    digest = hmac.new(key.encode(), message.encode(), "sha1").digest()
    return base64.b64encode(digest).decode()
