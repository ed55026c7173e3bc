"""``signalwire-webhook`` (also ``python -m signalwire.core.security``): sign and verify
SignalWire webhook signatures from the command line, and ``doctor`` the installation.

The key comes from the ``SIGNALWIRE_SIGNING_KEY`` environment variable or ``--key-file``,
not from the command line (other users can read a process's arguments); ``--key`` works
but warns. Exit codes: 0 valid (or signed), 1 invalid, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ._native import _explain
from .signing import sign_webhook
from .validator import WebhookValidator
from .webhook_validator import (
    validate_webhook_signature,
    validate_webhook_signature_sha256,
)

KEY_VARIABLE = "SIGNALWIRE_SIGNING_KEY"
EXAMPLES = f"""\
examples:
  export {KEY_VARIABLE}=PSK_...                       # or: --key-file ~/.signalwire-key
  echo -n '{{"event":"call.state"}}' | signalwire-webhook sign https://example.com/hook
  signalwire-webhook sign --scheme scheme_b --body-file form.txt https://example.com/cxml
  signalwire-webhook verify --signature "$SIG" --body-file body.json https://example.com/hook
  signalwire-webhook verify --explain --signature "$SIG" --body-file body.json \\
      https://public.example.com/hook    # which URL variant and param shape matched
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
                choices=("auto", "scheme_a_sha256"),
                default="auto",
                help="auto: X-SignalWire-Signature, Scheme A then B (default); "
                "scheme_a_sha256: X-SignalWire-Sha256-Signature",
            )
            command.add_argument(
                "--explain",
                action="store_true",
                help="list the URLs and param shapes tried and which one matched",
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
            raise UsageError(f"cannot read --key-file: {error.strerror}") from None
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
        raise UsageError(f"cannot read --body-file: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the body is not UTF-8: SignalWire signs UTF-8 text") from None


def _explain_lines(key: str, signature: str, url: str, body: str) -> list[str]:
    lines = []
    for scheme, candidate, shape, matched, body_ok in _explain(key, signature, url, body):
        verdict = "MATCH" if matched else "no match"
        if matched and body_ok is False:
            verdict = "MATCH, but the body does not hash to the URL's bodySHA256"
        lines.append(f"  scheme {scheme}  {shape:<11}  {candidate}  -> {verdict}")
    return lines


def run(argv: Sequence[str] | None = None) -> int:
    """Run the tool; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from .doctor import main as doctor  # noqa: PLC0415 - only this command needs it

        return doctor()
    try:
        key, body = _key(args), _body(args)
        if args.command == "sign":
            print(sign_webhook(key, args.url, body, scheme=args.scheme))
            return 0
        if args.scheme == "scheme_a_sha256":
            valid = validate_webhook_signature_sha256(key, args.signature, args.url, body)
        else:
            valid = validate_webhook_signature(key, args.signature, args.url, body)
            if valid and args.strict:
                valid = WebhookValidator(key, policy="strict").validate(
                    args.signature, args.url, body
                )
            if args.explain:
                print(
                    "\n".join(["attempts:", *_explain_lines(key, args.signature, args.url, body)])
                )
    except UsageError as error:
        print(f"signalwire-webhook: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # a URL that does not parse (never holds the key)
        print(f"signalwire-webhook: {error}", file=sys.stderr)
        return 2
    print("valid" if valid else "invalid")
    return 0 if valid else 1


def main() -> NoReturn:
    """Console-script entry point."""
    sys.exit(run())
