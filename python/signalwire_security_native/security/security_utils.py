"""Small hygiene helpers: keep credentials out of callbacks and logs, sanity-check hosts.

Same names and results as ``signalwire-sdk`` 3.7.5's ``security_utils``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

_V = TypeVar("_V")

#: Request headers that carry credentials (matched without regard to case).
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)

# ``scheme://user:password@`` — the user part stops at the first ``:``; neither part may
# cross a ``/`` or an ``@``. Every such userinfo in the string is masked.
_USERINFO = re.compile(r"://(?P<user>[^/@:]*):[^/@]*@")

# Any whitespace (Unicode's notion), a slash or backslash, or an ASCII control character.
_NOT_IN_HOSTNAME = re.compile(r"[\x00-\x1f\x7f\s\\/]")


def filter_sensitive_headers(headers: Mapping[str, _V]) -> dict[str, _V]:
    """A new dict of ``headers`` without the credential-bearing ones in
    ``SENSITIVE_HEADERS``; names keep their case, later duplicates win."""
    if not headers:
        return {}
    kept: dict[str, _V] = {}
    for name, value in headers.items():
        if name.lower() not in SENSITIVE_HEADERS:
            kept[name] = value
    return kept


def _mask(match: re.Match[str]) -> str:
    return f"://{match['user']}:****@"


def redact_url(url: Any) -> Any:
    """``url`` with the password of each ``user:password@`` replaced by ``****``, for logs.

    Anything that is not a ``str`` is returned as it came."""
    if isinstance(url, str):
        return _USERINFO.sub(_mask, url)
    return url


def is_valid_hostname(host: str) -> bool:
    """False for an empty host or one holding whitespace, ``/``, ``\\`` or a control
    character; a character-level check only (no DNS, no IP rules)."""
    if not host:
        return False
    return _NOT_IN_HOSTNAME.search(host) is None
