"""Writes the fuzz targets' seed corpus into fuzz/corpus/<target>/.

Seeds are the canonical vectors (tests/vectors/canonical.json) and the inputs the
differential tests generate (tests/cases.py, driven by the pinned reference), framed as
the targets read them: fields separated by the byte 0xFF, the first field a flags byte.
Run from anywhere with the project's .venv: ``.venv/bin/python fuzz/seed.py [COUNT]``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import cases  # noqa: E402
import reference  # noqa: E402

SEPARATOR = b"\xff"


def frame(flags: int, texts: Iterable[str]) -> bytes:
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    return SEPARATOR.join([bytes([flags]), *encoded])


def vectors() -> Iterator[tuple[str, bytes]]:
    data = json.loads((ROOT / "tests" / "vectors" / "canonical.json").read_text())
    for v in data["scheme_a"]:
        yield "validators", frame(0, [v["key"], v["signature"], v["url"], v["body"]])
        yield "validators", frame(2, [v["key"], "", v["url"], v["body"]])
        yield "validators", frame(4, [v["key"], "", v["url"], v["body"]])
        yield "urlsplit", frame(0, [v["url"]])
    for v in data["scheme_b"]:
        pairs = [text for pair in v["params"] for text in pair]
        yield "params", frame(0, [v["key"], v["signature"], v["url"], *pairs])
        yield "params", frame(2, [v["key"], "", v["url"], *pairs])
        yield "urlsplit", frame(1, [v["url"]])
    for v in data["body_sha256"]:
        for body in (v["body"], v["other_body"]):
            yield "validators", frame(0, [v["key"], v["signature"], v["url"], body])
        yield "form", frame(0, [v["url"].partition("?")[2], "bodySHA256"])


def param_pairs(body: Any) -> list[str] | None:
    """Names and values of a params body whose items are all text."""
    items = list(body.items()) if hasattr(body, "items") else body
    if not isinstance(items, list | tuple):
        return None
    texts: list[str] = []
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            return None
        if not all(isinstance(x, str) for x in item):
            return None
        texts.extend(item)
    return texts


def generated(count: int) -> Iterator[tuple[str, bytes]]:
    ref = reference.load("webhook_validator")
    rng = random.Random(20261122)
    for _ in range(count):
        case = cases.make_case(rng, ref)
        key, sig, url, body = case.args
        if not all(isinstance(x, str) for x in (key, sig, url)):
            continue
        flags = rng.randrange(256) & ~0b110  # keep the given signature
        yield "urlsplit", frame(0, [url])
        if isinstance(body, str):
            yield "validators", frame(flags, [key, sig, url, body])
            yield "form", frame(0, [body, "bodySHA256"])
        elif (pairs := param_pairs(body)) is not None:
            yield "params", frame(flags & ~0b10, [key, sig, url, *pairs])


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    written: dict[str, int] = {}
    for target, data in [*vectors(), *generated(count)]:
        folder = ROOT / "fuzz" / "corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        written[target] = written.get(target, 0) + 1
    print("seed corpus:", ", ".join(f"{t} {n}" for t, n in sorted(written.items())))


if __name__ == "__main__":
    main()
