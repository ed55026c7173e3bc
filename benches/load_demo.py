"""Load on the demo receiver: ``demo/receiver.py``'s app (middleware on ``/webhook`` and
``/cxml``, the FastAPI dependency on ``/swaig``) on uvicorn on 127.0.0.1 in one process, or
with ``--receiver flask`` ``demo/flask_receiver.py``'s (the Flask extension on ``/webhook``
and ``/cxml``, the decorator on ``/swaig``) on waitress; and a load generator in a second
process: ``--connections`` keep-alive connections (asyncio, raw HTTP/1.1) sending
``--requests`` requests in all, cycling through the demo's nine kinds (Scheme A SHA-1 and
SHA-256, Scheme B form, behind a proxy, the dependency or decorator; tampered, wrong key,
unsigned, forged).

Reports requests/s, latency percentiles (from writing a request to reading its whole
answer), and checks every answer: the expected status for its kind, no connection error.
Exits non-zero if any answer was wrong or any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from loopback import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
SERVER = """
import sys, uvicorn
sys.path.insert(0, sys.argv[2])
from receiver import build_app
uvicorn.run(build_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""
FLASK_SERVER = """
import logging, sys
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1"
sys.path.insert(0, sys.argv[2])
from flask_receiver import build_app, serve
serve(build_app(), int(sys.argv[1])).run()
"""
SERVERS = {
    "fastapi": (SERVER, "demo receiver (FastAPI on uvicorn, 1 worker)"),
    "flask": (FLASK_SERVER, "Flask demo receiver (waitress, 1 process, 4 threads)"),
}


def kinds(port: int, receiver: str = "fastapi") -> list[tuple[str, bytes, int]]:
    """(label, raw request, expected status) for each of the demo's requests."""
    sys.path.insert(0, str(ROOT / "demo"))
    from receiver import requests_to_send  # noqa: PLC0415 - the demo's own table

    out = []
    for label, path, headers, body, expected in requests_to_send(f"http://127.0.0.1:{port}"):
        raw = body.encode()
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(raw)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if receiver == "flask":
            label = label.replace("FastAPI dependency", "Flask decorator")  # noqa: PLW2901
        out.append((label, ("\r\n".join(lines) + "\r\n\r\n").encode() + raw, expected))
    return out


async def connection(
    port: int,
    plan: list[tuple[str, bytes, int]],
    turns: list[int],
    latencies: list[float],
    results: Counter[str],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for k in turns:
            label, request, expected = plan[k]
            start = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError) as error:
                results[f"failed: {type(error).__name__}"] += 1
                return
            latencies.append(time.perf_counter() - start)
            status = int(head.split(b" ", 2)[1])
            results["right" if status == expected else f"wrong: {label} got {status}"] += 1
    finally:
        writer.close()


def generate(port: int, total: int, connections: int, receiver: str) -> None:
    """The second process: sends the load, prints its figures as JSON."""
    plan = kinds(port, receiver)
    latencies: list[float] = []
    results: Counter[str] = Counter()
    per_kind: Counter[int] = Counter()
    turns: list[list[int]] = [[] for _ in range(connections)]
    for i in range(total):
        turns[i % connections].append(i % len(plan))
        per_kind[i % len(plan)] += 1

    async def run() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(connection(port, plan, t, latencies, results) for t in turns))
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    latencies.sort()
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "latencies": [latencies[int(q * (len(latencies) - 1))] for q in QUANTILES],
                "results": dict(results),
                "kinds": {plan[k][0]: (n, plan[k][2]) for k, n in per_kind.items()},
            }
        )
    )


QUANTILES = (0.5, 0.9, 0.99, 0.999, 1.0)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generate(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--receiver", choices=sorted(SERVERS), default="fastapi")
    args = parser.parse_args()
    code, title = SERVERS[args.receiver]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", code, str(port), str(ROOT / "demo")])
    try:
        wait_until_listening(port)
        command = [sys.executable, __file__, "--generate", str(port)]
        command += [str(args.requests), str(args.connections), args.receiver]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        server.terminate()
        server.wait(timeout=10)
    report = json.loads(out)
    results: dict[str, int] = report["results"]
    answered = sum(results.values())
    print(
        f"{title} on 127.0.0.1; load generator in a second "
        f"process, {args.connections} keep-alive connections; {os.cpu_count()} cores shared\n"
    )
    print("| kind | requests | expected |\n|---|---:|---:|")
    for label, (count, expected) in report["kinds"].items():
        print(f"| {label} | {count} | {expected} |")
    print("\n| requests | seconds | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    millis = " | ".join(f"{x * 1000:.1f}" for x in report["latencies"])
    rate = answered / report["elapsed"]
    print(f"| {answered} | {report['elapsed']:.1f} | {rate:.0f} | {millis} |")
    right = results.get("right", 0)
    problems = {k: v for k, v in results.items() if k != "right"}
    print(f"\n{right} of {args.requests} answers right; problems: {problems or 'none'}")
    return 0 if right == args.requests and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
