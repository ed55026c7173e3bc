"""Adversarial inputs for the differential tests: one generator, driven by a ``random.Random``.

The seeded volume run feeds it ``random.Random(seed)``; the Hypothesis run feeds it
``st.randoms()``, so Hypothesis can shrink a failing case. About half the cases carry a
correct signature (Scheme A, SHA-256, Scheme B on each candidate URL and param shape), so
the success branches, the port variants and the ``bodySHA256`` check are all reached.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import string
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Any
from urllib.parse import quote, quote_plus

FUNCTIONS = ("validate_webhook_signature", "validate_webhook_signature_sha256", "validate_request")
ARG_NAMES = {
    "validate_webhook_signature": ("signing_key", "signature", "url", "raw_body"),
    "validate_webhook_signature_sha256": ("signing_key", "signature", "url", "raw_body"),
    "validate_request": ("signing_key", "signature", "url", "params_or_raw_body"),
}


class StrSub(str):
    """A str subclass: accepted wherever the reference uses isinstance(x, str)."""


class ListSub(list):  # type: ignore[type-arg]
    """A list subclass: not taken by the native fast path."""


class Encodes:
    """Not a str, but has .encode like one (the reference only calls .encode on keys)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def encode(self, encoding: str) -> bytes:
        return self.text.encode(encoding)

    def __repr__(self) -> str:
        return f"Encodes({self.text!r})"


# Argument objects with custom dunders. Each counts the calls made on it; a case runs once
# per implementation, so ``outcome`` resets them first and reports the counts, which must
# be the reference's. Scripts are lists of what successive calls return or raise.
Step = Any  # a value to return, or an exception class to raise


class Odd:
    """Base of the counting objects."""

    def __init__(self, label: str, script: list[Step]) -> None:
        self.label = label
        self.script = script
        self.calls: Counter[str] = Counter()

    def reset(self) -> None:
        self.calls.clear()

    def step(self, dunder: str) -> Any:
        self.calls[dunder] += 1
        value = self.script[min(self.calls[dunder], len(self.script)) - 1]
        if isinstance(value, type) and issubclass(value, BaseException):
            raise value(f"{self.label}.{dunder}")
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r}, {self.script!r})"


class OddBool(Odd):
    """What an odd ``__eq__`` returns: its truth is asked for."""

    def __bool__(self) -> bool:
        return bool(self.step("__bool__"))


class OddSignature(Odd):
    """A signature whose ``str()`` follows its script (texts that change from call to call,
    a correct signature only at the second call, exceptions of each kind, non-str results);
    ``== ""`` answers ``eq`` (NotImplemented, a bool, an ``OddBool`` or an exception)."""

    def __init__(self, label: str, script: list[Step], eq: Any = NotImplemented) -> None:
        super().__init__(label, script)
        self.eq = eq

    def __str__(self) -> str:
        return self.step("__str__")  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> Any:
        self.calls["__eq__"] += 1
        if isinstance(self.eq, type) and issubclass(self.eq, BaseException):
            raise self.eq(f"{self.label}.__eq__")
        return self.eq

    def __hash__(self) -> int:
        self.calls["__hash__"] += 1
        return 0

    def __format__(self, spec: str) -> str:
        self.calls["__format__"] += 1
        return self.label


class OddKey(str):
    """A str key whose truth is scripted (the reference tests ``not signing_key``)."""

    def __new__(cls, text: str, truth: list[Step]) -> OddKey:
        key = super().__new__(cls, text)
        key.odd = Odd("key", truth)
        return key

    odd: Odd

    def __bool__(self) -> bool:
        return bool(self.odd.step("__bool__"))

    def __repr__(self) -> str:
        return f"OddKey({str(self)!r}, {self.odd.script!r})"


class OddName(Odd):
    """A param name or value: ``<`` by label (or an exception), ``format()`` scripted."""

    def __lt__(self, other: object) -> bool:
        self.step("__lt__")
        return self.label < (other.label if isinstance(other, OddName) else str(other))

    def __gt__(self, other: object) -> bool:
        self.step("__gt__")
        return self.label > (other.label if isinstance(other, OddName) else str(other))

    def __eq__(self, other: object) -> bool:
        self.calls["__eq__"] += 1
        return self is other

    def __hash__(self) -> int:
        self.calls["__hash__"] += 1
        return hash(self.label)

    def __format__(self, spec: str) -> str:
        return self.step("__format__")  # type: ignore[no-any-return]

    def __str__(self) -> str:
        self.calls["__str__"] += 1
        return self.label


