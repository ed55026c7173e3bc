#!/usr/bin/env python3
"""Debian's own CPython builds, unpacked under .cache/ without installing anything.

    python3 .ci/debian_pythons.py [LABEL ...]    # prints "LABEL LAUNCHER" per interpreter

LABELs are ``3.13-trixie`` (the stable release's 3.13), ``3.13``, ``3.14`` and ``3.15``
(the newest build of that series in trixie, sid or experimental), and ``3.13-trixie-arm64``:
the stable release's ARM64 build, started under ``qemu-aarch64-static`` (Debian's
qemu-user-static) with the unpacked folder as its root (``-L``). Packages come from the
Debian archive this machine's own apt sources name (read at run time, never written down
here), fetched with ``apt-get download`` under a private apt configuration whose state and
cache live in ``.cache/debian-python/apt``; the archive's signatures are checked against
the machine's Debian keyring. ``dpkg -x`` unpacks the interpreter, its standard library and
a matching libc (plus the few shared libraries the stdlib's extension modules load) into
one folder per interpreter, and ``bin/python`` there starts it through that libc's loader.

A run with everything cached makes no network access; ``SW_DEBIAN_REFRESH=1`` looks for
newer packages (apt-get update) even when every interpreter is already unpacked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cmp_to_key
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "debian-python"
APT = CACHE / "apt"
ARM64 = "-arm64"
DEBS = CACHE / "debs"
SUITES = ("trixie", "sid", "experimental")
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
LABELS = ("3.13-trixie", "3.13", "3.14", "3.15", "3.13-trixie-arm64")
# What the stdlib's extension modules load, besides libc: pyexpat, zlib, _ctypes, _ssl and
# _hashlib, _zstd (3.14+), _lzma, _bz2, _decimal.
LIBRARIES = (
    "libc6",
    "libexpat1",
    "zlib1g",
    "libffi8",
    "libssl3t64",
    "libzstd1",
    "liblzma5",
    "libbz2-1.0",
    "libmpdec4",
)
LAUNCHER = """#!/bin/sh
# Debian's python{series} {version}, started through its own libc's loader.
root="$(cd "$(dirname "$0")/.." && pwd)"
PYTHONHOME="$root/usr" exec "$root/usr/lib64/ld-linux-x86-64.so.2" \\
  --library-path "$root/usr/lib/x86_64-linux-gnu" --argv0 "$0" \\
  "$root/usr/bin/python{series}" "$@"
"""
# The ARM64 build under qemu: -L makes the folder the root for the loader and the libraries
# (usr/lib is also reached as /lib, the merged-/usr loader path); Python finds its prefix
# from the executable's path.
LAUNCHER_ARM64 = """#!/bin/sh
# Debian's arm64 python{series} {version}, under qemu-aarch64-static.
root="$(cd "$(dirname "$0")/.." && pwd)"
exec qemu-aarch64-static -L "$root" "$root/usr/bin/python{series}" "$@"
"""


def archive_uri() -> str:
    """The Debian archive of the machine's own apt sources (not the security archive)."""
    texts = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if path.is_file() and path.suffix in (".list", ".sources"):
            texts.append(path.read_text())
    for text in texts:
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(
            r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+\S+", text, re.M
        ):
            if re.search(r"/debian/?$", str(uri)):
                return str(uri).rstrip("/")
    sys.exit("no Debian archive found in this machine's apt sources")


def apt_dir(arch: str) -> Path:
    return APT if arch == "amd64" else CACHE / f"apt-{arch}"


def arch_of(label: str) -> str:
    return "arm64" if label.endswith(ARM64) else "amd64"


def apt_options(arch: str = "amd64") -> list[str]:
    apt = apt_dir(arch)
    return [
        "-o",
        f"Dir::State={apt / 'state'}",
        "-o",
        f"Dir::Cache={apt / 'cache'}",
        "-o",
        f"Dir::Etc::SourceList={apt / 'sources.list'}",
        "-o",
        f"Dir::Etc::SourceParts={apt / 'sources.list.d'}",
        "-o",
        f"Dir::Etc::Preferences={apt / 'preferences'}",
        "-o",
        f"Dir::Etc::PreferencesParts={apt / 'preferences.d'}",
        "-o",
        f"APT::Architecture={arch}",
        "-o",
        f"APT::Architectures::={arch}",
        "-o",
        "Debug::NoLocking=1",
        "-o",
        "Acquire::Languages=none",
        "-o",
        "APT::Sandbox::User=root",
    ]


