"""The WSGI load run: ``benches/load_demo.py --receiver flask`` (the Flask demo receiver on
waitress in one process, 64 keep-alive connections from a second) with
``SW_WSGI_LOAD_REQUESTS`` requests (100 000 by default, as in ``make hardening``), cycling
through the demo's nine kinds: every answer must be its kind's expected status. The rate
is printed, not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benches" / "load_demo.py"
REQUESTS = int(os.environ.get("SW_WSGI_LOAD_REQUESTS", "100000"))


def test_every_answer_right_under_load() -> None:
    command = [sys.executable, str(SCRIPT), "--receiver", "flask", "--requests", str(REQUESTS)]
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1200)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{REQUESTS} of {REQUESTS} answers right; problems: none" in run.stdout