def odds_in(value: Any) -> list[Odd]:
    """The counting objects in an argument (containers searched one level deep)."""
    found: list[Odd] = []
    items: list[Any] = [value]
    if isinstance(value, Mapping):
        items += [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        for item in value:
            items += list(item) if isinstance(item, (list, tuple)) else [item]
    for item in items:
        if isinstance(item, Odd):
            found.append(item)
            if isinstance(item, OddSignature) and isinstance(item.eq, Odd):
                found.append(item.eq)
        elif isinstance(item, OddKey):
            found.append(item.odd)
    return found


EXCEPTIONS = [TypeError, ValueError, RuntimeError, KeyError, UnicodeError]


def odd_signature(rng: random.Random, good: str | None) -> OddSignature:
    right = good if good else "x" * 28
    wrong = mutate(rng, right)
    script: list[Step] = pick(
        rng,
        [
            (4, lambda: [right]),
            (4, lambda: [wrong, right]),
            (2, lambda: [wrong, wrong, right]),
            (2, lambda: [right, wrong]),
            (3, lambda: [rng.choice(EXCEPTIONS)]),
            (3, lambda: [wrong, rng.choice(EXCEPTIONS), right]),
            (2, lambda: [rng.choice([5, None, b"x", "", "\u00e9" * 28])]),
            (1, lambda: ["", right]),
        ],
    )
    eq: Any = pick(
        rng,
        [
            (8, NotImplemented),
            (1, False),
            (1, True),
            (1, lambda: rng.choice(EXCEPTIONS)),
            (2, lambda: OddBool("eq", [rng.choice([False, True, 0, rng.choice(EXCEPTIONS)])])),
        ],
    )
    return OddSignature("sig", script, eq)


def odd_params(rng: random.Random) -> Any:
    """Pre-parsed params whose names and values have scripted dunders."""

    def name(i: int) -> Any:
        if rng.random() < 0.6:
            script: list[Step] = [rng.choice(["a", "B", "é", ""])]
            if rng.random() < 0.15:
                script = [rng.choice([TypeError, RuntimeError, ValueError, 5])]
            lt: list[Step] = [True] if rng.random() < 0.9 else [True, TypeError]
            return OddName(rng.choice(["n", "m", "A"]) + str(i), script + lt)
        return rng.choice(PARAM_NAMES)

    def value() -> Any:
        if rng.random() < 0.5:
            return OddName("v", [rng.choice(["1", "", "x y", TypeError, RuntimeError])])
        return param_item_value(rng)

    pairs = [(name(i), value()) for i in range(rng.randint(1, 5))]
    if rng.random() < 0.5:
        return dict(pairs)
    return pairs


@dataclass
class Case:
    function: str
    args: tuple[Any, ...]
    # What kind of signature the generator meant to produce ("scheme_b_variant", ...).
    intent: str
    keywords: bool = False
    notes: list[str] = field(default_factory=list)

    def call(self, fn: Callable[..., Any]) -> Any:
        if self.keywords:
            return fn(**dict(zip(ARG_NAMES[self.function], self.args, strict=True)))
        return fn(*self.args)

    def repro(self) -> str:
        return f"{self.function}{self.args!r}  # intent={self.intent}"


def pick(rng: random.Random, weighted: list[tuple[float, Any]]) -> Any:
    total = sum(w for w, _ in weighted)
    x = rng.random() * total
    for w, v in weighted:
        x -= w
        if x < 0:
            return v() if callable(v) else v
    last = weighted[-1][1]
    return last() if callable(last) else last


UNICODE_POOL = (
    # case-mapping oddities: e-acute, sharp s, dotted/dotless i, long s, Kelvin, Ohm, sigma...
    "\u00e9\u00c9\u00fc\u00dc\u00df\u0130\u0131\u017f\u212a\u2126\u03a3\u03c3\u03c2\u0391"
    "\u00b5\ufb01\u2c2f\U00010570\ua7c0\u01c5\u01c4"
    # NFKC turns these into / ? # @ :
    "\u2100\u2101\u2105\u2106\uff0f\uff1f\uff03\uff20\uff1a\ufe55\ufe56\ufe5f\ufe6b\u2047"
    # NFKC-stable or harmless: fraction slash, combining marks, fullwidth letters, spaces
    "\u00bd\u2044\u0301\u0338\uff48\uff54\u3000\u00a0\ufffd\U0001f600\u4e2d\u6587"
)


def pick_str(rng: random.Random, weighted: list[tuple[float, Any]]) -> str:
    value = pick(rng, weighted)
    assert isinstance(value, str)
    return value


def unicode_text(rng: random.Random, n: int) -> str:
    pool = UNICODE_POOL + string.ascii_letters + "-._~"
    return "".join(rng.choice(pool) for _ in range(n))


def ipv6_literal(rng: random.Random) -> str:
    hextets = ["", "0", "1", "fe80", "FFFF", "abcd", "0001", "12345", "g", "AbC"]
    parts = [rng.choice(hextets) for _ in range(rng.randint(0, 9))]
    text = ":".join(parts)
    if rng.random() < 0.3:
        text = rng.choice(["::", "1::", "::1:", ""]) + text
    if rng.random() < 0.2:
        text += rng.choice([":1.2.3.4", ":01.2.3.4", ":256.1.1.1", ":1.2.3", "1.2.3.4"])
    if rng.random() < 0.2:
        text += rng.choice(["%eth0", "%", "%a%b", "%25Zone", "%/x"])
    return text


def bracketed_netloc(rng: random.Random) -> str:
    """Hosts for the bracket rules of gh-103848, gh-105704 and gh-105708: text before `[`
    and after `]`, `@` inside and outside the brackets, `v`/`V` IPvFuture literals and
    non-ASCII text (some of it NFKC-unsafe) around them."""
    inner = pick_str(
        rng,
        [
            (4, lambda: rng.choice(["::1", "::", "fe80::1%eth0", "2001:db8::1", "::ffff:1.2.3.4"])),
            (
                4,
                lambda: rng.choice(
                    ["v1.x", "V1.x", "vF.a:b", "VfF.~", "V.x", "v1.", "V1.", "v1.\u00e9", "Vg.x"]
                ),
            ),
            (2, lambda: ipv6_literal(rng)),
            (1, lambda: rng.choice(["1.2.3.4", "zz", "", "a@[::1", "::1]@h", "x]@[::1"])),
        ],
    )
    around = ["x", "a@", "@", "u:p@", "[", "]", " ", ":", "\u2100", "\uff20", "\u00e9", "%"]
    before = pick_str(
        rng, [(6, ""), (3, lambda: rng.choice(around)), (1, lambda: unicode_text(rng, 1))]
    )
    after = pick_str(
        rng,
        [
            (6, ""),
            (3, lambda: rng.choice([":80", ":443", ":", ":x", ":8443", ":0443"])),
            (
                3,
                lambda: rng.choice(
                    ["x", "]", "[", "@h", "@[::1]", ":80]", "a:80", "\u00e9", "\uff1a80", "@"]
                ),
            ),
            (1, lambda: unicode_text(rng, 1)),
        ],
    )
    text = before + "[" + inner + "]" + after
    if rng.random() < 0.25:
        text = rng.choice(["[x]@", "[::1]@", "a@[", "u[", "]@", "[v1.x]@", "@"]) + text
    return text


def host(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (30, lambda: rng.choice(["example.com", "mycompany.com", "example.ngrok.io", "h"])),
            (8, lambda: rng.choice(["Example.COM", "MyCompany.Com", "H"])),
            (4, lambda: rng.choice(["127.0.0.1", "10.0.0.1", "localhost"])),
            (
                6,
                lambda: (
                    "["
                    + rng.choice(["::1", "FE80::1%25Eth0", "::ffff:192.0.2.1", "2001:DB8::1"])
                    + "]"
                ),
            ),
            (8, lambda: "[" + ipv6_literal(rng) + "]"),
            (
                3,
                lambda: rng.choice(
                    ["[v1.fe]", "[vF.x:y]", "[V1.x]", "[v.x]", "[v1.]", "[1.2.3.4]"]
                ),
            ),
            (3, lambda: rng.choice(["[::1", "::1]", "[[::1]", "[::1]]", "]x[", "[]", "a[b]c"])),
            (8, lambda: bracketed_netloc(rng)),
            (2, ""),
            (8, lambda: unicode_text(rng, rng.randint(1, 6))),
            (2, lambda: rng.choice(["a b", "h%41", "h_1", "ex!ample"])),
        ],
    )


