"""The sdist in ``dist/`` builds and works where no wheel fits (``make sdist-test``).

A fresh venv, real pip (it fetches maturin for the build, cargo compiles the crate), no
wheel of ours anywhere pip looks: the installed extension is the one just compiled. It
then validates signatures computed here, independently, with ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "sdist-venv"

CHECK = """
import json, sys
import signalwire.core.security as security
from signalwire.core.security import _native
key, url, body, good = sys.argv[1:5]
print(json.dumps({
    "file": security.__file__,
    "native": _native.__file__,
    "good": security.validate_webhook_signature(key, good, url, body),
    "bad": security.validate_webhook_signature(key, "0" * 40, url, body),
}))
"""


def test_sdist_builds_with_pip_in_a_fresh_venv_and_validates() -> None:
    (sdist,) = sorted((ROOT / "dist").glob("signalwire_security_native-*.tar.gz"))
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    python = VENV / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "SIGNALWIRE_SECURITY_NATIVE"}
    env.pop("CARGO_TARGET_DIR", None)
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-binary",
            "signalwire-security-native",
            str(sdist),
        ],
        check=True,
        env=env,
    )
    key, url, body = "PSK_sdist_abc", "https://example.com/hook?a=1", '{"event":"x"}'
    good = hmac.new(key.encode(), (url + body).encode(), hashlib.sha1).hexdigest()
    out = subprocess.run(
        [python, "-c", CHECK, key, url, body, good],
        check=True,
        text=True,
        stdout=subprocess.PIPE,
        env=env,
        cwd=VENV,
    ).stdout
    facts = json.loads(out)
    assert facts["good"] is True and facts["bad"] is False
    site = (VENV / "lib").resolve()
    assert Path(facts["native"]).resolve().is_relative_to(site), facts
    assert Path(facts["file"]).parent.parent.name == "signalwire_security_native"
