"""What the import hook costs at interpreter start-up, and at the first import.

Two fresh venvs of the running interpreter: one bare, one with our wheel (``dist/``), so
the only difference is ``signalwire_security_native_hook.pth``. Interleaved runs of
``python -c pass`` in each (and with ``-I``, which keeps site-packages; ``-S`` skips every
``.pth``), median wall time and the ratio; then ``-X importtime`` of the hook's own
modules, and of ``import signalwire.core.security`` through the hook.

    .venv/bin/python benches/startup.py [--runs 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".cache" / "bench-startup"


def venv(name: str, wheel: Path | None) -> Path:
    root = VENVS / name
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    if wheel is not None:
        site = subprocess.run(
            [
                str(root / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                site,
                str(wheel),
            ],
            check=True,
        )
    return root / "bin" / "python"


def wall(python: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(python), *args], check=True)
    return time.perf_counter() - start


def importtime(python: Path, code: str) -> dict[str, int]:
    """Cumulative µs per module of ours that ``-X importtime`` reports for ``code``."""
    err = subprocess.run(
        [str(python), "-X", "importtime", "-c", code], check=True, capture_output=True, text=True
    ).stderr
    found = {}
    for line in err.splitlines():
        if "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if "signalwire" in name and cumulative.isdigit():
            found[name] = int(cumulative)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    (wheel,) = sorted((ROOT / "dist").glob("signalwire_security_native-*.whl"))
    bare, ours = venv("bare", None), venv("ours", wheel)
    print(f"CPython {sys.version.split()[0]}, {args.runs} interleaved runs each")
    print(f"{'command':<26} {'bare ms':>8} {'ours ms':>8} {'ours-bare':>10} {'ratio':>6}")
    for label, flags in (("python -c pass", ()), ("python -I -c pass", ("-I",))):
        times: dict[Path, list[float]] = {bare: [], ours: []}
        for _ in range(args.runs):
            for python in (bare, ours):
                times[python].append(wall(python, *flags, "-c", "pass"))
        b, o = (statistics.median(times[p]) * 1000 for p in (bare, ours))
        print(f"{label:<26} {b:8.2f} {o:8.2f} {o - b:10.2f} {o / b:6.3f}")
    print("\n-X importtime at start-up (µs, cumulative):")
    for name, micros in importtime(ours, "pass").items():
        print(f"  {name:<44} {micros:>6}")
    print("\n-X importtime of `import signalwire.core.security` (µs, cumulative, top level):")
    for name, micros in importtime(ours, "import signalwire.core.security").items():
        if name.count(".") <= 3:
            print(f"  {name:<44} {micros:>6}")


if __name__ == "__main__":
    main()
