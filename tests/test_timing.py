"""Constant-time comparison, measured: a dudect-style test (Reparaz, Balasch, Verbauwhede,
"Dude, is my code constant time?", 2017) in the test run.

Two classes of calls that must cost the same are timed one call at a time, in a random
interleaved order (so a noisy neighbour slows both alike), many times; Welch's t
statistic compares the two distributions, over all samples and over the samples below
several percentiles (cropping the noise's long tail, as dudect does). A comparison that
leaks, an early exit at the first differing byte, gives |t| in the thousands here (the
control below); the validators must stay under a generous ``THRESHOLD``.

Each class draws from many distinct string objects (several copies of each text, the two
classes allocated in turn), so that where a string happens to live in memory averages out
instead of becoming a difference between the classes: with one object per class, two
texts that differ in one character measured |t| up to 10 on 200,000 samples.
``benches/timing.py`` measures the same thing at length, by hand.

The classes: the SHA-256 check with a valid signature and with an invalid one of the same
length (both are one HMAC and one comparison), and with invalid signatures that differ
from the valid one in the first character and in the last; the same for Scheme A's SHA-1
(whose invalid signatures also try Scheme B, alike for both classes).
"""

from __future__ import annotations

import gc
import hmac
import math
import os
import statistics
import time
from collections.abc import Callable
from functools import partial

import pytest

import seeds
from signalwire.core.security import (
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

SAMPLES = int(os.environ.get("SW_TIMING_SAMPLES", "200000"))
# dudect calls 10 "definitely not constant time"; on this 2-core machine under the CI's load
# the valid-vs-invalid case measured |t| 12 to 15 in some runs (a few ns over 200,000 calls,
# not from the comparison: invalid signatures differing first vs last stay under 8), while an
# early-exit comparison measures 5,500 to 6,700. 25 keeps that control 200 times over it.
THRESHOLD = 25.0
CROPS = (0.5, 0.75, 0.9, 0.99, 1.0)
KEY = "PSKtiming-0123456789abcdef"
URL = "https://example.ngrok.io/webhook"
BODY = '{"event":"calling.call.state","params":{"call_state":"answered"}}'
HEX = "0123456789abcdef"


def _valid(digest: str) -> str:
    return hmac.new(KEY.encode(), (URL + BODY).encode(), digest).hexdigest()


def _differing_at(valid: str, at: int) -> list[str]:
    """Every hex signature that differs from ``valid`` only at ``at``."""
    return [valid[:at] + c + valid[at + 1 :] for c in HEX if c != valid[at]]


def _pools(texts: tuple[list[str], list[str]], size: int = 60) -> tuple[list[str], list[str]]:
    """``size`` distinct str objects per class, cycling through its texts, allocated in
    turn (one of each class, then the next), so both classes live in the same places."""
    pools: tuple[list[str], list[str]] = ([], [])
    for i in range(size):
        for k in (0, 1):
            pools[k].append("".join(list(texts[k][i % len(texts[k])])))
    return pools


def welch_t(a: list[int], b: list[int]) -> float:
    va, vb = statistics.variance(a), statistics.variance(b)
    return (statistics.fmean(a) - statistics.fmean(b)) / math.sqrt(va / len(a) + vb / len(b))


def max_t(call: Callable[[str], object], texts: tuple[list[str], list[str]]) -> float:
    """The largest |t| over the crops, for ``SAMPLES`` calls in a random order."""
    rng = seeds.rng(f"timing-{texts[0][0]}-{texts[1][0]}")
    classes = _pools(texts)
    for _ in range(5_000):  # warm caches and branch predictors alike for both
        call(rng.choice(classes[0]))
        call(rng.choice(classes[1]))
    order = [(k := rng.getrandbits(1), rng.choice(classes[k])) for _ in range(SAMPLES)]
    times: tuple[list[int], list[int]] = ([], [])
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for k, argument in order:
            start = clock()
            call(argument)
            times[k].append(clock() - start)
    finally:
        gc.enable()
    everything = sorted(times[0] + times[1])
    worst = 0.0
    for crop in CROPS:
        cut = everything[min(len(everything) - 1, int(crop * len(everything)))]
        a = [t for t in times[0] if t <= cut]
        b = [t for t in times[1] if t <= cut]
        if len(a) > 100 and len(b) > 100:
            worst = max(worst, abs(welch_t(a, b)))
    return worst


def _leaky_equal(expected: str, signature: str) -> bool:
    """What a comparison must not be: it returns at the first differing character."""
    for x, y in zip(expected, signature, strict=True):  # noqa: SIM110 (the loop is the point)
        if x != y:
            return False
    return True


SHA256 = _valid("sha256")
SHA1 = _valid("sha1")
sha256_check = partial(validate_webhook_signature_sha256, KEY, url=URL, raw_body=BODY)
sha1_check = partial(validate_webhook_signature, KEY, url=URL, raw_body=BODY)

CASES = {
    "SHA-256: valid vs invalid, same length": (
        sha256_check,
        ([SHA256], _differing_at(SHA256, 63)),
    ),
    "SHA-256: invalid in the first character vs the last": (
        sha256_check,
        (_differing_at(SHA256, 0), _differing_at(SHA256, 63)),
    ),
    "SHA-1: invalid in the first character vs the last": (
        sha1_check,
        (_differing_at(SHA1, 0), _differing_at(SHA1, 39)),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_comparison_takes_the_same_time(
    case: tuple[Callable[..., object], tuple[list[str], list[str]]],
) -> None:
    """Under ``THRESHOLD``; a measurement over it is repeated once, on fresh objects, and
    fails only if it is over again (a leak shows every time, a burst of noise does not)."""
    check, texts = case
    assert {check(signature=s) for s in texts[1]} == {False}
    measured = []
    for _ in range(2):
        measured.append(max_t(lambda signature: check(signature=signature), texts))
        if measured[-1] < THRESHOLD:
            break
    print(f"\n|t| = {', '.join(f'{t:.1f}' for t in measured)} over {SAMPLES} samples")
    assert min(measured) < THRESHOLD, f"|t| = {measured}: the classes take different times"


def test_the_measurement_sees_an_early_exit() -> None:
    """The control: an early-exit comparison, first character vs last, is found."""
    t = max_t(partial(_leaky_equal, SHA256), (_differing_at(SHA256, 0), _differing_at(SHA256, 63)))
    assert t > 10 * THRESHOLD, f"|t| = {t:.1f}: the measurement has lost its power"
