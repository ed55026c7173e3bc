"""Bad input end to end, on real servers on 127.0.0.1, through three integrations: on
uvicorn, ``WebhookSignatureMiddleware`` guarding ``/mw`` and the FastAPI dependency guarding
``/dep``; on waitress, a Flask app whose ``/mw`` is behind ``WSGIWebhookSignatureMiddleware``
(column "wsgi"). Requests are written as raw bytes, so that lies httpx would not tell (a wrong
``Content-Length``, a NUL in a header, a client that leaves mid-body) can be told.

Each row of ``ROWS`` is a row of the README's "Bad input, end to end" table (a test checks that they
are the same): the status each integration answers, or "no answer" when the client left
before an answer was possible. For every row: the handler runs exactly when the answer is
200 to a POST, no 500 and no error is logged, and the server answers the next request.
"no answer" is asserted, not assumed: the server closes the connection without a byte of
answer, and holds no connection of the request, within ``BOUND`` seconds; a server that
hangs, or answers, fails the row.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI, Request
from flask import Flask
from flask import request as flask_request

from live import Server, scheme_a, scheme_b, status_line
from live_wsgi import WSGIServer
from signalwire.core.security import (
    WSGIWebhookSignatureMiddleware,
    make_webhook_validation_dependency,
)
from signalwire.core.security.asgi import WebhookSignatureMiddleware

KEY = "PSKtest-bad-input-0123456789"
LIMIT = 2048
SHA1 = "X-SignalWire-Signature"
SHA256 = "X-SignalWire-Sha256-Signature"
TWILIO = "X-Twilio-Signature"
EVENT = json.dumps({"event": "calling.call.state", "params": {"call_state": "answered"}})
NO_ANSWER = "no answer"
# Seconds a server may take to answer, or to close a connection it does not answer.
BOUND = 5.0
README = Path(__file__).resolve().parent.parent / "README.md"


class Receiver(Server):
    """One app, both integrations; counts how often each POST handler ran."""

    def __init__(self) -> None:
        app = FastAPI()
        self.runs = {"/mw": 0, "/dep": 0}

        @app.post("/mw")
        async def behind_middleware(request: Request) -> dict[str, int]:
            self.runs["/mw"] += 1
            return {"received": len(await request.body())}

        @app.get("/mw")
        async def get_behind_middleware() -> dict[str, str]:
            return {"get": "ok"}

        signed = make_webhook_validation_dependency(KEY)

        @app.post("/dep", dependencies=[Depends(signed)])
        async def behind_dependency(request: Request) -> dict[str, int]:
            self.runs["/dep"] += 1
            return {"received": len(request.state.raw_body)}

        app.add_middleware(
            WebhookSignatureMiddleware, signing_key=KEY, paths=["/mw"], max_body_bytes=LIMIT
        )
        super().__init__(app)

    def open_connections(self) -> int:
        """Client connections uvicorn holds open."""
        return len(self.server.server_state.connections)


@dataclass
class Target:
    """The server and the guarded path one row is sent to."""

    port: int
    path: str

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, host: str | None = None) -> str:
        return f"http://{host or self.host}{self.path}"

    def sign(self, body: str | bytes, host: str | None = None) -> str:
        return scheme_a(KEY, self.url(host), body)

    def send(
        self,
        body: bytes | str = b"",
        headers: list[tuple[str, str | bytes]] = (),  # type: ignore[assignment]
        *,
        method: str = "POST",
        path: str | None = None,
        host: str | bytes | None = None,
        pieces: int = 1,
        pause: float = 0.0,
        leave_after: int | None = None,
        half_close: bool = False,
    ) -> int | None:
        """Send a request (``Content-Length`` added unless a header sets the framing) and
        return the status, or ``None`` when the server closes the connection without an
        answer (within ``BOUND`` seconds: longer fails). ``leave_after`` sends that many
        body bytes and closes the connection: ``None`` (the server's side is checked by
        the test)."""
        raw = body.encode() if isinstance(body, str) else body
        lines = [f"{method} {path or self.path} HTTP/1.1".encode()]
        host_value = host if host is not None else self.host
        lines.append(
            b"Host: " + (host_value.encode() if isinstance(host_value, str) else host_value)
        )
        names = {name.lower() for name, _ in headers}
        if not names & {"content-length", "transfer-encoding"}:
            lines.append(f"Content-Length: {len(raw)}".encode())
        for name, value in headers:
            lines.append(
                name.encode() + b": " + (value.encode() if isinstance(value, str) else value)
            )
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        step = max(1, -(-len(raw) // pieces))
        with socket.create_connection(("127.0.0.1", self.port), timeout=BOUND) as conn:
            try:
                conn.sendall(head)
                if leave_after is not None:
                    conn.sendall(raw[:leave_after])
                    time.sleep(0.2)
                    return None
                for start in range(0, len(raw), step):
                    if start and pause:
                        time.sleep(pause)
                    conn.sendall(raw[start : start + step])
                if half_close:
                    conn.shutdown(socket.SHUT_WR)
            except OSError:  # the server answered and closed before all was sent
                pass
            return status_line(conn)


def chunked(data: bytes, size: int) -> bytes:
    out = b""
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


@dataclass(frozen=True)
class Row:
    name: str
    send: Callable[[Target], int | None]
    middleware: str
    dependency: str
    wsgi: str
    method: str = "POST"


ROWS: list[Row] = []


Send = Callable[[Target], "int | None"]


def row(
    name: str, middleware: str, dependency: str, wsgi: str, method: str = "POST"
) -> Callable[[Send], Send]:
    def register(send: Send) -> Send:
        ROWS.append(Row(name, send, middleware, dependency, wsgi, method))
        return send

    return register


@row("signed JSON body (control)", "200", "200", "200")
def _signed(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, t.sign(EVENT))])


@row("signed form body, Scheme B (control)", "200", "200", "200")
def _signed_form(t: Target) -> int | None:
    params = [("CallSid", "CA1"), ("Digits", "1"), ("Digits", "2")]
    signature = scheme_b(KEY, t.url(), params)
    form = ("Content-Type", "application/x-www-form-urlencoded")
    return t.send(urlencode(params), [form, (TWILIO, signature)])


@row("no signature header", "403", "403", "403")
def _unsigned(t: Target) -> int | None:
    return t.send(EVENT)


@row("all three signature headers empty", "403", "403", "403")
def _empty(t: Target) -> int | None:
    return t.send(EVENT, [(SHA256, ""), (SHA1, ""), (TWILIO, "")])


@row("signature header twice, forged one first", "403", "403", "403")
def _duplicated_forged_first(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "0" * 40), (SHA1, t.sign(EVENT))])


@row("signature header twice, valid one first", "200", "200", "403")
def _duplicated_valid_first(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, t.sign(EVENT)), (SHA1, "0" * 40)])


@row(
    "valid SHA-1 header beside a forged SHA-256 header (strict: SHA-256 decides)",
    "403",
    "200",
    "403",
)
def _sha256_forged(t: Target) -> int | None:
    return t.send(EVENT, [(SHA256, "0" * 64), (SHA1, t.sign(EVENT))])


@row("signature header of 15 KB", "403", "403", "403")
def _long_header(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "a" * 15_000)])


@row("signature header of 1 MB (the server refuses the request)", "400", "400", "431")
def _huge_header(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "a" * (1 << 20))])


@row("signature with non-ASCII bytes", "403", "403", "403")
def _non_ascii(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, t.sign(EVENT)[:-2].encode() + b"\xe9\xff")])


@row("signature with a NUL (the server refuses the request)", "400", "400", "400")
def _nul(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, t.sign(EVENT)[:-1].encode() + b"\x00")])


@row("body that is not UTF-8, its bytes correctly signed", "403", "403", "403")
def _not_utf8(t: Target) -> int | None:
    body = b'{"event":"\xff\xfe"}'
    return t.send(body, [(SHA1, t.sign(body))])


@row("signed body of exactly `max_body_bytes`", "200", "200", "200")
def _at_limit(t: Target) -> int | None:
    body = json.dumps({"pad": "x" * (LIMIT - 11)})
    assert len(body) == LIMIT
    return t.send(body, [(SHA1, t.sign(body))])


@row("signed body of `max_body_bytes` + 1 (the dependency has no limit)", "413", "200", "413")
def _over_limit(t: Target) -> int | None:
    body = json.dumps({"pad": "x" * (LIMIT - 10)})
    return t.send(body, [(SHA1, t.sign(body))])


@row("signed chunked body of `max_body_bytes` + 1, no length", "413", "200", "413")
def _chunked_over_limit(t: Target) -> int | None:
    body = json.dumps({"pad": "x" * (LIMIT - 10)}).encode()
    encoding = ("Transfer-Encoding", "chunked")
    return t.send(chunked(body, 500), [encoding, (SHA1, t.sign(body))])


@row("signed chunked body, no length", "200", "200", "200")
def _chunked(t: Target) -> int | None:
    body = EVENT.encode()
    return t.send(chunked(body, 7), [("Transfer-Encoding", "chunked"), (SHA1, t.sign(body))])


@row("`Content-Length` shorter than the signed body", "403", "403", "403")
def _length_short(t: Target) -> int | None:
    return t.send(EVENT, [("Content-Length", "10"), (SHA1, t.sign(EVENT))])


@row(
    "`Content-Length` longer than the body, then the client stops sending",
    NO_ANSWER,
    NO_ANSWER,
    NO_ANSWER,
)
def _length_long(t: Target) -> int | None:
    length = ("Content-Length", str(len(EVENT) + 50))
    return t.send(EVENT, [length, (SHA1, t.sign(EVENT))], half_close=True)


@row("`Content-Length` over `max_body_bytes`, body never sent", "413", NO_ANSWER, NO_ANSWER)
def _length_over_limit(t: Target) -> int | None:
    return t.send(b"", [("Content-Length", str(LIMIT + 1)), (SHA1, "0" * 40)], half_close=True)


@row("two different `Content-Length` headers (the server refuses)", "400", "400", "400")
def _two_lengths(t: Target) -> int | None:
    lengths = [("Content-Length", str(len(EVENT))), ("Content-Length", "3")]
    return t.send(EVENT, [*lengths, (SHA1, t.sign(EVENT))])


@row("broken chunked framing (the server refuses)", "400", "400", "400")
def _broken_chunks(t: Target) -> int | None:
    return t.send(b"zz\r\nabc\r\n0\r\n\r\n", [("Transfer-Encoding", "chunked"), (SHA1, "0" * 40)])


@row("client disconnects mid-body", NO_ANSWER, NO_ANSWER, NO_ANSWER)
def _disconnect(t: Target) -> int | None:
    body = json.dumps({"pad": "x" * 1000})
    return t.send(body, [(SHA1, t.sign(body))], leave_after=100)


@row("slow body: 5 pieces 0.2 s apart, signed", "200", "200", "200")
def _slow(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, t.sign(EVENT))], pieces=5, pause=0.2)


@row("`Host` with port 99999, signed for that URL", "200", "403", "200")
def _port_out_of_range(t: Target) -> int | None:
    host = "127.0.0.1:99999"
    return t.send(EVENT, [(SHA1, t.sign(EVENT, host))], host=host)


@row("`Host` with a port that is not a number, signed for that URL", "200", "403", "200")
def _port_not_number(t: Target) -> int | None:
    host = "127.0.0.1:8x"
    return t.send(EVENT, [(SHA1, t.sign(EVENT, host))], host=host)


@row("bracketed IPv6 `Host`, signed for that URL", "200", "200", "200")
def _ipv6_host(t: Target) -> int | None:
    host = f"[::1]:{t.port}"
    return t.send(EVENT, [(SHA1, t.sign(EVENT, host))], host=host)


@row("`Host` with an unbalanced bracket", "403", "403", "403")
def _unbalanced(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "0" * 40)], host="[::1")


@row("bracketed `Host` that is not an IP address", "403", "403", "403")
def _bracketed_name(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "0" * 40)], host=f"[example]:{t.port}")


@row("forged POST below the protected path (no route there)", "403", "404", "403")
def _unknown_path(t: Target) -> int | None:
    return t.send(EVENT, [(SHA1, "0" * 40)], path=t.path + "/nope")


@row(
    "GET on the signed path (passes; the dependency's route is POST only)",
    "200",
    "405",
    "200",
    "GET",
)
def _get(t: Target) -> int | None:
    return t.send(method="GET")


class WSGIReceiver(WSGIServer):
    """A Flask app on waitress, ``/mw`` behind ``WSGIWebhookSignatureMiddleware``
    (defaults: strict), counting how often its POST handler ran."""

    def __init__(self) -> None:
        app = Flask(__name__)
        self.runs = {"/mw": 0}

        @app.route("/mw", methods=["GET", "POST"])
        def behind_middleware() -> dict[str, Any]:
            if flask_request.method == "GET":
                return {"get": "ok"}
            self.runs["/mw"] += 1
            return {"received": len(flask_request.get_data())}

        app.wsgi_app = WSGIWebhookSignatureMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, signing_key=KEY, paths=["/mw"], max_body_bytes=LIMIT
        )
        super().__init__(app)

    def open_connections(self) -> int:
        """Client connections waitress holds open (its map less the listening socket
        and the wake-up trigger)."""
        return len(self._waitress._map) - 2


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def wsgi_receiver() -> Iterator[WSGIReceiver]:
    with WSGIReceiver() as running:
        yield running


def _drained(receiver: Receiver | WSGIReceiver, since: float) -> float:
    """Seconds from ``since`` until the server holds no client connection (a request it
    did not answer is over); fails after ``BOUND``."""
    while receiver.open_connections() > 0:
        assert time.monotonic() - since < BOUND, (
            f"the server still holds {receiver.open_connections()} connection(s) "
            f"{BOUND} s after a request it did not answer"
        )
        time.sleep(0.01)
    return time.monotonic() - since


@pytest.mark.parametrize("surface", ["/mw", "/dep", "wsgi"])
@pytest.mark.parametrize("case", ROWS, ids=[r.name for r in ROWS])
def test_bad_input(
    case: Row,
    surface: str,
    receiver: Receiver,
    wsgi_receiver: WSGIReceiver,
    no_secret_in_logs: list[logging.LogRecord],
) -> None:
    server: Receiver | WSGIReceiver = wsgi_receiver if surface == "wsgi" else receiver
    path = "/mw" if surface == "wsgi" else surface
    target = Target(server.port, path)
    expected = {"/mw": case.middleware, "/dep": case.dependency, "wsgi": case.wsgi}[surface]
    _drained(server, time.monotonic())  # no connection left over from the last row
    before = dict(server.runs)
    start = time.monotonic()
    status = case.send(target)
    assert (str(status) if status is not None else NO_ANSWER) == expected
    if status is None:
        # Closed without an answer, and over on the server's side too: no connection
        # of it is left, and (below) the app never ran, not even after it was over.
        assert _drained(server, start) < BOUND
        time.sleep(0.05)
    ran = server.runs[path] - before[path]
    assert ran == (1 if expected == "200" and case.method == "POST" else 0)
    # The server keeps serving, and nothing it logged was an error (a 500 would be).
    assert _signed(target) == 200
    errors = [r for r in no_secret_in_logs if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def test_readme_table_is_the_rows() -> None:
    text = README.read_text()
    section = text.split("\n### Bad input, end to end", 1)[1].split("\n#", 1)[0]
    table = [
        tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| Input")
    ]
    assert table == [(r.name, r.middleware, r.dependency, r.wsgi) for r in ROWS]
    assert all(re.fullmatch(r"[0-9]{3}|no answer", s) for r in table for s in r[1:])


def test_no_answer_is_asserted_not_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that keeps the connection open without answering fails a "no answer" row
    (a timeout used to pass as one), and so does one that keeps holding the connection
    of a client that left."""
    monkeypatch.setattr(f"{__name__}.BOUND", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        target = Target(silent.getsockname()[1], "/mw")
        with pytest.raises(AssertionError, match="neither answered nor closed"):
            _length_long(target)

    class Holding(Receiver):
        def __init__(self) -> None:
            pass

        def open_connections(self) -> int:
            return 1

    with pytest.raises(AssertionError, match="still holds 1 connection"):
        _drained(Holding(), time.monotonic())