def port(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (40, ""),
            (10, ":443"),
            (10, ":80"),
            (4, lambda: rng.choice([":0443", ":00080", ":0080", ":000000000000000443"])),
            (5, lambda: rng.choice([":8443", ":8080", ":0", ":65535", ":1"])),
            (4, lambda: rng.choice([":65536", ":99999999999999", ":100000"])),
            (
                5,
                lambda: rng.choice(
                    [":", ":x", ":+80", ":\u0668\u0660", ": 80", ":80:90", ":-1", ":\uff18\uff10"]
                ),
            ),
        ],
    )


def scheme(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (45, "https"),
            (25, "http"),
            (6, lambda: rng.choice(["HTTPS", "Http", "hTtP"])),
            (4, lambda: rng.choice(["ftp", "wss", "sip", "rtsps", "mailto"])),
            (4, lambda: rng.choice(["1http", "+https", "-a", ".b", "9", "h-t.t+p"])),
            (2, lambda: rng.choice(["", "é", "ht tp"])),
        ],
    )


def path(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (30, lambda: rng.choice(["/webhook", "/myapp.php", "/swaig", "/post_prompt", "/"])),
            (6, ""),
            (8, lambda: rng.choice(["/a/b;p", "/a;x/b;y;z", "/a;b/c", ";p", "/a;"])),
            (6, lambda: rng.choice(["/p%20q", "/ü", "/a b", "//x", "/a/../b", "/%zz"])),
            (3, lambda: "/" + unicode_text(rng, rng.randint(1, 4))),
        ],
    )


