"""Peak memory of validating a 100 MB body, ours against the reference.

Each measurement runs in a fresh interpreter: the body is built and signed (in 1 MB
chunks, so signing adds no peak), the kernel's peak-RSS mark is reset
(``/proc/self/clear_refs``), the validator runs once, and the new peak minus the RSS
before the call is what validation added. Linux only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SIZE = 100 * 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import hashlib, hmac, sys
sys.path.insert(0, {tests!r})
which, function, signature_kind = sys.argv[1:4]
size = {size}
key, url = "PSK_memory", "https://example.ngrok.io/webhook"
body = '{{"event":"big","pad":"' + "x" * (size - 24) + '"}}'
digest = hashlib.sha256 if function.endswith("sha256") else hashlib.sha1
mac = hmac.new(key.encode(), url.encode(), digest)
for i in range(0, len(body), 1 << 20):
    mac.update(body[i:i + (1 << 20)].encode())
signature = {{
    "valid": mac.hexdigest(),
    "invalid": "0" * len(mac.hexdigest()),  # hex shape: Scheme A only
    "invalid-base64": "A" * 27 + "=",  # Scheme B shape: the body is parsed as a form
}}[signature_kind]
if which == "ours":
    import signalwire.core.security as module
else:
    import reference
    module = reference.load("webhook_validator")
validator = getattr(module, function)

def rss(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)

with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = rss("VmRSS:")
result = validator(key, signature, url, body)
print(result, rss("VmHWM:") - before)
"""


def measure(which: str, function: str, signature_kind: str) -> tuple[bool, int]:
    code = CHILD.format(tests=str(ROOT / "tests"), size=SIZE)
    out = subprocess.run(
        [sys.executable, "-c", code, which, function, signature_kind],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0] == "True", int(out[1])


def main() -> None:
    print(f"Peak memory added by one call on a {SIZE // (1024 * 1024)} MB str body")
    print()
    print("| call | reference | ours | ours, % of body |")
    print("|---|---:|---:|---:|")
    rows = [
        ("validate_webhook_signature", "valid"),
        ("validate_webhook_signature", "invalid"),
        ("validate_webhook_signature", "invalid-base64"),
        ("validate_webhook_signature_sha256", "valid"),
    ]
    for function, kind in rows:
        results = {which: measure(which, function, kind) for which in ("reference", "ours")}
        assert results["ours"][0] == results["reference"][0] == (kind == "valid")
        ref_mb, our_mb = (results[w][1] / 2**20 for w in ("reference", "ours"))
        print(
            f"| `{function}`, {kind} signature | {ref_mb:.1f} MB | {our_mb:.1f} MB "
            f"| {100 * results['ours'][1] / SIZE:.1f} % |"
        )


if __name__ == "__main__":
    main()
