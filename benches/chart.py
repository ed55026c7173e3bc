"""The README's chart: Scheme B validation time against the form's size, ours and the
reference, next to one HMAC-SHA1 of the same bytes, log-log, from ``scaling.py --json``.

    python benches/chart.py benches/scaling.json benches/scaling.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SHAPE = "distinct names, escapes"


def main(source: Path, target: Path) -> None:
    data = json.loads(source.read_text())
    rows = sorted((r for r in data["rows"] if r["shape"] == SHAPE), key=lambda r: r["bytes"])
    if not rows:
        sys.exit(f"no rows of {SHAPE!r} in {source}")
    sizes = [r["bytes"] / 1024 for r in rows]
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    lines = [
        ("ref valid", "signalwire-sdk 3.7.5 (pure Python), valid", "tab:red", "o"),
        ("ref forged", "signalwire-sdk 3.7.5, forged", "tab:red", "x"),
        ("valid", "signalwire-security-native, valid", "tab:blue", "o"),
        ("forged", "signalwire-security-native, forged", "tab:blue", "x"),
        ("unit", "one HMAC-SHA1 of URL + body (OpenSSL)", "tab:gray", "."),
    ]
    for key, label, color, marker in lines:
        if all(key in r["seconds"] for r in rows):
            seconds = [r["seconds"][key] * 1e3 for r in rows]
            style = "--" if key in ("forged", "ref forged") else "-"
            axes.loglog(sizes, seconds, style, color=color, marker=marker, label=label)
    axes.set_xlabel("form body (KiB), Twilio-style fields with numbered names")
    axes.set_ylabel("milliseconds per validation")
    axes.set_title(f"Scheme B validation time vs body size (CPython {data['python']})")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