def body_sha(body: Any) -> str:
    if isinstance(body, str):
        try:
            return hashlib.sha256(body.encode()).hexdigest()
        except UnicodeEncodeError:
            pass
    return "0" * 64


def query(rng: random.Random, body: Any) -> str:
    good = body_sha(body)
    return pick_str(
        rng,
        [
            (40, ""),
            (5, "?"),
            (15, lambda: rng.choice(["?foo=1&bar=2", "?a=1&a=2", "?x", "?a=%C3%A9&b=+", "?&&"])),
            (12, lambda: "?bodySHA256=" + good),
            (4, lambda: rng.choice(["?bodySHA256=" + good.upper(), "?bodySHA256=", "?bodySHA256"])),
            (4, lambda: f"?bodySHA256=0&bodySHA256={good}"),
            (3, lambda: f"?bodySHA256={good}&bodySHA256=0"),
            (3, lambda: f"?body%53HA256={good}"),
            (2, lambda: "?bodySHA256=" + "é" * 64),
        ],
    )


def noisy(rng: random.Random, text: str) -> str:
    if rng.random() < 0.08:
        text = "".join(rng.choice("\x00\x01\x1f \t") for _ in range(rng.randint(1, 3))) + text
    if rng.random() < 0.08:
        for _ in range(rng.randint(1, 3)):
            i = rng.randint(0, len(text))
            text = text[:i] + rng.choice("\t\r\n") + text[i:]
    return text


