"""How Scheme B's cost grows with the form: ``validate_webhook_signature`` on form bodies
from 50 KiB to 10 MiB, in units of one HMAC-SHA1 of the same URL + body through Python's
``hmac`` (OpenSSL), measured in the same process.

For each body shape and size: the body's bytes and params, our µs per call with a valid
and with a forged (base64-shaped) signature, both in units, and the reference's time
(signalwire-sdk 3.7.5, loaded from the pinned wheel) over ours. The least work the
reference's rules allow is the parse, the stable sort and one MAC over url + params when
valid (about 2 units), two MACs when forged (both candidate URLs: about 3 units).

``--quick`` measures fewer rounds; ``--sizes`` picks sizes in KiB and ``--shape`` a body
shape; ``--no-reference`` skips the reference (slow on the largest forms); ``--baseline
DIR`` also times another build of ours (an unpacked wheel, as for ``compare.py``),
interleaved, and adds its units; ``--json FILE`` writes the figures for ``chart.py``.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import signalwire.core.security as ours

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference
from baseline import load_baseline

KEY = "PSK_7f3c0c2bb1f04cd0a0e1d2f3a4b5c6d7"
URL = "https://example.ngrok.io/api/laml/webhook?CallbackSource=call-progress-events"
FORGED = base64.b64encode(b"\x00" * 20).decode()

TWILIO = [
    ("AccountSid", "AC7f3c0c2bb1f04cd0a0e1d2f3a4b5c6d7"),
    ("ApiVersion", "2010-04-01"),
    ("CallSid", "CA0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c"),
    ("CallStatus", "in-progress"),
    ("Called", "+15551230000"),
    ("Caller", "+15559870000"),
    ("Digits", "1"),
    ("Direction", "inbound"),
    ("From", "+15559870000"),
    ("To", "+15551230000"),
]


def distinct_escaped(i: int) -> str:
    """Twilio's fields with a numbered name each; the phone numbers carry ``%2B``."""
    return "&".join(urlencode([(f"{name}{i}", value)]) for name, value in TWILIO)


def repeated_escaped(i: int) -> str:
    """Twilio's ten names over and over (a stable sort keeps each name's values in order)."""
    return urlencode([(name, f"{value}{i}") for name, value in TWILIO])


def distinct_plain(i: int) -> str:
    return f"Field{i:07d}=value{i}&Status{i:07d}=in-progress"


def repeated_plain(i: int) -> str:
    return f"Digits={i}&CallStatus=ringing&To=15551230000"


def empty_fields(i: int) -> str:
    """The cheapest fields there are: ``a=&`` (blank values) and empty fields."""
    return "a=&" * 7 + "&&" + "b=&"


SHAPES: list[tuple[str, Callable[[int], str]]] = [
    ("distinct names, escapes", distinct_escaped),
    ("repeated names, escapes", repeated_escaped),
    ("distinct names, no escapes", distinct_plain),
    ("repeated names, no escapes", repeated_plain),
    ("empty fields (`a=&`, `&&`)", empty_fields),
]


def form(shape: Callable[[int], str], size: int) -> str:
    chunks, length, i = [], 0, 0
    while length < size:
        chunk = shape(i)
        chunks.append(chunk)
        length += len(chunk) + 1
        i += 1
    return "&".join(chunks)[:size].rstrip("&%0123456789ABCDEF")


def scheme_b(url: str, body: str) -> str:
    params = sorted(parse_qsl(body, keep_blank_values=True), key=lambda kv: kv[0])
    message = url + "".join(k + v for k, v in params)
    return base64.b64encode(hmac.new(KEY.encode(), message.encode(), "sha1").digest()).decode()


def best(fn: Callable[[], Any], rounds: int, min_seconds: float) -> float:
    """Best CPU seconds of this thread per call, over `rounds` rounds of enough calls to
    fill `min_seconds` (CPU time, so that waiting for a busy machine's cores is not
    counted; the validators run on the calling thread even with the GIL released)."""
    clock = time.thread_time
    start = clock()
    fn()
    once = clock() - start
    number = max(1, int(min_seconds / max(once, 1e-9)))
    times = []
    for _ in range(rounds):
        start = clock()
        for _ in range(number):
            fn()
        times.append((clock() - start) / number)
    return min(times)


