"""Where releasing the GIL pays: the native validators release it for bodies of 64 KiB or
more (``DETACH_THRESHOLD`` in ``src/python/validators.rs``).

For bodies just below and at the threshold this prints the cost per call (the step is the
price of releasing and taking back the GIL) and the throughput of two threads relative to
one (what releasing buys on a multi-core machine).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

import signalwire.core.security as ours

KEY, URL = "PSK_gil", "https://example.ngrok.io/webhook"
THRESHOLD = 64 * 1024


def case(size: int) -> tuple[str, str, str, str]:
    body = "x" * size
    return KEY, hmac.new(KEY.encode(), (URL + body).encode(), hashlib.sha1).hexdigest(), URL, body


def per_call_micros(args: tuple[str, str, str, str], seconds: float = 0.5) -> float:
    fn, calls, start = ours.validate_webhook_signature, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(50):
            fn(*args)
        calls += 50
    return (time.perf_counter() - start) / calls * 1e6


def throughput(args: tuple[str, str, str, str], threads: int, seconds: float = 1.0) -> float:
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def work(i: int) -> None:
        while time.perf_counter() < deadline:
            assert ours.validate_webhook_signature(*args)
            counts[i] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / seconds


def main() -> None:
    print("| body | µs per call | 2 threads / 1 thread |")
    print("|---|---:|---:|")
    for size in (16 * 1024, THRESHOLD - 1, THRESHOLD, 1024 * 1024):
        args = case(size)
        micros = per_call_micros(args)
        scaling = throughput(args, 2) / throughput(args, 1)
        print(f"| {size} B | {micros:.2f} | {scaling:.2f} |")


if __name__ == "__main__":
    main()
