"""The seed of this test run: every seeded generator in the suite derives from it.

Each pytest process draws its own (so each interpreter's run explores different cases);
``SW_DIFF_SEED=<n>`` replays one. The seed is printed in the test header, in the summary
and in the report of every failing test (conftest.py), and Hypothesis is seeded with it
too, so one number replays a whole run.
"""

from __future__ import annotations

import os
import random
import secrets


def _draw() -> tuple[int, bool]:
    given = os.environ.get("SW_DIFF_SEED", "").strip()
    if given:
        return int(given), True
    return secrets.randbits(32), False


SEED, REPLAYED = _draw()


def rng(salt: int | str = 0) -> random.Random:
    """A generator of its own for one test (``salt`` tells the tests apart)."""
    return random.Random(f"{SEED}:{salt}")


def describe() -> str:
    how = "replayed from SW_DIFF_SEED" if REPLAYED else "drawn for this run"
    return f"SW_DIFF_SEED={SEED} ({how}; set SW_DIFF_SEED={SEED} to replay)"