def url(rng: random.Random, body: Any) -> Any:
    def assembled() -> str:
        sep = pick(rng, [(90, "://"), (4, ":/"), (3, ":"), (3, "//")])
        userinfo = pick(
            rng,
            [(85, ""), (5, "user@"), (4, "u:P@"), (3, "a@b@"), (3, "[x]@"), (2, "[::1]@")],
        )
        frag = pick(rng, [(85, ""), (5, "#"), (5, "#frag"), (5, "#a?b")])
        text = scheme(rng) + sep + userinfo + host(rng) + port(rng) + path(rng)
        return noisy(rng, text + query(rng, body) + frag)

    return pick(
        rng,
        [
            (92, assembled),
            (2, lambda: rng.choice(["", "webhook", "/relative?x=1", "https:", "https://"])),
            (
                2,
                lambda: (
                    "https://example.com/\ud800" if rng.random() < 0.5 else "https://h\udfff.com/"
                ),
            ),
            (1, lambda: StrSub("https://example.com/webhook")),
            (
                3,
                lambda: rng.choice(
                    [
                        None,
                        0,
                        5,
                        b"https://example.com/",
                        b"https://h:x/",
                        b"http://\xff/",
                        b"",
                        [],
                        1.5,
                    ]
                ),
            ),
        ],
    )


PARAM_NAMES = [
    "CallSid",
    "From",
    "To",
    "Digits",
    "AccountSid",
    "a",
    "A",
    "b",
    "B",
    "é",
    "",
    "x y",
    "k+",
    "z",
    "Z9",
    "a&b",
    "a=b",
    "%41",
]


def param_value(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (
                50,
                lambda: rng.choice(["CA1234567890ABCDE", "+14158675309", "1234", "", "completed"]),
            ),
            (15, lambda: "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 8)))),
            (10, lambda: unicode_text(rng, rng.randint(1, 5))),
        ],
    )


def form_body(rng: random.Random) -> str:
    pairs = [(rng.choice(PARAM_NAMES), param_value(rng)) for _ in range(rng.randint(0, 10))]
    style = rng.random()
    if style < 0.5:
        fields = [quote_plus(k) + "=" + quote_plus(v) for k, v in pairs]
    elif style < 0.7:
        fields = [quote(k) + "=" + quote(v) for k, v in pairs]
    else:
        fields = [k + ("=" if rng.random() < 0.8 else "") + v for k, v in pairs]
    junk = [
        "",
        "",
        "",
        "&",
        "&&",
        "=",
        "==",
        ";",
        "%zz",
        "%C3",
        "%FF",
        "%E2%82",
        "+",
        "%",
        "%ED%A0%80",
        "%F0%9F%98",
        "%c3%a9",
        "é%A9",
        "%C3é",
        "a%2",
    ]
    for _ in range(rng.randint(0, 3)):
        fields.insert(rng.randint(0, len(fields)), rng.choice(junk))
    return "&".join(fields)


def str_body(rng: random.Random) -> str:
    return pick_str(
        rng,
        [
            (
                25,
                lambda: (
                    f'{{"event":"call.state","params":{{"call_id":"abc-{rng.randint(0, 99)}"}}}}'
                ),
            ),
            (45, lambda: form_body(rng)),
            (8, ""),
            (6, lambda: unicode_text(rng, rng.randint(1, 20))),
            (3, lambda: "a=1\ud800" if rng.random() < 0.5 else "\udc80"),
            (2, lambda: StrSub("a=1&b=2")),
            (2, lambda: "x" * rng.randint(1000, 70000) + "&a=1"),
        ],
    )


def param_item_value(rng: random.Random) -> Any:
    return pick(
        rng,
        [
            (60, lambda: param_value(rng)),
            (8, None),
            (8, lambda: rng.choice([0, 1234, -1, 1.5, True])),
            (4, lambda: rng.choice([b"x", ["a", "b"], ("c",), {"k": "v"}])),
            (2, "v\ud800"),
        ],
    )


