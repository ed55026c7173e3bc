"""Slow paths of the native validators, for argument types their fast paths do not take.

Python applies its own rules here (``<`` between names, ``format()`` of values, tuple
unpacking, ``urlparse`` of a non-str URL, ``str()`` of a non-str signature), so unusual
inputs give exactly the results, exceptions and dunder calls the reference gives. The
native module calls these; they are not public API.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlparse

_by_name = itemgetter(0)


def _flatten(params: Mapping[Any, Any] | Iterable[Any]) -> list[tuple[Any, Any]]:
    if isinstance(params, Mapping):
        flat: list[tuple[Any, Any]] = []
        for name, value in params.items():
            if isinstance(value, (list, tuple)):
                flat.extend((name, item) for item in value)
            else:
                flat.append((name, value))
        return flat
    return [(name, value) for name, value in params]


def signing_pairs(params: Mapping[Any, Any] | Iterable[Any]) -> list[tuple[str, str]]:
    """Names and values as Scheme B signs them: stably sorted by name, each formatted as
    an f-string formats it, ``None`` values empty."""
    if not params:
        return []
    flat = _flatten(params)
    flat.sort(key=_by_name)
    return [(f"{name}", "" if value is None else f"{value}") for name, value in flat]


def raise_for_foreign_url(url: Any) -> NoReturn:
    """Raise what the reference raises for a non-str URL next to pre-parsed params."""
    parsed = urlparse(url)
    _ = parsed.hostname, parsed.port, parse_qsl(parsed.query, keep_blank_values=True)
    _ = url + ""
    raise TypeError("url must be a str")


def signature_matches(expected: str, signature: object) -> bool:
    """One comparison of a signature that is not an exact str: ``str(signature)`` now (the
    native code calls this once per comparison, after computing ``expected``), and a
    ``TypeError``/``ValueError`` from it, or from comparing non-ASCII text, is a mismatch."""
    try:
        return hmac.compare_digest(expected, str(signature))
    except (TypeError, ValueError):
        return False
