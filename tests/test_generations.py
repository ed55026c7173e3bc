"""Every bracket-rule generation of this interpreter's series, differentially.

For each generation the series has had (``generations.SERIES_GENERATIONS``), this
interpreter's ``urllib/parse.py`` with that generation's rules (``generations.build``) is
loaded as ``urllib.parse`` in a fresh interpreter; the reference and ours then answer
``SW_GENERATION_CASES`` (default ``SW_DIFF_CASES``) generated cases, half of them with
bracketed netlocs, and must agree; our probe must read the generation off the module.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import generations
from seeds import SEED

CASES = int(os.environ.get("SW_GENERATION_CASES", os.environ.get("SW_DIFF_CASES", "20000")))


def expected_dialect(generation: str) -> dict[str, bool | str]:
    return {
        "scheme_starts_with_letter": sys.version_info >= (3, 11),
        "bracket_check": generation.removesuffix("_upper_v"),
        "ipvfuture_upper_v": generation.endswith("_upper_v"),
        "strips_leading_c0": True,
    }


def test_every_generation_has_a_donor() -> None:
    found = generations.donors()
    for generation in generations.GENERATIONS[1:]:
        assert generation in found, f"no parse.py of {generation} among {found}"


@pytest.mark.parametrize("generation", generations.series_generations())
def test_generation_matches_the_reference(generation: str, tmp_path: Path) -> None:
    parse_py = generations.write(generation, tmp_path)
    done = generations.run(parse_py, generation, CASES, SEED)
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    assert report["diverged"] == [], "\n".join(report["diverged"])
    assert report["dialect"] == expected_dialect(generation)
    tally: dict[str, int] = report["tally"]
    bracketed = {k: v for k, v in tally.items() if k.startswith("bracketed:")}
    print(f"\n{report['python']} x {generation}: {CASES} cases, bracketed {bracketed}")
    # The bracket rules must be reached from both sides: accepted and refused.
    assert bracketed.get("bracketed:returned:True", 0) > CASES // 50
    assert bracketed.get("bracketed:raised:ValueError", 0) > CASES // 50