def update(arch: str = "amd64") -> None:
    apt = apt_dir(arch)
    for sub in ("state/lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    uri = archive_uri()
    lines = [f"deb [signed-by={KEYRING}] {uri} {suite} main" for suite in SUITES]
    (apt / "sources.list").write_text("\n".join(lines) + "\n")
    (apt / "preferences").write_text("")
    subprocess.run(["apt-get", *apt_options(arch), "-qq", "update"], check=True)


def versions(package: str, arch: str = "amd64") -> list[tuple[str, str]]:
    """(version, suite) of every build of ``package`` the sources list, newest first."""
    out = subprocess.run(
        ["apt-cache", *apt_options(arch), "madison", package],
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout
    found: list[tuple[str, str]] = []
    for line in out.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and fields[2].endswith("Packages"):
            suite = next((s for s in SUITES if f" {s}/" in f" {fields[2]}"), "")
            found.append((fields[1], suite))
    found.sort(key=cmp_to_key(_compare_builds), reverse=True)
    return found


def _compare_builds(x: tuple[str, str], y: tuple[str, str]) -> int:
    return _compare(x[0], y[0])


def _compare(a: str, b: str) -> int:
    if a == b:
        return 0
    lower = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], check=False).returncode == 0
    return -1 if lower else 1


def pick(label: str) -> tuple[str, str | None]:
    """The series and the suite to take (None: the newest build anywhere)."""
    label = label.removesuffix(ARM64)
    if label.endswith("-trixie"):
        return label.removesuffix("-trixie"), "trixie"
    return label, None


def chosen(package: str, suite: str | None, arch: str = "amd64") -> tuple[str, str]:
    builds = versions(package, arch)
    if suite is not None:
        builds = [b for b in builds if b[1] == suite]
    if not builds:
        sys.exit(f"no build of {package} in {suite or ', '.join(SUITES)}")
    return builds[0]


def download(package: str, version: str, arch: str = "amd64") -> Path:
    DEBS.mkdir(parents=True, exist_ok=True)
    pattern = f"{package}_{version.replace(':', '%3a')}_{{{arch},all}}.deb"
    have = sorted(
        p
        for p in DEBS.glob(f"{package}_{version.replace(':', '%3a')}_*.deb")
        if p.name.endswith((f"_{arch}.deb", "_all.deb"))
    )
    if not have:
        subprocess.run(
            ["apt-get", *apt_options(arch), "-qq", "download", f"{package}={version}"],
            check=True,
            cwd=DEBS,
        )
        have = sorted(
            p
            for p in DEBS.glob(f"{package}_{version.replace(':', '%3a')}_*.deb")
            if p.name.endswith((f"_{arch}.deb", "_all.deb"))
        )
    if not have:
        sys.exit(f"apt-get download left no {pattern}")
    return have[0]


def unpack(label: str) -> Path:
    series, suite = pick(label)
    arch = arch_of(label)
    minimal_version, where = chosen(f"python{series}-minimal", suite, arch)
    packages = {
        f"python{series}-minimal": minimal_version,
        f"libpython{series}-minimal": minimal_version,
        f"libpython{series}-stdlib": minimal_version,
    }
    # Under qemu nothing of the host's is reachable: the test tools' own extensions
    # (hypothesis') need libgcc_s too.
    for library in (*LIBRARIES, "libgcc-s1") if arch != "amd64" else LIBRARIES:
        packages[library] = chosen(library, where or None, arch)[0]
    stamp = " ".join(f"{p}={v}" for p, v in sorted(packages.items()))
    target = CACHE / label
    if (target / ".stamp").is_file() and (target / ".stamp").read_text() == stamp:
        return target / "bin" / "python"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for package, version in packages.items():
        deb = download(package, version, arch)
        subprocess.run(["dpkg", "-x", str(deb), str(target)], check=True)
    if arch != "amd64":
        (target / "lib").symlink_to("usr/lib")  # the merged-/usr loader path
    upstream = minimal_version.split("-")[0].split("~")[0]
    launcher = target / "bin" / "python"
    launcher.parent.mkdir()
    text = LAUNCHER if arch == "amd64" else LAUNCHER_ARM64
    launcher.write_text(text.format(series=series, version=minimal_version))
    launcher.chmod(0o755)
    check = subprocess.run(
        [
            str(launcher),
            "-c",
            "import sys, ssl, zlib, hashlib, ctypes; print(sys.version.split()[0])",
        ],
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    )
    print(
        f"{label}: Debian {minimal_version} (upstream {upstream}) runs as {check.stdout.strip()}",
        file=sys.stderr,
    )
    (target / ".stamp").write_text(stamp)
    return launcher


def main() -> None:
    labels = sys.argv[1:] or list(LABELS)
    for label in labels:
        if label not in LABELS:
            sys.exit(f"unknown interpreter {label!r}; known: {', '.join(LABELS)}")
    ready = all((CACHE / label / ".stamp").is_file() for label in labels)
    if ready and not os.environ.get("SW_DEBIAN_REFRESH"):
        for label in labels:
            print(label, CACHE / label / "bin" / "python")
        return
    for arch in sorted({arch_of(label) for label in labels}):
        update(arch)
    for label in labels:
        print(label, unpack(label))


if __name__ == "__main__":
    main()
