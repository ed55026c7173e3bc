"""Under threads and over many calls: 8 threads x 200 000 mixed validations (valid and forged,
all schemes, small and 1 MB bodies, error paths) give exactly the reference's answers, and
10 000 000 calls, error paths included, leave the resident set where it was.

``SW_THREAD_CALLS`` and ``SW_LEAK_CALLS`` scale the two runs down for a quick look.
"""

from __future__ import annotations

import gc
import os
import random
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest

import seeds
from live import scheme_a, scheme_b
from signalwire.core.security import (
    WebhookValidator,
    validate_request,
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

THREADS = 8
THREAD_CALLS = int(os.environ.get("SW_THREAD_CALLS", "200000"))
LEAK_CALLS = int(os.environ.get("SW_LEAK_CALLS", "10000000"))
KEY = "PSKtest-threads-0123456789"
MEGABYTE_SHARE = 0.005  # of the calls; a 1 MB validation costs ~500 small ones

Call = tuple[str, tuple[Any, ...]]


def outcome(fn: Callable[..., Any], args: tuple[Any, ...]) -> object:
    try:
        return fn(*args)
    except Exception as error:
        return type(error)


def pool(rng: random.Random) -> tuple[list[Call], list[Call]]:
    """(small calls, 1 MB calls): each scheme signed correctly and forged, plus errors."""
    small: list[Call] = []
    large: list[Call] = []
    for i in range(200):
        url = f"https://agent{i}.example.ngrok.io/hook?n={i}"
        event = f'{{"event":"call.state","n":{i},"pad":"{"x" * rng.randint(0, 400)}"}}'
        params = [("CallSid", f"CA{i}"), ("Digits", str(rng.randint(0, 9999))), ("To", "+1555")]
        form = urlencode(params)
        a, sha256 = scheme_a(KEY, url, event), scheme_a(KEY, url, event, "sha256")
        b = scheme_b(KEY, url, params)
        forged_a = a[:-1] + ("0" if a[-1] != "0" else "1")
        for sig in (a, forged_a, b, b[::-1], ""):
            small.append(("validate_webhook_signature", (KEY, sig, url, event)))
        small.append(("validate_webhook_signature", (KEY, b, url, form)))
        small.append(("validate_webhook_signature", (KEY, b, url, form + "&x=1")))
        for sig in (sha256, sha256.upper(), a):
            small.append(("validate_webhook_signature_sha256", (KEY, sig, url, event)))
        for body in (dict(params), params, form, {"CallSid": "forged"}):
            small.append(("validate_request", (KEY, b, url, body)))
        small.append(("validator", (b, url, form.encode())))
        # Error paths: a URL that does not split, an empty key, a body of the wrong type.
        small.append(("validate_webhook_signature", (KEY, b, "https://[::1/hook", event)))
        small.append(("validate_request", ("", b, url, params)))
        small.append(("validate_webhook_signature", (KEY, a, url, event.encode())))
    for i in range(4):
        url = f"https://big{i}.example.ngrok.io/hook"
        body = '{"blob":"' + "y" * (1024 * 1024 - 11 - i) + '"}'
        good = scheme_a(KEY, url, body)
        large.append(("validate_webhook_signature", (KEY, good, url, body)))
        large.append(("validate_webhook_signature", (KEY, good, url, body[:-2] + "!}")))
        large.append(
            (
                "validate_webhook_signature_sha256",
                (KEY, scheme_a(KEY, url, body, "sha256"), url, body),
            )
        )
        large.append(("validator", (good, url, body.encode())))
    return small, large


def test_eight_threads_give_the_references_answers(ref_validator: ModuleType) -> None:
    small, large = pool(seeds.rng("threads-pool"))
    validator = WebhookValidator(KEY)  # one object shared by every thread
    ours: dict[str, Callable[..., Any]] = {
        "validate_webhook_signature": validate_webhook_signature,
        "validate_webhook_signature_sha256": validate_webhook_signature_sha256,
        "validate_request": validate_request,
        "validator": validator.validate,
    }
    reference: dict[str, Callable[..., Any]] = {
        name: getattr(ref_validator, name) for name in ours if name != "validator"
    }
    # The validator's calls are validate_webhook_signature's on the body's text.
    reference["validator"] = lambda sig, url, body: ref_validator.validate_webhook_signature(
        KEY, sig, url, body.decode()
    )
    calls = small + large
    expected = [outcome(reference[name], args) for name, args in calls]
    assert {True, False, ValueError, TypeError} <= set(expected)  # every kind of answer
    wrong: list[tuple[int, object]] = []
    done = [0] * THREADS

    def work(t: int) -> None:
        rng = seeds.rng(f"thread-{t}")
        for _ in range(THREAD_CALLS):
            if rng.random() < MEGABYTE_SHARE:
                i = len(small) + rng.randrange(len(large))
            else:
                i = rng.randrange(len(small))
            name, args = calls[i]
            got = outcome(ours[name], args)
            if got != expected[i]:
                wrong.append((i, got))
            done[t] += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert done == [THREAD_CALLS] * THREADS
    assert not wrong, [(calls[i][0], got, expected[i]) for i, got in wrong[:5]]


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc (Linux)")
def test_ten_million_calls_do_not_grow_the_resident_set() -> None:
    small, _ = pool(seeds.rng("memory-pool"))
    validator = WebhookValidator(KEY)
    functions: dict[str, Callable[..., Any]] = {
        "validate_webhook_signature": validate_webhook_signature,
        "validate_webhook_signature_sha256": validate_webhook_signature_sha256,
        "validate_request": validate_request,
        "validator": validator.validate,
    }
    # Every kind of call in turn, the raising ones included, plus a key the binding
    # cannot encode (a UnicodeEncodeError built in Rust).
    bound = [(functions[name], args) for name, args in small]
    bound.append((validate_webhook_signature, ("k\ud800ey", "sig", "https://h/", "{}")))
    errors = 0

    def run(count: int) -> None:
        nonlocal errors
        n = len(bound)
        for i in range(count):
            fn, args = bound[i % n]
            try:
                fn(*args)
            except (ValueError, TypeError):
                errors += 1

    run(min(LEAK_CALLS, 500_000))  # warm up: caches, interned strings, allocator arenas
    gc.collect()
    before = resident_bytes()
    run(LEAK_CALLS)
    gc.collect()
    grown = resident_bytes() - before
    print(f"{LEAK_CALLS} calls ({errors} raised): resident set {grown / 1024:+.0f} KiB")
    assert errors > 0
    assert grown < 2 * 1024 * 1024, f"resident set grew by {grown / 1024:.0f} KiB"
