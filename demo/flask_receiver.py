"""Demo: a Flask webhook receiver on a real waitress server on 127.0.0.1, next to the FastAPI
one (receiver.py), answering the same requests the same way.

``SignalWireWebhooks`` (the extension: the WSGI middleware around ``app.wsgi_app``) guards
``/webhook`` and ``/cxml``; the ``validate_signalwire_request`` decorator guards ``/swaig``.
Both read the app's config. The platform's side is played with httpx, as in receiver.py;
exits non-zero if any answer is not the expected one.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import httpx
import waitress.server
from flask import Flask, request
from receiver import SIGNING_KEY, requests_to_send

from signalwire.core.security.flask import SignalWireWebhooks, validate_signalwire_request


def build_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SIGNALWIRE_SIGNING_KEY=SIGNING_KEY,
        SIGNALWIRE_WEBHOOK_PATHS=["/webhook", "/cxml"],
        SIGNALWIRE_TRUST_PROXY=True,  # the demo plays a proxy too (X-Forwarded-Host)
    )

    @app.post("/webhook")
    def relay_event() -> dict[str, Any]:
        return {"handled": json.loads(request.get_data())["event"]}

    @app.post("/cxml")
    def cxml_callback() -> dict[str, Any]:
        return {"digits": ",".join(request.form.getlist("Digits"))}

    @app.post("/swaig")
    @validate_signalwire_request
    def swaig_call() -> dict[str, Any]:
        return {"function": json.loads(request.get_data())["function"]}

    SignalWireWebhooks(app)
    return app


def serve(app: Flask, port: int) -> Any:
    """A waitress server for ``app`` on 127.0.0.1 that keeps the X-Forwarded-* headers for
    the app (waitress drops them by default unless it applies them itself, for proxies
    named in its ``trusted_proxy``)."""
    return waitress.server.create_server(
        app, host="127.0.0.1", port=port, threads=4, clear_untrusted_proxy_headers=False
    )


def main() -> int:
    server = serve(build_app(), port=0)
    base = f"http://127.0.0.1:{server.effective_port}"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    rows = []
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for label, path, headers, body, expected in requests_to_send(base):
                got = client.post(path, content=body.encode(), headers=headers).status_code
                rows.append((label.replace("FastAPI dependency", "Flask decorator"), expected, got))
    finally:
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):
            channel.close()
        thread.join(timeout=10)

    width = max(len(label) for label, _, _ in rows)
    print(f"\nthe same requests to the Flask receiver on {base} (waitress, Flask)\n")
    print(f"{'request':<{width}}  expected  got  ")
    print(f"{'-' * width}  --------  ---  ----")
    for label, expected, got in rows:
        print(f"{label:<{width}}  {expected:>8}  {got:>3}  {'ok' if got == expected else 'WRONG'}")
    wrong = sum(1 for _, expected, got in rows if got != expected)
    print(f"\n{len(rows) - wrong} of {len(rows)} answers as expected; server stopped.")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
