"""``signalwire-webhook`` (also ``python -m signalwire.core.security``): sign and verify
SignalWire webhook signatures from the command line, and ``doctor`` the installation.

The key comes from the ``SIGNALWIRE_SIGNING_KEY`` environment variable or ``--key-file``,
not from the command line (other users can read a process's arguments); ``--key`` works
but warns. Exit codes: 0 valid (or signed), 1 invalid, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from ._native import _explain
from .signing import sign_webhook
from .validator import WebhookValidator
from .webhook_validator import (
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

KEY_VARIABLE = "SIGNALWIRE_SIGNING_KEY"
VERIFY_SCHEMES = ("auto", "scheme_a_sha256", "scheme_b")
# What each header value looks like; the shape alone picks a hint, never the key.
SHAPES = {
    "scheme_a_sha256": (
        re.compile(r"[0-9a-fA-F]{64}"),
        "64 hex characters look like an X-SignalWire-Sha256-Signature",
    ),
    "scheme_a": (
        re.compile(r"[0-9a-fA-F]{40}"),
        "40 hex characters look like a Scheme A X-SignalWire-Signature",
    ),
    "scheme_b": (
        re.compile(r"[A-Za-z0-9+/]{27}="),
        "28 base64 characters look like a Scheme B (compat/cXML) signature",
    ),
}
# The shapes each `verify --scheme` checks, and the --scheme to suggest for each shape.
CHECKS = {
    "auto": ("scheme_a", "scheme_b"),
    "scheme_a_sha256": ("scheme_a_sha256",),
    "scheme_b": ("scheme_b",),
}
CHECKED_BY = {"scheme_a_sha256": "scheme_a_sha256", "scheme_a": "auto", "scheme_b": "auto"}
EXAMPLES = f"""\
examples:
  export {KEY_VARIABLE}=PSK_...                       # or: --key-file ~/.signalwire-key
  echo -n '{{"event":"call.state"}}' | signalwire-webhook sign https://example.com/hook
  signalwire-webhook sign --scheme scheme_b --body-file form.txt https://example.com/cxml
  signalwire-webhook verify --signature "$SIG" --body-file body.json https://example.com/hook
  signalwire-webhook verify --explain --signature "$SIG" --body-file body.json \\
      https://public.example.com/hook    # which URL variant and param shape matched
  signalwire-webhook verify --scheme scheme_a_sha256 --signature "$SIG" \\
      --body-file body.json https://example.com/hook    # X-SignalWire-Sha256-Signature
  signalwire-webhook doctor             # is signalwire.core.security native here?