def params_body(rng: random.Random) -> Any:
    def names() -> str:
        return rng.choice(PARAM_NAMES)

    n = rng.randint(0, 6)

    def mapping() -> Any:
        data: dict[Any, Any] = {}
        for _ in range(n):
            if rng.random() < 0.15:
                data[names()] = [param_item_value(rng) for _ in range(rng.randint(0, 3))]
            elif rng.random() < 0.05:
                data[names()] = tuple(param_value(rng) for _ in range(rng.randint(0, 2)))
            else:
                data[names()] = param_item_value(rng)
        kind = rng.random()
        if kind < 0.8:
            return data
        if kind < 0.9:
            return OrderedDict(data)
        return MappingProxyType(data)

    def pairs() -> Any:
        items: list[Any] = [(names(), param_item_value(rng)) for _ in range(n)]
        if rng.random() < 0.2:
            items = [list(item) for item in items]
        container = rng.choice([list] * 7 + [tuple] * 2 + [ListSub])
        return container(items)

    return pick(
        rng,
        [
            (45, mapping),
            (35, pairs),
            (4, lambda: odd_params(rng)),
            (3, None),
            (3, lambda: rng.choice([{}, [], ()])),
            (3, lambda: rng.choice([{1: "a", 2: "b"}, {2: "x", 1: "y"}, [(1.5, "a"), (1, "b")]])),
            (3, lambda: rng.choice([{1: "a", "b": "c"}, [(None, "a")], [(None, "a"), ("b", "c")]])),
            (
                3,
                lambda: rng.choice(
                    [[("a",)], [("a", "b", "c")], ["ab", "cd"], [1], [{"x": 1, "y": 2}]]
                ),
            ),
            (3, lambda: rng.choice([42, b"a=1", bytearray(b"a=1"), {"a", "b"}, 1.0, object])),
            (2, lambda: [("k\ud800", "v")] if rng.random() < 0.5 else {"k": "v\udc00"}),
        ],
    )


def signing_key(rng: random.Random) -> Any:
    return pick(
        rng,
        [
            (85, lambda: rng.choice(["PSKtest1234567890abcdef", "12345", "k", "s3cr3t-\u00e9"])),
            (3, ""),
            (2, None),
            (3, lambda: rng.choice([b"12345", 0, 7, [], ["k"], bytearray(b"k")])),
            (2, "k\ud800"),
            (2, lambda: StrSub("12345")),
            (1, lambda: Encodes("12345")),
        ],
    )


def _hmac(key: Any, message: str, digest: Any) -> bytes:
    raw_key = key.encode("utf-8")
    return hmac.new(raw_key, message.encode("utf-8"), digest).digest()


def correct_signatures(
    ref: ModuleType, key: Any, target_url: Any, body: Any
) -> list[tuple[str, str]]:
    """Every signature the reference should accept for these inputs, with its kind."""
    found: list[tuple[str, str]] = []
    try:
        if isinstance(body, str):
            found.append(("scheme_a", _hmac(key, target_url + body, hashlib.sha1).hex()))
            found.append(("sha256", _hmac(key, target_url + body, hashlib.sha256).hex()))
            shapes = [ref._sorted_concat_params(ref._parse_form_body(body)), ""]
        else:
            shapes = [ref._sorted_concat_params(body)]
        for i, candidate in enumerate(ref._candidate_urls(target_url)):
            for concat in shapes:
                mac = _hmac(key, candidate + concat, hashlib.sha1)
                kind = "scheme_b_variant" if i else "scheme_b"
                if "bodySHA256" in candidate or "body%53HA256" in candidate:
                    kind += "_bodysha"
                found.append((kind, base64.b64encode(mac).decode()))
    except Exception:  # inputs the reference rejects have no signature
        pass
    return found


def mutate(rng: random.Random, sig: str) -> str:
    i = rng.randrange(len(sig))
    flipped = sig[:i] + ("0" if sig[i] != "0" else "1") + sig[i + 1 :]
    return rng.choice([flipped, sig.upper(), sig.rstrip("="), " " + sig, sig + "\n", sig[:-1]])


def random_signature(rng: random.Random) -> Any:
    return pick(
        rng,
        [
            (20, lambda: "".join(rng.choice("0123456789abcdef") for _ in range(40))),
            (15, lambda: base64.b64encode(rng.randbytes(20)).decode()),
            (10, lambda: "".join(rng.choice("0123456789abcdef") for _ in range(64))),
            (10, ""),
            (10, None),
            (10, lambda: rng.choice(["abc", "x" * 28, "é" * 40, "s\ud800", " "])),
            (8, lambda: rng.choice([0, 5, b"", b"abc", 1.5, [], ["x"]])),
            (3, lambda: StrSub("x" * 40)),
        ],
    )


