"""Demo: a FastAPI webhook receiver behind WebhookSignatureMiddleware, on 127.0.0.1.

It starts a real uvicorn server on a free loopback port, plays the SignalWire platform with
httpx (signing requests the way the platform does), prints what each request got, and exits
non-zero if any answer is not the expected one.
"""

from __future__ import annotations

import base64
import hmac
import json
import socket
import sys
import threading
import time
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn
from fastapi import Depends, FastAPI, Request

from signalwire.core.security import make_webhook_validation_dependency
from signalwire.core.security.asgi import WebhookSignatureMiddleware

SIGNING_KEY = "PSKdemo-0123456789abcdef"
PUBLIC_BASE = "https://demo-agent.example.ngrok.io"


def build_app() -> FastAPI:
    app = FastAPI()

    @app.post("/webhook")
    async def relay_event(request: Request) -> dict[str, str]:
        event = json.loads(await request.body())
        return {"handled": event["event"]}

    @app.post("/cxml")
    async def cxml_callback(request: Request) -> dict[str, str]:
        form = parse_qsl((await request.body()).decode())
        return {"digits": ",".join(v for k, v in form if k == "Digits")}

    # The other integration: a FastAPI dependency on one route (the middleware below does
    # not cover /swaig). It leaves the raw body on request.state for the handler.
    signed = make_webhook_validation_dependency(SIGNING_KEY, trust_proxy=True)

    @app.post("/swaig", dependencies=[Depends(signed)])
    async def swaig_call(request: Request) -> dict[str, str]:
        return {"function": json.loads(request.state.raw_body)["function"]}

    app.add_middleware(
        WebhookSignatureMiddleware,
        signing_key=SIGNING_KEY,
        paths=["/webhook", "/cxml"],
        trust_proxy=True,
    )
    return app


def scheme_a(key: str, url: str, body: str, digest: str = "sha1") -> str:
    return hmac.new(key.encode(), (url + body).encode(), digest).hexdigest()


def scheme_b(key: str, url: str, params: list[tuple[str, str]]) -> str:
    message = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(key.encode(), message.encode(), "sha1").digest()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def requests_to_send(base: str) -> list[tuple[str, str, dict[str, str], str, int]]:
    """(label, path, headers, body, expected status)."""
    event = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})
    form = [("CallSid", "CA123"), ("Digits", "1"), ("From", "+15551230000"), ("Digits", "2")]
    form_body = urlencode(form)
    webhook, cxml, swaig = f"{base}/webhook", f"{base}/cxml", f"{base}/swaig"
    call = json.dumps({"function": "get_weather", "argument": {"parsed": [{"city": "Oslo"}]}})
    proxied = {
        "x-forwarded-host": PUBLIC_BASE.removeprefix("https://"),
        "x-forwarded-proto": "https",
    }
    return [
        (
            "RELAY JSON, X-SignalWire-Signature (Scheme A)",
            "/webhook",
            {"x-signalwire-signature": scheme_a(SIGNING_KEY, webhook, event)},
            event,
            200,
        ),
        (
            "RELAY JSON, X-SignalWire-Sha256-Signature",
            "/webhook",
            {"x-signalwire-sha256-signature": scheme_a(SIGNING_KEY, webhook, event, "sha256")},
            event,
            200,
        ),
        (
            "cXML form, repeated Digits (Scheme B)",
            "/cxml",
            {
                "x-twilio-signature": scheme_b(SIGNING_KEY, cxml, form),
                "content-type": "application/x-www-form-urlencoded",
            },
            form_body,
            200,
        ),
        (
            "behind a proxy (X-Forwarded-Host)",
            "/webhook",
            {
                "x-signalwire-signature": scheme_a(SIGNING_KEY, PUBLIC_BASE + "/webhook", event),
                **proxied,
            },
            event,
            200,
        ),
        (
            "tampered body",
            "/webhook",
            {"x-signalwire-signature": scheme_a(SIGNING_KEY, webhook, event)},
            event.replace("answered", "ended"),
            403,
        ),
        (
            "signed with the wrong key",
            "/webhook",
            {"x-signalwire-signature": scheme_a("PSKsomeone-else", webhook, event)},
            event,
            403,
        ),
        ("unsigned", "/webhook", {}, event, 403),
        (
            "SWAIG call, FastAPI dependency (Scheme A)",
            "/swaig",
            {"x-signalwire-signature": scheme_a(SIGNING_KEY, swaig, call)},
            call,
            200,
        ),
        (
            "SWAIG call, FastAPI dependency, forged",
            "/swaig",
            {"x-signalwire-signature": scheme_a(SIGNING_KEY, webhook, call)},
            call,
            403,
        ),
    ]


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(build_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            print("server did not start", file=sys.stderr)
            return 2
        time.sleep(0.02)

    rows = []
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for label, path, headers, body, expected in requests_to_send(base):
                got = client.post(path, content=body.encode(), headers=headers).status_code
                rows.append((label, expected, got))
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    width = max(len(label) for label, _, _ in rows)
    print(f"signalwire.core.security demo receiver on {base} (uvicorn, FastAPI)\n")
    print(f"{'request':<{width}}  expected  got  ")
    print(f"{'-' * width}  --------  ---  ----")
    for label, expected, got in rows:
        print(f"{label:<{width}}  {expected:>8}  {got:>3}  {'ok' if got == expected else 'WRONG'}")
    wrong = sum(1 for _, expected, got in rows if got != expected)
    print(f"\n{len(rows) - wrong} of {len(rows)} answers as expected; server stopped.")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
