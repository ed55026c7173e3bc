"""Real WSGI servers on 127.0.0.1 in a thread: waitress (buffers the whole body before the
app runs, sets ``Content-Length`` for a chunked body) and Werkzeug's development server
(streams the body: a chunked body arrives with ``wsgi.input_terminated`` and no length)."""

from __future__ import annotations

import threading
import time
from typing import Any, TypeVar

import httpx
import waitress.server
from werkzeug.serving import make_server

from live import raw_status

W = TypeVar("W", bound="WSGIServer")
KINDS = ("waitress", "werkzeug")


class WSGIServer:
    """``with WSGIServer(app, "waitress") as s:`` serves ``app`` on ``s.base``."""

    def __init__(self, app: Any, kind: str = "waitress", threads: int = 4) -> None:
        self.kind = kind
        if kind == "waitress":
            self._waitress = waitress.server.create_server(
                app, host="127.0.0.1", port=0, threads=threads, clear_untrusted_proxy_headers=False
            )
            self.port: int = self._waitress.effective_port
            target = self._run_waitress
        else:
            self._werkzeug = make_server("127.0.0.1", 0, app, threaded=True)
            self.port = self._werkzeug.server_port
            target = self._werkzeug.serve_forever
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=target, daemon=True)

    _stopping = False

    def _run_waitress(self) -> None:
        try:
            self._waitress.run()
        except OSError:  # its loop met a socket __exit__ closed under it
            if not self._stopping:
                raise

    def __enter__(self: W) -> W:
        self.thread.start()
        deadline = time.monotonic() + 15
        while True:
            try:
                raw_status(self.port, b"GET /__ping HTTP/1.1\r\nHost: x\r\n\r\n")
                return self
            except OSError:
                assert time.monotonic() < deadline, f"{self.kind} did not start"
                time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        if self.kind == "waitress":
            self._waitress.task_dispatcher.shutdown()
            for channel in list(self._waitress._map.values()):  # the loop ends when empty
                channel.close()
        else:
            self._werkzeug.shutdown()
            self._werkzeug.server_close()
        self.thread.join(timeout=10)

    def post(self, path: str, body: bytes | str, headers: dict[str, str]) -> httpx.Response:
        content = body.encode() if isinstance(body, str) else body
        with httpx.Client(base_url=self.base, timeout=10) as client:
            return client.post(path, content=content, headers=headers)
