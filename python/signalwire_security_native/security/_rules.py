"""What every adapter asks the same way: which requests need a signature, and what its
options mean.

**Which requests.** A request needs a signature when its path is protected and it has a
body or a method other than ``GET``, ``HEAD`` and ``OPTIONS``. Only a body-less request of
those three methods passes unsigned: SignalWire POSTs its webhooks, and a handler of such a
request reads no body (a GET's query string is not checked: use a view decorator, which
checks every request, on a view that takes its callbacks by GET).

**Which paths.** With no ``paths`` every path is protected (deny by default). With
``paths``, an entry protects every path that has it at a segment start, whatever
follows (``/hooks`` protects ``/hooks``, ``/hooks/call/1``, ``/hooks.json`` and
``/hookshot``: routes that match more than their text) and whatever comes before
(``/fr/hooks``: a language or mount prefix the entry does not name), and each end part of
an entry protects the paths it starts (``/api/hooks`` also protects ``/hooks``: a prefix a
proxy stripped before the app saw the path). Matching ignores case and repeated and
trailing slashes, takes ``.``/``..`` segments both as they stand and resolved, and is
tried on both the path the application routes on and the full path (with the mount point
or ``root_path``), so a request a router sends to a protected view cannot slip past it by
spelling its path another way. A route pattern that matches text not starting at a
segment (``re_path(r"hooks")`` without ``^``) is beyond it: leave ``paths`` unset, or list
what such a route matches.

**Options.** Values given in code must have their type (``trust_proxy=True``, not
``"true"``); values read from Flask config, Django settings or the environment may also be
text, parsed explicitly. Error messages name the option and what it takes, never the value
(it may be a key pasted into the wrong setting).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from ._request import POLICIES, HeaderPolicy

UNSIGNED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_POLICY: HeaderPolicy = "strict"

# Characters no path entry needs: queries, fragments, list separators someone might try
# (``"/a;/b"``), patterns (``*``), escapes (``%``: entries are decoded paths) and ``\\``.
_NOT_IN_PATHS = frozenset('?#;:,|*%\\<>"^`{}')
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


# ---- options ------------------------------------------------------------------------------


def flag(value: Any, name: str, *, text: bool = False) -> bool:
    """A boolean option: a ``bool``; with ``text`` (configuration) also ``0``/``1`` and
    the words true/false, yes/no, on/off in any case.

    Raises:
        TypeError, ValueError: anything else.
    """
    if isinstance(value, bool):
        return value
    if text and isinstance(value, int) and value in (0, 1):
        return bool(value)
    if text and isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError(f"{name} must be one of true/false, 1/0, yes/no, on/off")
    if text:
        raise TypeError(f"{name} must be a bool or one of true/false, 1/0, yes/no, on/off")
    raise TypeError(f"{name} must be a bool (True or False)")


def size(value: Any, name: str, *, text: bool = False) -> int:
    """A positive byte count: an ``int`` (not a ``bool``); with ``text`` also decimal
    digits.

    Raises:
        TypeError, ValueError: anything else, or not positive.
    """
    if text and isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(f"{name} must be a positive whole number of bytes")
        value = int(digits)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (a number of bytes)")
    if value < 1:
        raise ValueError(f"{name} must be a positive number of bytes")
    return value


def policy(value: Any, name: str) -> HeaderPolicy:
    """``"strict"`` or ``"fallback"``.

    Raises:
        ValueError: anything else (the value is not repeated).
    """
    for known in POLICIES:
        if value == known and isinstance(value, str):
            return known
    raise ValueError(f"{name} must be 'fallback' or 'strict'")


def keys(
    signing_key: Any,
    signing_keys: Any,
    names: tuple[str, str] = ("signing_key", "signing_keys"),
    *,
    text: bool = False,
) -> list[str]:
    """The keys an adapter signs with: ``signing_key`` or ``signing_keys`` (called
    ``names`` in errors), not both, each a non-blank ``str`` without surrounding white
    space; with ``text`` (configuration), keys are stripped and ``signing_keys`` may also be
    one comma-separated str.

    Raises:
        TypeError, ValueError: no key, both, a key that is not a non-empty str.
    """
    key_name, keys_name = names
    if signing_keys is None:
        if signing_key is not None and not isinstance(signing_key, str):
            raise TypeError(f"{key_name} must be a str")
        if not signing_key:
            raise ValueError(f"{key_name} is required")
        return [_key(signing_key.strip() if text else signing_key, key_name)]
    if signing_key is not None:
        raise TypeError(f"give {key_name} or {keys_name}, not both")
    if isinstance(signing_keys, str):
        if not text:
            raise TypeError(f"{keys_name} must be a collection of keys, not one str")
        signing_keys = [part for part in signing_keys.split(",") if part.strip()]
    if isinstance(signing_keys, Mapping) or not isinstance(signing_keys, Iterable):
        raise TypeError(f"{keys_name} must be a collection of str keys")
    found = list(signing_keys)
    if not found:
        raise ValueError(f"{keys_name} must hold at least one key")
    if not all(isinstance(key, str) and key for key in found):
        raise TypeError(f"{keys_name} must hold non-empty str keys")
    return [_key(key.strip() if text else key, keys_name) for key in found]


def _key(key: str, name: str) -> str:
    """A key as given, refused when blank (anyone could sign) or padded with white space (a
    newline read from a file: no signature would ever match)."""
    if not key.strip():
        raise ValueError(f"{name} is blank")
    if key != key.strip():
        raise ValueError(f"{name} has leading or trailing white space (a newline from a file?)")
    return key


def paths(value: Any, name: str = "paths", *, text: bool = False) -> Paths:
    """``None`` (every path) or a non-empty collection of paths that start with ``/``;
    with ``text``, also one comma-separated str.

    Raises:
        TypeError, ValueError: a str in code, an empty collection, an entry that is not a
        path (a relative path, a URL, a query, a control character or space).
    """
    if value is None:
        return Paths(None)
    if isinstance(value, str):
        if not text:
            raise TypeError(f"{name} must be a collection of paths, not one str")
        value = [part.strip() for part in value.split(",")]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a collection of paths such as ['/webhook']")
    entries = list(value)
    if not entries:
        raise ValueError(f"{name} is empty: leave it unset to protect every path")
    for entry in entries:
        if not isinstance(entry, str):
            raise TypeError(f"{name} entries must be str paths such as '/webhook'")
        if (
            not entry.startswith("/")
            or entry.startswith("//")
            or any(c in _NOT_IN_PATHS or c.isspace() or not c.isprintable() for c in entry)
        ):
            raise ValueError(
                f"{name} entries must be paths such as '/webhook', one per entry: a leading"
                " '/', no scheme, host, query, spaces, patterns, escapes or separators"
                " (? # ; : , | * % \\)"
            )
    return Paths(entries)


# ---- which requests -----------------------------------------------------------------------


def _spellings(path: str) -> tuple[str, str]:
    """Two spellings of ``path`` that cover what routers could make of it, both case
    folded, without repeated, leading or trailing slashes: ``.``/``..`` kept as segments
    (a router that does not resolve them, with a catch-all below a protected path) and
    resolved (one that does). ``""`` is the root."""
    folded = path.casefold()
    kept = "/".join(segment for segment in folded.split("/") if segment)
    resolved = posixpath.normpath("/" + folded).strip("/")
    return kept, "" if resolved == "." else resolved


class Paths:
    """The protected paths: every path (``None``), or the listed ones with what lies below
    them, wherever they stand in a path, and the end parts of each at the start of one."""

    __slots__ = ("_every", "_heads", "_wholes", "entries")

    def __init__(self, entries: Iterable[str] | None) -> None:
        self.entries: tuple[str, ...] | None = None if entries is None else tuple(entries)
        wholes: set[str] = set()
        heads: set[str] = set()
        for entry in self.entries or ():
            for spelling in _spellings(entry):
                wholes.add(spelling)
                segments = spelling.split("/")
                heads.update("/".join(segments[k:]) for k in range(1, len(segments)))
        # An entry from any segment start on (after a language or mount prefix it does not
        # name), and an end part of it at the start (a prefix a proxy stripped). Neither
        # needs a segment end after it: routes that match more than their text
        # (``^webhook`` without ``$``, ``/webhook.<format>``) are covered.
        self._every = "" in wholes
        self._wholes = frozenset(f"/{w}" for w in wholes if w)
        self._heads = frozenset(heads)

    def __repr__(self) -> str:
        return "every path" if self.entries is None else repr(list(self.entries))

    def cover(self, *spellings: str) -> bool:
        """Whether any spelling of a request's path (the routed path, the full path) is
        protected."""
        if self.entries is None or self._every:
            return True
        for spelling in spellings:
            for path in _spellings(spelling):
                framed = f"/{path}"
                if any(whole in framed for whole in self._wholes):
                    return True
                if any(path.startswith(head) for head in self._heads):
                    return True
        return False


def declares_body(content_length: str | None, transfer_encoding: str | None) -> bool:
    """Whether the headers announce a body: any ``Transfer-Encoding``, or a
    ``Content-Length`` other than ``0`` (a malformed one included)."""
    if transfer_encoding is not None:
        return True
    if content_length is None:
        return False
    return content_length.strip() not in ("", "0")


# What a Host (or X-Forwarded-Host) holds besides a host and a port ends the authority in
# the URL built from it: "h/a" + "/webhook" is the URL of another path, signed for that
# path, so a request captured there could be replayed to this one.
_NOT_IN_HOST = frozenset("/?#@\\\x7f") | {chr(c) for c in range(33)}


def names_host(value: str | None) -> bool:
    """Whether a ``Host`` header's value is a host and port and nothing else (no path,
    query, fragment, user, backslash, white space or control character). An absent or
    empty one is fine: the server's own address is used."""
    return value is None or not _NOT_IN_HOST.intersection(value)


def empty_unproven(content_length: str | None, transfer_encoding: str | None, body: bytes) -> bool:
    """Whether ``body`` is empty though only ``Transfer-Encoding`` framed it: an empty
    chunked body cannot be told from one a layer above read first (a ``before_request``
    hook on ``request.input_stream``, a WSGI layer outside), and checking ``b""`` would let
    a URL-only signature vouch for what that layer handed on."""
    return not body and not (content_length or "").strip() and bool(transfer_encoding)


def needs_signature(method: str, has_body: bool) -> bool:
    """For a request on a protected path: everything but a body-less GET, HEAD or
    OPTIONS."""
    return has_body or method not in UNSIGNED_METHODS
