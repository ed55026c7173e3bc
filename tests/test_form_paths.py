"""Generated forms on each of the three ways ``FormMessage`` (src/form_message.rs) orders a
form, against the reference: fewer than 64 fields (sorted directly), at most 512 distinct
names (grouped by name), more names and fewer than 4 096 records (sorted by head), and
4 096 records or more (split into ranges of heads first). Sizes sit on each side of every
threshold; names repeat or not, tie in their first 16 bytes, carry escapes (``%xx``, ``+``,
broken ``%``, non-ASCII, invalid UTF-8), and come in runs of identical fields.

Each form is sent signed as the platform signs it (names stably sorted, by an independent
signer) and forged four ways: signed over every pair sorted, over the submission order,
with one value changed, and with one character of the signature changed. Ours must answer
what the reference answers, and the reference must accept the signed one (so no band of
the test passes by refusing everything).
"""

from __future__ import annotations

import base64
import hmac
import random
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import signalwire.core.security as ours
from seeds import rng as seeded

KEY = "PSK_form_paths"
URLS = ["https://example.ngrok.io/cxml?x=1", "https://h.example.com:443/a", "http://h.example/b"]
# Names sharing their first 16 bytes (the record's head), escapes that decode to a name
# another field spells plainly, and the odd parts parse_qsl still accepts.
TIED = "0123456789abcdef"
ESCAPES = ["%41", "+", "%2B", "%20", "%C3%A9", "%E9", "%", "%zz", "é", "%00", "%26", "%3D"]


def _name(rng: random.Random, i: int) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return f"{TIED}{rng.choice(ESCAPES)}_{i}"
    if kind == 1:
        return f"{TIED}{i}"
    if kind == 2:
        return f"N{rng.choice(ESCAPES)}_{i}"
    if kind == 3:
        return f"%4{i % 10}x{i}"  # %40..%49: '@', 'A'..'I'
    return rng.choice(["Field", "CallSid", "To", "Digits", "a", "Z", "_"]) + str(i)


def _value(rng: random.Random, i: int) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return ""
    if kind == 1:
        return rng.choice(ESCAPES) + str(i)
    return str(i)


def make_form(rng: random.Random, fields: int, distinct: int) -> str:
    """``fields`` fields over ``distinct`` names, each name used at least once, in a
    shuffled order, some in runs of identical fields."""
    names = [_name(rng, i) for i in range(distinct)]
    if distinct > 1 and rng.random() < 0.3:
        names[1] = ""  # an empty name
    pieces: list[str] = []
    fresh = 0  # names used so far: each is used once before any repeats
    while len(pieces) < fields:
        room = fields - len(pieces) - (distinct - fresh)  # fields to spare for repeats
        if fresh < distinct and (room <= 0 or rng.random() < distinct / fields):
            name, fresh = names[fresh], fresh + 1
        else:
            name = rng.choice(names[: max(fresh, 1)])
        style = rng.randrange(20)
        if style == 0:
            pieces.append(name)  # no '=': an empty value
        elif style == 1 and room > 4:
            pieces.extend([f"{name}="] * rng.randrange(2, 5))  # a run of identical fields
        else:
            pieces.append(f"{name}={_value(rng, len(pieces))}")
    if rng.random() < 0.5:
        rng.shuffle(pieces)  # else names come in first use order, repeats interleaved
    body = "&".join(pieces)
    if rng.random() < 0.2:
        body = body.replace("&", "&&", 1)  # an empty field
    return body


def sign(url: str, pairs: list[tuple[str, str]]) -> str:
    message = url + "".join(k + v for k, v in pairs)
    digest = hmac.new(KEY.encode(), message.encode(), "sha1").digest()
    return base64.b64encode(digest).decode()


def answer(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        return ("returned", fn(*args))
    except Exception as error:  # an exception is an answer too
        return ("raised", type(error))


# (fields, distinct names): each threshold from both sides, and between them.
SHAPES = [
    (8, 3),
    (63, 63),
    (63, 5),
    (64, 64),
    (65, 2),
    (66, 66),
    (200, 40),
    (511, 511),
    (512, 512),
    (513, 513),
    (700, 511),
    (700, 513),
    (1000, 600),
    (4095, 4095),
    (4095, 700),
    (4096, 4096),
    (4097, 900),
    (4097, 4097),
    (6000, 513),
]


def band(pairs: list[tuple[str, str]]) -> str:
    names = len({k for k, _ in pairs})
    if len(pairs) < 64:
        return "sorted directly"
    if names <= 512:
        return "grouped"
    return "head-sorted" if len(pairs) < 4096 else "range-split"


def test_each_form_path_agrees_with_the_reference(ref_validator: ModuleType) -> None:
    rng = seeded("form-paths")
    reference = ref_validator.validate_webhook_signature
    reached: Counter[str] = Counter()
    for fields, distinct in SHAPES:
        for _ in range(2):
            body = make_form(rng, fields, distinct)
            url = rng.choice(URLS)
            pairs = parse_qsl(body, keep_blank_values=True)
            stable = sorted(pairs, key=lambda kv: kv[0])
            signed = sign(url, stable)
            assert reference(KEY, signed, url, body) is True, "the signer drifted"
            changed = list(stable)
            i = rng.randrange(len(changed))
            changed[i] = (changed[i][0], changed[i][1] + "x")
            flip = rng.randrange(len(signed) - 1)  # the last character may be padding
            forged = {
                "every pair sorted": sign(url, sorted(pairs)),
                "submission order": sign(url, pairs),
                "one value changed": sign(url, changed),
                "one character changed": signed[:flip]
                + ("A" if signed[flip] != "A" else "B")
                + signed[flip + 1 :],
            }
            for how, signature in [("signed", signed), *forged.items()]:
                want = answer(reference, KEY, signature, url, body)
                got = answer(ours.validate_webhook_signature, KEY, signature, url, body)
                assert got == want, (
                    f"{how}: {fields} fields, {distinct} names ({band(pairs)}), "
                    f"body {body[:200]!r}…: reference {want}, ours {got}"
                )
            reached[band(pairs)] += 1
    for path in ("sorted directly", "grouped", "head-sorted", "range-split"):
        assert reached[path] >= 4, f"generator drifted: {dict(reached)}"