exit status: 0 valid (or signed), 1 invalid, 2 usage error
"""


class UsageError(Exception):
    """A problem with how the tool was called (exit status 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signalwire-webhook",
        description="Sign and verify SignalWire webhook signatures.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "doctor",
        help="say whether signalwire.core.security validates natively here",
        description="Report our version, the interpreter and its URL rules, the SDK, the "
        "import hook and its escape hatch; exit 0 when validation is native (or no SDK is "
        "installed), 1 when the SDK validates in pure Python.",
    )
    for name, text in (
        ("sign", "print the signature header value the platform would send"),
        ("verify", "check a signature; exit 0 if valid, 1 if not"),
    ):
        command = commands.add_parser(
            name,
            help=text,
            description=text,
            epilog=EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_argument("url", help="the URL SignalWire POSTed to, as the platform saw it")
        command.add_argument(
            "--body-file", default="-", help="file holding the raw body (default: stdin)"
        )
        command.add_argument("--key-file", help=f"file holding the key (else ${KEY_VARIABLE})")
        command.add_argument("--key", help="the key itself (visible to other users: warns)")
        if name == "sign":
            command.add_argument(
                "--scheme",
                choices=("scheme_a", "scheme_a_sha256", "scheme_b"),
                default="scheme_a",
                help="scheme_a: X-SignalWire-Signature of a JSON body (default); "
                "scheme_a_sha256: X-SignalWire-Sha256-Signature; scheme_b: compat/cXML form",
            )
        else:
            command.add_argument("--signature", required=True, help="the header value")
            command.add_argument(
                "--strict",
                action="store_true",
                help="the strict policy: a Scheme B signature over the URL alone does not "
                "vouch for a body unless the URL carries its bodySHA256",
            )
            command.add_argument(
                "--scheme",
                choices=VERIFY_SCHEMES,
                default="auto",
                help="auto: X-SignalWire-Signature, Scheme A then Scheme B, as the validators "
                "do (default); scheme_a_sha256: X-SignalWire-Sha256-Signature; scheme_b: "
                "Scheme B (compat/cXML) only",
            )
            command.add_argument(
                "--explain",
                action="store_true",
                help="list what was tried (URL variants, param shapes) and what matched",
            )
    return parser


def _key(args: argparse.Namespace) -> str:
    if args.key is not None:
        print(
            "warning: --key puts the signing key where other users can see it "
            f"(ps, shell history); prefer ${KEY_VARIABLE} or --key-file",
            file=sys.stderr,
        )
        key: str = args.key
    elif args.key_file is not None:
        try:
            key = Path(args.key_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise UsageError(f"cannot read --key-file {args.key_file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"cannot read --key-file {args.key_file}: not UTF-8") from None
    else:
        key = os.environ.get(KEY_VARIABLE, "")
    if not key:
        raise UsageError(f"no signing key: set ${KEY_VARIABLE} or pass --key-file")
    return key


def _body(args: argparse.Namespace) -> str:
    try:
        raw = (
            sys.stdin.buffer.read() if args.body_file == "-" else Path(args.body_file).read_bytes()
        )
    except OSError as error:
        raise UsageError(f"cannot read --body-file {args.body_file}: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        source = "stdin" if args.body_file == "-" else args.body_file
        raise UsageError(f"the body ({source}) is not UTF-8: SignalWire signs UTF-8 text") from None


def shape_of(signature: str) -> str | None:
    """Which header value ``signature`` looks like (``None``: none of them)."""
    for name, (pattern, _) in SHAPES.items():
        if pattern.fullmatch(signature):
            return name
    return None


def verify(scheme: str, key: str, signature: str, url: str, body: str) -> bool:
    """The answer of ``verify --scheme scheme``.

    ``auto`` is ``validate_webhook_signature`` (Scheme A, then Scheme B); ``scheme_b``
    accepts what it accepts through Scheme B only: a Scheme A signature is 40 hex
    characters and a Scheme B one 28 base64 characters, so the shape tells which scheme
    matched. Raises the validators' ``ValueError`` for a URL that does not parse.
    """
    if scheme == "scheme_a_sha256":
        return validate_webhook_signature_sha256(key, signature, url, body)
    valid = validate_webhook_signature(key, signature, url, body)
    if scheme == "scheme_b":
        return valid and shape_of(signature) == "scheme_b"
    return valid


def _line(scheme: str, shape: str, url: str, verdict: str) -> str:
    return f"  scheme {scheme}  {shape:<11}  {url}  -> {verdict}"


def explain_lines(scheme: str, key: str, signature: str, url: str, body: str) -> list[str]:
    """What ``verify --scheme scheme`` tried and which attempt matched; never an expected
    signature or the key."""
    if scheme == "scheme_a_sha256":
        # One message: the URL then the body, under HMAC-SHA256.
        matched = validate_webhook_signature_sha256(key, signature, url, body)
        verdict = "MATCH" if matched else "no match"
        return ["attempts (HMAC-SHA256):", _line("A", "body", url, verdict)]
    lines = ["attempts (Scheme B only):" if scheme == "scheme_b" else "attempts:"]
    for name, candidate, shape, matched, body_ok in _explain(key, signature, url, body):
        if scheme == "scheme_b" and name != "B":
            continue
        verdict = "MATCH" if matched else "no match"
        if matched and body_ok is False:
            verdict = "MATCH, but the body does not hash to the URL's bodySHA256"
        lines.append(_line(name, shape, candidate, verdict))
    return lines


_LOCAL_HOSTS = re.compile(
    r"(localhost|127(\.\d+){3}|0\.0\.0\.0|\[::1\]|10(\.\d+){3}|192\.168(\.\d+){2})"
)


def url_warning(url: str) -> str | None:
    """A warning for a URL that cannot be what the platform signed: no scheme and host."""
    split = urlsplit(url)
    if split.scheme in ("http", "https") and split.netloc:
        return None
    return (
        "warning: the URL has no http(s) scheme and host; SignalWire signs the full URL it"
        " posted to, such as https://example.ngrok.io/webhook"
    )


def likely_cause(url: str) -> list[str]:
    """After ``--explain`` found no match: the usual reasons, the URL first."""
    split = urlsplit(url)
    lines = ["likely cause: no URL variant matched with this key."]
    if _LOCAL_HOSTS.fullmatch(split.hostname or ""):
        lines.append(
            f"  - the URL names a local host ({split.netloc}): SignalWire posted to your public"
            " URL (a tunnel or a load balancer); verify with that one, and give it to the"
            " adapters as public_url="
        )
    lines += [
        "  - the URL must be exactly the one SignalWire posted to: scheme (http or https),"
        " host, port, path (a trailing /) and query as configured in the dashboard",
        "  - behind a proxy the server sees another URL: set public_url= (or trust_proxy when"
        " the proxy sets X-Forwarded-Host/-Proto)",
        "  - the key: the Signing Key of the project that sent the webhook (after a rotation,"
        " the new one)",
    ]
    return lines


def hint(scheme: str, signature: str) -> str | None:
    """For a signature that did not verify: the ``--scheme`` its shape calls for, if that is
    not the one used. Only the signature's shape decides (it is the caller's input)."""
    shape = shape_of(signature)
    if shape is None or shape in CHECKS[scheme]:
        return None
    suggested = CHECKED_BY[shape] + (" (the default)" if CHECKED_BY[shape] == "auto" else "")
    return f"hint: {SHAPES[shape][1]}: try --scheme {suggested}"


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from .doctor import main as doctor  # noqa: PLC0415 - only this command needs it

        return doctor()
    try:
        key, body = _key(args), _body(args)
        warning = url_warning(args.url)
        if warning is not None:
            print(warning, file=sys.stderr)
        if args.command == "sign":
            print(sign_webhook(key, args.url, body, scheme=args.scheme))
            return 0
        valid = verify(args.scheme, key, args.signature, args.url, body)
        if valid and args.strict and args.scheme != "scheme_a_sha256":
            valid = WebhookValidator(key, policy="strict").validate(args.signature, args.url, body)
        if args.explain:
            print("\n".join(explain_lines(args.scheme, key, args.signature, args.url, body)))
            if not verify(args.scheme, key, args.signature, args.url, body):
                print("\n".join(likely_cause(args.url)))
    except UsageError as error:
        print(f"signalwire-webhook: {error}", file=sys.stderr)
        return 2
    except UnicodeEncodeError as error:  # a lone surrogate (its message never holds the key)
        print(f"signalwire-webhook: an argument is not UTF-8 text: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # the URL does not parse (the message never holds the key)
        print(
            f"signalwire-webhook: the URL argument does not parse: {error}",
            file=sys.stderr,
        )
        return 2
    print("valid" if valid else "invalid", flush=True)
    advice = None if valid else hint(args.scheme, args.signature)
    if advice is not None:
        print(advice, file=sys.stderr)
    return 0 if valid else 1


def main() -> NoReturn:
    """Console-script entry point."""
    sys.exit(run())
