"""Side by side, in one process: ours, the reference (signalwire-sdk 3.7.5, loaded from the
pinned wheel), twilio's ``RequestValidator`` (Scheme B cases) and the floor (``swfloor``:
one PyO3 call doing only the unavoidable hashing). Prints µs per call and the ratios.

Run with ``make bench`` (it builds the floor and installs twilio); ``--quick`` for a
shorter run. ``--baseline DIR`` also times another build of ours, interleaved with the rest
(``DIR`` holds its ``signalwire/core/security``, e.g. ``pip install --target DIR --no-deps
old.whl``): its ``_native`` and ``_compat`` are loaded as a private package, and the table
gains ``baseline / ours``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import math
import platform
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode

import swfloor
from twilio.request_validator import RequestValidator

import signalwire.core.security as ours

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import reference
from baseline import load_baseline

KEY = "PSK_7f3c0c2bb1f04cd0a0e1d2f3a4b5c6d7"
URL = "https://example.ngrok.io/api/laml/webhook?CallbackSource=call-progress-events"


def scheme_a(url: str, body: str, digest: Any = hashlib.sha1) -> str:
    return hmac.new(KEY.encode(), (url + body).encode(), digest).hexdigest()


def scheme_b(url: str, params: list[tuple[str, str]]) -> str:
    message = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(KEY.encode(), message.encode(), "sha1").digest()).decode()


def json_body(size: int) -> str:
    event: dict[str, Any] = {
        "event_type": "calling.call.state",
        "event_channel": "signalwire_abc123",
        "timestamp": 1732262400.123456,
        "project_id": "a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
        "space_id": "f6e5d4c3-b2a1-0f9e-8d7c-6b5a4f3e2d1c",
        "params": {"call_id": "c0ffee00-1234-5678-9abc-def012345678", "call_state": "ended"},
    }
    text = json.dumps(event, separators=(",", ":"))
    pad = size - len(text) - len(',"pad":""')
    event["pad"] = "x" * max(pad, 0)
    return json.dumps(event, separators=(",", ":"))


FORM = [
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


@dataclass
class Case:
    name: str
    function: str  # the validator, in ours and in the reference
    args: tuple[Any, ...]
    expected: bool
    floor: Callable[..., bool] | None = None
    twilio: tuple[Any, ...] | None = None  # (url, params, signature) for RequestValidator
    micros: dict[str, float] = field(default_factory=dict)


def cases() -> list[Case]:
    small = json_body(344)
    big = json_body(1024 * 1024)
    form = urlencode(FORM)
    b64 = scheme_b(URL, FORM)
    wrong_b64 = base64.b64encode(b"\x00" * 20).decode()
    wrong_hex = "0" * 40
    return [
        Case(
            "Scheme A valid, 344 B JSON",
            "validate_webhook_signature",
            (KEY, scheme_a(URL, small), URL, small),
            True,
            floor=swfloor.scheme_a,
        ),
        Case(
            "SHA-256 valid, 344 B JSON",
            "validate_webhook_signature_sha256",
            (KEY, scheme_a(URL, small, hashlib.sha256), URL, small),
            True,
            floor=swfloor.sha256,
        ),
        Case(
            f"Scheme B valid, {len(form)} B form, 10 params",
            "validate_webhook_signature",
            (KEY, b64, URL, form),
            True,
            floor=swfloor.scheme_b_form,
            twilio=(URL, dict(parse_qsl(form)), b64),
        ),
        Case(
            "invalid signature (base64 shape), form body",
            "validate_webhook_signature",
            (KEY, wrong_b64, URL, form),
            False,
            floor=swfloor.scheme_b_all_four,
            twilio=(URL, dict(parse_qsl(form)), wrong_b64),
        ),
        Case(
            "invalid signature (hex shape), JSON body",
            "validate_webhook_signature",
            (KEY, wrong_hex, URL, small),
            False,
            floor=swfloor.scheme_a,
        ),
        Case(
            "invalid signature (base64 shape), JSON body",
            "validate_webhook_signature",
            (KEY, wrong_b64, URL, small),
            False,
            floor=swfloor.scheme_b_json_four,
        ),
        Case(
            "invalid signature (other shape), form body",
            "validate_webhook_signature",
            (KEY, "not-a-signature", URL, form),
            False,
        ),
        Case(
            "validate_request with a dict, 10 params",
            "validate_request",
            (KEY, b64, URL, dict(FORM)),
            True,
            floor=swfloor.request_dict,
            twilio=(URL, dict(FORM), b64),
        ),
        Case(
            "Scheme A valid, 1 MB JSON",
            "validate_webhook_signature",
            (KEY, scheme_a(URL, big), URL, big),
            True,
            floor=swfloor.scheme_a,
        ),
    ]


def per_call_micros(fn: Callable[..., Any], args: tuple[Any, ...], budget: float) -> float:
    names = [f"a{i}" for i in range(len(args))]
    timer = timeit.Timer(
        f"fn({', '.join(names)})", globals={"fn": fn, **dict(zip(names, args, strict=True))}
    )
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 0.2))
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def run(quick: bool, baseline: ModuleType | None = None) -> list[Case]:
    ref = reference.load("webhook_validator")
    twilio = RequestValidator(KEY)
    budget = 0.05 if quick else 0.1
    all_cases = cases()
    for case in all_cases:
        impls: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
            "ours": (getattr(ours, case.function), case.args),
            "reference": (getattr(ref, case.function), case.args),
        }
        if baseline is not None:
            impls["baseline"] = (getattr(baseline, case.function), case.args)
        if case.floor is not None:
            impls["floor"] = (case.floor, case.args)
        if case.twilio is not None:
            impls["twilio"] = (twilio.validate, case.twilio)
        for name, (fn, args) in impls.items():
            assert fn(*args) is case.expected, f"{name} disagrees on {case.name}"
        # Interleave: each round measures every implementation once; keep the best round.
        for _ in range(3):
            for name, (fn, args) in impls.items():
                micros = per_call_micros(fn, args, budget)
                case.micros[name] = min(case.micros.get(name, math.inf), micros)
    return all_cases


def report(all_cases: list[Case]) -> str:
    lines = [
        f"CPython {platform.python_version()}, {platform.machine()}, "
        f"{platform.processor() or 'cpu'}; µs per call (best of 3 interleaved rounds)",
        "",
        "| case | reference | twilio | ours | floor | reference / ours | ours / floor "
        "| reference / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def cell(value: float | None, digits: int = 2) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    with_baseline = all("baseline" in case.micros for case in all_cases)
    if with_baseline:
        lines[2] += " baseline | baseline / ours |"
        lines[3] += "---:|---:|"
    speedups = []
    for case in all_cases:
        m = case.micros
        speedup = m["reference"] / m["ours"]
        speedups.append(speedup)
        floor = m.get("floor")
        lines.append(
            f"| {case.name} | {cell(m['reference'])} | {cell(m.get('twilio'))} | "
            f"{cell(m['ours'])} | {cell(floor)} | {speedup:.1f}x | "
            f"{cell(m['ours'] / floor if floor else None)} | "
            f"{cell(m['reference'] / floor if floor else None, 1)} |"
        )
        if with_baseline:
            lines[-1] += f" {cell(m['baseline'])} | {m['baseline'] / m['ours']:.2f} |"
    geomean = math.exp(sum(math.log(s) for s in speedups) / len(speedups))
    noop = per_call_micros(swfloor.noop, ("k", "s", "u", "b"), 0.05)
    lines += [
        "",
        f"Geometric mean of reference / ours over {len(speedups)} cases: {geomean:.1f}x",
        f"Call overhead of a PyO3 function with 4 str arguments, no work: {noop:.3f} µs",
        "reference / floor is the most any implementation of the case could gain.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter timing runs")
    parser.add_argument("--baseline", type=Path, help="folder with another build to time too")
    args = parser.parse_args()
    baseline = load_baseline(args.baseline) if args.baseline else None
    print(report(run(args.quick, baseline)))


if __name__ == "__main__":
    main()