def bracket_url(rng: random.Random, body: Any) -> str:
    """A URL whose netloc is one of ``bracketed_netloc``'s, for volume on the bracket rules."""
    sep = pick(rng, [(85, "://"), (15, "//")])
    start = "" if sep == "//" else scheme(rng)
    return noisy(rng, start + sep + bracketed_netloc(rng) + path(rng) + query(rng, body))


def make_case(
    rng: random.Random, ref: ModuleType, make_url: Callable[[random.Random, Any], Any] = url
) -> Case:
    function = pick(rng, [(45, FUNCTIONS[0]), (15, FUNCTIONS[1]), (40, FUNCTIONS[2])])
    if function == "validate_request" and rng.random() < 0.55:
        body = params_body(rng)
    elif rng.random() < 0.03:
        body = rng.choice([None, {"a": "1"}, b"a=1", 1, [("a", "b")]])
    else:
        body = str_body(rng)
    key = signing_key(rng)
    target = make_url(rng, body)
    good = correct_signatures(ref, key, target, body)
    sig: Any
    if good and rng.random() < 0.55:
        intent, sig = rng.choice(good)
        if rng.random() < 0.15:
            intent, sig = "mutated_" + intent, mutate(rng, sig)
    else:
        intent, sig = "random", random_signature(rng)
    if rng.random() < 0.06:
        intent, sig = "odd_" + intent, odd_signature(rng, sig if isinstance(sig, str) else None)
    if rng.random() < 0.02 and isinstance(key, str):
        key = OddKey(
            key, pick(rng, [(6, [True]), (1, [False]), (1, [True, False]), (1, [RuntimeError])])
        )
    return Case(function, (key, sig, target, body), intent, keywords=rng.random() < 0.2)


AUTHORED_MESSAGES = {
    "signing_key is required",
    "raw_body must be a str \u2014 did you pass parsed JSON by mistake?",
    "params_or_raw_body must be a str (raw body) or a dict/list of form params",
}


# Where CPython's message quotes text from the URL's userinfo (which may be a password),
# ours leaves the text out (README, "Exceptions"): these are ours.
NFKC_WITHOUT_NETLOC = "netloc contains characters that NFKC normalization turns into URL delimiters"
BRACKETED_WITHOUT_HOST = "bracketed host is not a valid IPv6 or IPvFuture address"


def _netloc(url: str) -> str:
    """The netloc as ``urlsplit`` finds it, near enough to tell whether it has an ``@``
    (after it strips tabs and newlines)."""
    url = re.sub("[\t\n\r]", "", url)
    return re.split(r"[/?#]", url.partition("//")[2], maxsplit=1)[0]


def message_of(error: BaseException, url: object) -> str | None:
    """The message to compare: every ``ValueError``'s and ``UnicodeEncodeError``'s (most are
    CPython's own, from ``urllib.parse``, ``ipaddress`` and ``str.encode``), with the
    userinfo exception applied; for other classes, only the ones the reference wrote."""
    message = str(error)
    if type(error) not in (ValueError, UnicodeEncodeError):
        return message if message in AUTHORED_MESSAGES else None
    if isinstance(url, str) and "@" in _netloc(url):
        netloc = _netloc(url)
        if message.endswith("' contains invalid characters under NFKC normalization"):
            return NFKC_WITHOUT_NETLOC
        if message.endswith(" does not appear to be an IPv4 or IPv6 address") and (
            "@" in netloc.partition("[")[2]
        ):
            return BRACKETED_WITHOUT_HOST
    return message


def outcome(case: Case, fn: Callable[..., Any]) -> tuple[Any, ...]:
    """The value, or the exception class and its message (``message_of``), and the dunder
    calls made on the case's counting objects."""
    odds = [odd for arg in case.args for odd in odds_in(arg)]
    for odd in odds:
        odd.reset()
    try:
        value = case.call(fn)
    except Exception as error:  # every exception is an outcome
        result: tuple[Any, ...] = ("raised", type(error), message_of(error, case.args[2]))
    else:
        result = ("returned", type(value), value)
    if odds:
        result += (tuple((odd.label, tuple(sorted(odd.calls.items()))) for odd in odds),)
    return result