def row(
    name: str, body: str, ref: Any, rounds: int, min_seconds: float, *, base: Any = None
) -> tuple[str, dict[str, Any]]:
    """The table row of one body, and its figures (seconds per call) for ``--json``."""
    valid = scheme_b(URL, body)
    message = (URL + body).encode()
    key = KEY.encode()
    fns: dict[str, Callable[[], Any]] = {
        "unit": lambda: hmac.new(key, message, "sha1").digest(),
        "valid": lambda: ours.validate_webhook_signature(KEY, valid, URL, body),
        "forged": lambda: ours.validate_webhook_signature(KEY, FORGED, URL, body),
    }
    assert fns["valid"]() is True and fns["forged"]() is False
    if base is not None:
        fns["base valid"] = lambda: base.validate_webhook_signature(KEY, valid, URL, body)
        fns["base forged"] = lambda: base.validate_webhook_signature(KEY, FORGED, URL, body)
        assert fns["base valid"]() is True and fns["base forged"]() is False
    if ref is not None:
        fns["ref valid"] = lambda: ref.validate_webhook_signature(KEY, valid, URL, body)
        fns["ref forged"] = lambda: ref.validate_webhook_signature(KEY, FORGED, URL, body)
        assert fns["ref valid"]() is True and fns["ref forged"]() is False
    seconds: dict[str, float] = {}
    for _ in range(rounds):  # interleaved: every function once per round, best kept
        for label, fn in fns.items():
            t = best(fn, 1, 0 if label.startswith("ref") else min_seconds)
            seconds[label] = min(seconds.get(label, t), t)
    unit = seconds["unit"]
    params = len(parse_qsl(body, keep_blank_values=True))
    cells = [
        name,
        f"{len(body) / 1024:,.0f} KiB",
        f"{params:,}",
        f"{unit * 1e6:,.0f}",
        f"{seconds['valid'] * 1e6:,.0f}",
        f"{seconds['valid'] / unit:.2f}",
        f"{seconds['forged'] * 1e6:,.0f}",
        f"{seconds['forged'] / unit:.2f}",
    ]
    if ref is not None:
        cells += [
            f"{seconds['ref valid'] / seconds['valid']:.1f}x",
            f"{seconds['ref forged'] / seconds['forged']:.1f}x",
        ]
    else:
        cells += ["—", "—"]
    if base is not None:
        cells += [
            f"{seconds['base valid'] / unit:.2f}",
            f"{seconds['base forged'] / unit:.2f}",
        ]
    record = {"shape": name, "bytes": len(body), "params": params, "seconds": seconds}
    return "| " + " | ".join(cells) + " |", record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference")
    parser.add_argument(
        "--sizes", default="50,500,5120,10240", help="body sizes in KiB, comma-separated"
    )
    parser.add_argument("--baseline", type=Path, help="folder with another build to time too")
    parser.add_argument(
        "--shape", action="append", help="only this body shape (by name; may be repeated)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here (chart.py)")
    args = parser.parse_args()
    ref = None if args.no_reference else reference.load("webhook_validator")
    base = load_baseline(args.baseline) if args.baseline else None
    rounds, min_seconds = (2, 0.05) if args.quick else (5, 0.1)
    print(
        f"CPython {platform.python_version()}, {platform.machine()}; unit = one "
        "hmac.new(key, url + body, 'sha1').digest() of the same bytes; CPU time of the "
        f"calling thread, best of {rounds} interleaved rounds"
    )
    print()
    header = (
        "| body | size | params | unit µs | valid µs | valid units | forged µs "
        "| forged units | reference / ours, valid | reference / ours, forged |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if base is not None:
        header += " baseline valid units | baseline forged units |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    records = []
    shapes = [(n, s) for n, s in SHAPES if not args.shape or n in args.shape]
    for name, shape in shapes:
        for kib in (int(s) for s in args.sizes.split(",")):
            body = form(shape, kib * 1024)
            line, record = row(name, body, ref, rounds, min_seconds, base=base)
            print(line, flush=True)
            records.append(record)
    if args.json:
        meta = {"python": platform.python_version(), "machine": platform.machine()}
        args.json.write_text(json.dumps({**meta, "rows": records}, indent=1) + "\n")


if __name__ == "__main__":
    main()
