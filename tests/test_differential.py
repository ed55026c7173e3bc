"""Differential tests: ours against the reference wheel, on the same interpreter.

Volume comes from a seeded generator (``SW_DIFF_CASES`` cases, seed ``SW_DIFF_SEED``);
Hypothesis drives the same generator for shrinking (``SW_HYPOTHESIS_EXAMPLES`` examples).
Any divergence fails with a one-line repro.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from types import ModuleType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import signalwire.core.security as ours
from cases import FUNCTIONS, make_case, outcome

CASES = int(os.environ.get("SW_DIFF_CASES", "20000"))
SEED = int(os.environ.get("SW_DIFF_SEED", "20261122"))
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
