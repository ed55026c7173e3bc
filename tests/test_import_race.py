"""The first import of ``signalwire.core.security`` from many threads at once, through the
hook, in fresh interpreters: every thread gets the whole package (no ``_DeadlockError``, no
partially initialised module, no ``KeyError``).

``SW_RACE_INTERPRETERS`` interpreters (30) each start ``SW_RACE_THREADS`` threads (12)
released by one barrier, with the switch interval at its minimum to interleave them; once
with no SDK (the hook's namespace parents) and once over a stand-in SDK whose security
modules are the reference's (the package's ``__path__`` then spans both folders).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_hook_versions import fake_sdk

INTERPRETERS = int(os.environ.get("SW_RACE_INTERPRETERS", "30"))
THREADS = int(os.environ.get("SW_RACE_THREADS", "12"))
RACE = """
import sys, threading
sys.setswitchinterval(1e-6)
threads = int(sys.argv[1])
barrier = threading.Barrier(threads)
failures = []
def first_import():
    barrier.wait()
    try:
        import signalwire.core.security as security
        security.validate_webhook_signature
        security.WebhookValidator
    except BaseException as error:
        failures.append(f"{type(error).__name__}: {error}")
workers = [threading.Thread(target=first_import) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(failures[0] if failures else "ok")
"""


@pytest.mark.parametrize("sdk", [False, True], ids=["no-sdk", "verified-sdk"])
def test_first_import_from_many_threads(tmp_path: Path, sdk: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SIGNALWIRE_SECURITY_NATIVE"}
    if sdk:
        env["PYTHONPATH"] = str(fake_sdk(tmp_path))
    failed = []
    for _ in range(INTERPRETERS):
        done = subprocess.run(
            [sys.executable, "-c", RACE, str(THREADS)],
            text=True,
            capture_output=True,
            env=env,
            check=False,
        )
        if done.returncode != 0 or done.stdout.strip() != "ok":
            failed.append(done.stdout.strip() or done.stderr.strip()[-300:])
    assert not failed, f"{len(failed)} of {INTERPRETERS} interpreters failed: {failed[0]}"
