"""One generation's differential run, in a fresh interpreter (``generations.run``).

    python generation_runner.py PARSE_PY GENERATION CASES SEED

``PARSE_PY`` is loaded as ``urllib.parse`` before anything imports it, so the reference
(loaded from its wheel) and our package (whose probe reads ``urllib.parse`` at import) see
the same rules. Prints a JSON report; exits non-zero when the module is not the generation.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import urllib
from collections import Counter
from pathlib import Path
from typing import Any

path, generation, cases, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("urllib.parse", path)
assert spec is not None and spec.loader is not None
parse = importlib.util.module_from_spec(spec)
sys.modules["urllib.parse"] = parse
spec.loader.exec_module(parse)
urllib.parse = parse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as gen  # noqa: E402
import reference  # noqa: E402
import signalwire.core.security as ours  # noqa: E402
from signalwire.core.security import _compat, _native  # noqa: E402


def accepts(url: str) -> bool:
    try:
        parse.urlsplit(url)
    except ValueError:
        return False
    return True


# What tells the generations apart (gh-103848, gh-105704, gh-105708).
HALLMARKS = {
    "unchecked": (True, True, True, True),
    "first_bracketed": (False, True, False, False),
    "host_info": (False, False, True, False),
    "host_info_upper_v": (False, False, True, True),
}
hallmarks = tuple(
    accepts(u) for u in ("http://[zz]/", "http://x[::1]/", "http://[a@[::1]/", "http://[V1.x]/")
)
if hallmarks != HALLMARKS[generation]:
    sys.exit(f"{path} is not generation {generation}: {hallmarks}")

ref = reference.load("webhook_validator")
assert ref.urlparse is parse.urlparse, "the reference does not use the swapped module"
assert vars(_compat)["urlparse"] is parse.urlparse, "our slow paths do not use the swapped module"

rng = random.Random(seed)
tally: Counter[str] = Counter()
diverged: list[str] = []
for i in range(cases):
    case = gen.make_case(rng, ref, gen.bracket_url if i % 2 else gen.url)
    expected = gen.outcome(case, getattr(ref, case.function))
    got = gen.outcome(case, getattr(ours, case.function))
    if got != expected and len(diverged) < 5:
        diverged.append(f"{case.repro()} reference={expected!r} ours={got!r}")
    target: Any = case.args[2]
    bracketed = isinstance(target, str) and "[" in target
    detail = expected[2] if expected[0] == "returned" else expected[1].__name__
    tally[f"{'bracketed' if bracketed else 'other'}:{expected[0]}:{detail}"] += 1

print(
    json.dumps(
        {
            "python": sys.version.split()[0],
            "generation": generation,
            "dialect": _native._url_dialect(),
            "cases": cases,
            "diverged": diverged,
            "tally": dict(sorted(tally.items())),
        }
    )
)
