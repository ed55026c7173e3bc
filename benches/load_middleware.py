"""Requests per second of one FastAPI endpoint on uvicorn (127.0.0.1), without validation
and behind ``WebhookSignatureMiddleware``, measured in the same run.

The server runs in one process and the load generator (asyncio, keep-alive connections,
every request correctly signed so the endpoint runs in both setups) in another. The two
setups alternate for ``--rounds`` rounds; the best round of each is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

from loopback import free_port, wait_until_listening

KEY = "PSK_load_0123456789"
SERVER = """
import sys, uvicorn
from fastapi import FastAPI, Request
from signalwire.core.security import WebhookSignatureMiddleware
protected, port, KEY = sys.argv[1] == "protected", int(sys.argv[2]), sys.argv[3]
app = FastAPI()

@app.post("/webhook")
async def webhook(request: Request) -> dict[str, int]:
    return {"received": len(await request.body())}

if protected:
    app.add_middleware(WebhookSignatureMiddleware, signing_key=KEY, paths=["/webhook"])
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def signed_request(port: int) -> bytes:
    body = json.dumps({"event_type": "calling.call.state", "params": {"call_state": "ended"}})
    url = f"http://127.0.0.1:{port}/webhook"
    signature = hmac.new(KEY.encode(), (url + body).encode(), hashlib.sha1).hexdigest()
    return (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-SignalWire-Signature: {signature}\r\n\r\n{body}"
    ).encode()


async def one_connection(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            counts[0 if status == 200 else 1] += 1
    finally:
        writer.close()


async def load(port: int, seconds: float, connections: int) -> tuple[int, int]:
    counts = [0, 0]
    request = signed_request(port)
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(one_connection(port, request, deadline, counts) for _ in range(connections))
    )
    return counts[0], counts[1]


def generator_main(port: int, seconds: float, connections: int) -> None:
    ok, failed = asyncio.run(load(port, seconds, connections))
    print(ok, failed)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(setup: str, seconds: float, connections: int) -> tuple[float, float]:
    """(requests per second, server CPU µs per request)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, setup, str(port), KEY])
    try:
        wait_until_listening(port)
        args = [sys.executable, __file__, "--generate", str(port), str(seconds), str(connections)]
        cpu_before = cpu_seconds(server.pid)
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        cpu = cpu_seconds(server.pid) - cpu_before
        ok, failed = (int(x) for x in out.split())
        assert failed == 0, f"{failed} requests were not answered 200 ({setup})"
        return ok / seconds, cpu / ok * 1e6
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generator_main(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    rps = {"plain": 0.0, "protected": 0.0}
    cpu = {"plain": float("inf"), "protected": float("inf")}
    for _ in range(args.rounds):
        for setup, best_rate in list(rps.items()):
            rate, micros = measure(setup, args.seconds, args.connections)
            rps[setup], cpu[setup] = max(best_rate, rate), min(cpu[setup], micros)
    print(
        f"FastAPI on uvicorn, {args.connections} keep-alive connections, "
        f"best of {args.rounds} x {args.seconds:.0f} s (server and load generator share the cores)"
    )
    print("| setup | requests/s | server CPU µs / request |\n|---|---:|---:|")
    print(f"| no validation | {rps['plain']:.0f} | {cpu['plain']:.0f} |")
    print(f"| WebhookSignatureMiddleware | {rps['protected']:.0f} | {cpu['protected']:.0f} |")
    print(
        f"\nprotected / plain: {rps['protected'] / rps['plain']:.3f}x the requests/s, "
        f"{cpu['protected'] / cpu['plain']:.3f}x the server CPU per request"
    )


if __name__ == "__main__":
    main()
