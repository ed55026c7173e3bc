"""Does the time a validation takes depend on where a forged signature goes wrong?

A dudect-style test (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?",
2017): for Scheme A and Scheme B, a signature that differs from the expected one in its
first character and one that differs in its last are validated in random interleaved
order, each call timed alone; Welch's t compares the two classes, on all measurements and
on the ones below several percentiles (which drops interrupts and other one-sided noise).
|t| < 4.5 everywhere: no detectable leak.

Run for ours, for the reference (loaded from the pinned wheel by file path) and, to show
what the method sees when there is a leak, for a control that compares with an early
exit. Not a test: timing is never asserted. ``--calls`` sets measurements per row.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import hmac
import math
import random
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import reference
import signalwire.core.security as ours

KEY = "PSKtiming-0123456789abcdef"
URL = "https://example.ngrok.io/webhook?source=timing"
EVENT = '{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}'
FORM = urlencode([("CallSid", "CA123"), ("Digits", "1234"), ("From", "+15551230000")])
PERCENTILES = (None, 0.50, 0.75, 0.90, 0.99)


def scheme_a() -> str:
    return hmac.new(KEY.encode(), (URL + EVENT).encode(), hashlib.sha1).hexdigest()


def scheme_b() -> str:
    params = sorted([("CallSid", "CA123"), ("Digits", "1234"), ("From", "+15551230000")])
    message = URL + "".join(k + v for k, v in params)
    return base64.b64encode(
        hmac.new(KEY.encode(), message.encode(), hashlib.sha1).digest()
    ).decode()


def changed(signature: str, at: int) -> str:
    old = signature[at]
    return signature[:at] + ("A" if old != "A" else "B") + signature[at + 1 :]


def early_exit_validate(signing_key: str, signature: str, url: str, raw_body: str) -> bool:
    """The control: Scheme A compared character by character, stopping at the first
    difference (what a constant-time compare exists to prevent)."""
    expected = hmac.new(signing_key.encode(), (url + raw_body).encode(), hashlib.sha1).hexdigest()
    if len(expected) != len(signature):
        return False
    return all(a == b for a, b in zip(expected, signature, strict=True))  # stops at a !=


def measure(
    fn: Callable[..., object], args: tuple[tuple[str, ...], ...], classes: bytes
) -> list[array]:  # type: ignore[type-arg]
    timer = time.perf_counter_ns
    samples = [array("q"), array("q")]
    appends = (samples[0].append, samples[1].append)
    gc.disable()
    try:
        for _ in range(1000):  # warm up
            fn(*args[0])
            fn(*args[1])
        for c in classes:
            call = args[c]
            start = timer()
            fn(*call)
            appends[c](timer() - start)
    finally:
        gc.enable()
    return samples


def welch_t(a: array, b: array) -> float:  # type: ignore[type-arg]
    def moments(xs: array) -> tuple[int, float, float]:  # type: ignore[type-arg]
        n = len(xs)
        mean = math.fsum(xs) / n
        var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
        return n, mean, var

    na, ma, va = moments(a)
    nb, mb, vb = moments(b)
    return (ma - mb) / math.sqrt(va / na + vb / nb)


def crop(xs: array, limit: float) -> array:  # type: ignore[type-arg]
    return array("q", (x for x in xs if x <= limit))


def row(
    name: str, fn: Callable[..., object], signature: str, body: str, calls: int, *, seed: int = 1
) -> str:
    first = (KEY, changed(signature, 0), URL, body)
    last = (KEY, changed(signature, len(signature) - 1), URL, body)
    assert fn(*first) is False and fn(*last) is False
    rng = random.Random(seed)
    classes = bytes(rng.getrandbits(1) for _ in range(calls))
    samples = measure(fn, (first, last), classes)
    everything = sorted(samples[0] + samples[1])
    ts = []
    for p in PERCENTILES:
        if p is None:
            ts.append(welch_t(samples[0], samples[1]))
            continue
        limit = everything[int(p * (len(everything) - 1))]
        ts.append(welch_t(crop(samples[0], limit), crop(samples[1], limit)))
    median = everything[len(everything) // 2] / 1000
    worst = max(abs(t) for t in ts)
    verdict = "no leak detected" if worst < 4.5 else "LEAK"
    cells = " | ".join(f"{t:+.2f}" for t in ts)
    return f"| {name} | {calls} | {median:.2f} | {cells} | {worst:.2f} | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--control-calls", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1, help="of the class order")
    parser.add_argument("--only", default="", help="rows whose name contains this")
    args = parser.parse_args()
    ref = reference.load("webhook_validator")
    a, b = scheme_a(), scheme_b()
    assert ours.validate_webhook_signature(KEY, a, URL, EVENT)
    assert ours.validate_webhook_signature(KEY, b, URL, FORM)
    assert ref.validate_webhook_signature(KEY, b, URL, FORM)
    crops = " | ".join("all" if p is None else f"≤ p{int(p * 100)}" for p in PERCENTILES)
    print(
        "Welch's t, signature wrong in its first vs its last character "
        f"(interleaved at random; {sys.version.split()[0]})\n"
    )
    print(f"| implementation, case | calls | median µs | t: {crops} | max abs(t) | verdict |")
    print("|---|---:|---:|" + "---:|" * len(PERCENTILES) + "---:|---|")
    rows = [
        ("ours, Scheme A (JSON)", ours.validate_webhook_signature, a, EVENT, args.calls),
        ("ours, Scheme B (form)", ours.validate_webhook_signature, b, FORM, args.calls),
        ("reference, Scheme A (JSON)", ref.validate_webhook_signature, a, EVENT, args.calls),
        ("reference, Scheme B (form)", ref.validate_webhook_signature, b, FORM, args.calls),
        (
            "control: early-exit compare, Scheme A",
            early_exit_validate,
            a,
            EVENT,
            args.control_calls,
        ),
    ]
    for name, fn, signature, body, calls in rows:
        if args.only in name:
            print(row(name, fn, signature, body, calls, seed=args.seed), flush=True)


if __name__ == "__main__":
    main()
