#!/usr/bin/env python3
"""The table `make wheels` prints: every artefact in dist/ with its tag, size, the newest
C-library symbol its extension needs (or the C library it links) and how it is tested.

    python .ci/wheels.py dist

Reads each wheel's extension module itself (ELF through pyelftools, PE and Mach-O by their
headers); `tests/install/test_wheels.py` holds the assertions, this only reports.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

# How each tag is proved (README "Install" says the same).
TESTED = {
    "manylinux_2_17_x86_64": "make test: every suite on CPython 3.10-3.15; auditwheel",
    "manylinux_2_17_aarch64": "make test: Debian arm64 CPython under qemu; auditwheel",
    "musllinux_1_2_x86_64": "auditwheel; core's cargo test on x86_64 musl",
    "musllinux_1_2_aarch64": "auditwheel; core's cargo test on aarch64 (glibc, qemu)",
    "macosx": "built here only; release workflow runs make test on macOS",
    "win_amd64": "exports checked here; release workflow runs make test on Windows",
    "sdist": "make test: pip install in a fresh venv (cargo), validates",
}


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def elf_libc(data: bytes) -> str:
    """The newest GLIBC_ version the module needs, or the musl loader it names."""
    elf = ELFFile(io.BytesIO(data))
    needed: list[str] = []
    glibc: list[str] = []
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            needed += [
                str(t.needed)  # type: ignore[attr-defined]  # set for DT_NEEDED tags
                for t in section.iter_tags()
                if t.entry.d_tag == "DT_NEEDED"
            ]
        if isinstance(section, GNUVerNeedSection):
            for _, auxiliaries in section.iter_versions():
                glibc += [a.name for a in auxiliaries if a.name.startswith("GLIBC_")]
    if glibc:
        return max(glibc, key=version_key)
    musl = [n for n in needed if n.startswith(("libc.musl", "libc.so"))]
    return f"musl ({', '.join(musl) or 'static'})"


def pe_imports(data: bytes) -> str:
    """The DLLs a PE module imports (names read from its import directory)."""
    names = sorted(set(re.findall(rb"[A-Za-z0-9_.-]+\.dll", data, re.IGNORECASE)))
    return "DLLs: " + ", ".join(n.decode() for n in names if not n.startswith(b"signalwire"))


def platform_tag(name: str) -> str:
    """The tag a wheel is known by: the universal2 one, else the last (PEP 600) one."""
    tags = name.removesuffix(".whl").split("-")[-1].split(".")
    return next((t for t in tags if t.endswith("universal2")), tags[-1])


def describe(wheel: Path) -> tuple[str, str]:
    """(tag, libc) of one wheel."""
    tag = platform_tag(wheel.name)
    with zipfile.ZipFile(wheel) as archive:
        modules = [n for n in archive.namelist() if re.search(r"_native[^/]*\.(so|pyd)$", n)]
        data = archive.read(modules[0]) if modules else b""
    if data.startswith(b"\x7fELF"):
        return tag, elf_libc(data)
    if data.startswith(b"MZ"):
        return tag, pe_imports(data)
    if tag.startswith("macosx"):
        return tag, "libSystem (macOS " + ".".join(tag.split("_")[1:3]) + "+)"
    return tag, "?"


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    rows = [("artefact", "tag", "size", "newest libc symbol / links", "how tested")]
    for path in sorted(folder.iterdir()):
        size = f"{path.stat().st_size / 1024:.0f} KiB"
        if path.suffix == ".whl":
            tag, libc = describe(path)
            how = TESTED.get(tag) or TESTED["macosx" if tag.startswith("macosx") else "sdist"]
        elif path.name.endswith(".tar.gz"):
            tag, libc, how = "sdist", "builds with cargo", TESTED["sdist"]
        else:
            continue
        rows.append((path.name, tag, size, libc, how))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
