"""``pip install "signalwire-security-native[fastapi,testing]"`` in a fresh venv brings what
Starlette's ``TestClient`` needs on the Starlette pip resolves: a signed request from
``signalwire.core.security.testing`` passes the middleware, a forged one does not, and no
warning is raised (Starlette 1.10+ deprecates plain httpx under its test client)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "testing-extra-venv"

CHECK = """
import warnings
warnings.simplefilter("error")
from fastapi import FastAPI
from fastapi.testclient import TestClient
from signalwire.core.security import WebhookSignatureMiddleware
from signalwire.core.security.testing import signed_json

KEY = "PSK_testing_extra_0123456789"
app = FastAPI()
app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY)

@app.post("/webhook")
async def webhook() -> dict[str, bool]:
    return {"ok": True}

client = TestClient(app)
signed = signed_json(KEY, "http://testserver/webhook", {"event": "x"})
forged = signed_json("PSK_someone_else_000000", "http://testserver/webhook", {"event": "x"})
print(client.post(**signed.httpx()).status_code, client.post(**forged.httpx()).status_code)
"""


def test_the_testing_extra_brings_starlettes_test_client() -> None:
    (wheel,) = sorted((ROOT / "dist").glob("signalwire_security_native-*manylinux_2_17_x86_64.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    python = VENV / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "SIGNALWIRE_SECURITY_NATIVE"}
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{wheel}[fastapi,testing]"],
        check=True,
        env=env,
    )
    out = subprocess.run(
        [python, "-c", CHECK], check=True, text=True, stdout=subprocess.PIPE, env=env, cwd=VENV
    ).stdout
    assert out.split() == ["200", "403"], out
