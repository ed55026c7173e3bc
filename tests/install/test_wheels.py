"""The Linux wheels in ``dist/`` are what their tags promise (``make platforms``).

Every manylinux wheel goes through auditwheel (its policy: no glibc symbol newer than the
tag, no library outside the allowed list, no instruction-set extension) and through our own
reading of its extension's ELF (the newest ``GLIBC_`` version it needs). A musllinux wheel
needs nothing but musl's libc. A Windows wheel, when present, exports ``PyInit__native``
(what CPython looks up for ``_native``) and imports only ``python3.dll`` and system DLLs.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
# What `make platforms` always builds; `make wheels` adds the rest.
REQUIRED = ("manylinux_2_17_x86_64", "manylinux_2_17_aarch64")
MACHINE = {"x86_64": "EM_X86_64", "aarch64": "EM_AARCH64"}
# The system DLLs a Rust cdylib for windows-gnu may import (no MinGW runtime DLL).
WINDOWS_SYSTEM = {
    "kernel32.dll",
    "msvcrt.dll",
    "ntdll.dll",
    "bcryptprimitives.dll",
    "api-ms-win-core-synch-l1-2-0.dll",
    "ws2_32.dll",
    "userenv.dll",
    "advapi32.dll",
}


def tags(wheel: Path) -> list[str]:
    return wheel.name.removesuffix(".whl").split("-")[-1].split(".")


def wheels(kind: str) -> list[Path]:
    return sorted(w for w in DIST.glob("signalwire_security_native-*.whl") if kind in w.name)


def extension(wheel: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if re.search(r"/_native[^/]*\.(so|pyd)$", n)]
        return name, archive.read(name)


def elf_facts(data: bytes) -> tuple[str, list[str], list[str]]:
    """(machine, DT_NEEDED, GLIBC_ versions needed) of one ELF file."""
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
    return str(elf["e_machine"]), needed, glibc


def glibc_of(tag: str) -> tuple[int, int]:
    match = re.match(r"manylinux_(\d+)_(\d+)_", tag)
    assert match, tag
    return int(match[1]), int(match[2])


def test_the_shipped_linux_wheels_are_there() -> None:
    present = {t for w in wheels("linux") for t in tags(w)}
    missing = [t for t in REQUIRED if t not in present]
    assert not missing, f"run `make platforms` (or `make wheels`) first: no {missing}"


@pytest.mark.parametrize("wheel", wheels("manylinux"), ids=lambda w: tags(w)[-1])
def test_manylinux_wheel_passes_auditwheel(wheel: Path) -> None:
    claimed = tags(wheel)[-1]
    report = json.loads(
        subprocess.run(
            [sys.executable, "-m", "auditwheel", "show", "--json", str(wheel)],
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        ).stdout
    )
    assert report["external_libs"] == {}, f"libraries outside the policy: {report}"
    assert report["unsupported_isa"] is False
    # The most compatible tag auditwheel finds is the claimed one or an older glibc.
    assert report["overall_tag"].endswith(claimed.split("_", 3)[-1])
    assert glibc_of(report["overall_tag"]) <= glibc_of(claimed), report
    newest = max(
        (
            tuple(int(p) for p in v.removeprefix("GLIBC_").split("."))
            for vs in report["versioned_symbols"].values()
            for v in vs
            if v.startswith("GLIBC_")
        ),
    )
    assert newest[:2] <= glibc_of(claimed)


@pytest.mark.parametrize("wheel", wheels("manylinux"), ids=lambda w: tags(w)[-1])
def test_manylinux_extension_needs_no_newer_glibc(wheel: Path) -> None:
    claimed = tags(wheel)[-1]
    _, data = extension(wheel)
    machine, needed, glibc = elf_facts(data)
    assert machine == MACHINE[claimed.split("_", 3)[-1]]
    assert glibc, "a glibc extension names its GLIBC_ versions"
    newest = max(tuple(int(p) for p in v.removeprefix("GLIBC_").split(".")) for v in glibc)
    assert newest[:2] <= glibc_of(claimed), f"needs GLIBC_{newest} above {claimed}"
    allowed = {
        "libc.so.6",
        "libm.so.6",
        "libdl.so.2",
        "libpthread.so.0",
        "librt.so.1",
        "libgcc_s.so.1",
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
    }
    assert set(needed) <= allowed, needed


@pytest.mark.parametrize("wheel", wheels("musllinux"), ids=lambda w: tags(w)[-1])
def test_musllinux_extension_needs_only_musl(wheel: Path) -> None:
    claimed = tags(wheel)[-1]
    _, data = extension(wheel)
    machine, needed, glibc = elf_facts(data)
    assert machine == MACHINE[claimed.split("_", 3)[-1]]
    assert glibc == [], "a musl wheel must not need glibc's symbol versions"
    # zig names musl's libc `libc.so`; musl's loader answers that name (and libc.musl-*)
    # with itself.
    assert needed, "the extension links musl's libc"
    assert all(n == "libc.so" or re.fullmatch(r"libc\.musl-\w+\.so\.1", n) for n in needed)


@pytest.mark.parametrize("wheel", wheels("win_amd64"), ids=lambda w: tags(w)[-1])
def test_windows_extension_exports_its_init_and_imports_system_dlls(wheel: Path) -> None:
    objdump = shutil.which("x86_64-w64-mingw32-objdump")
    if objdump is None:
        pytest.skip("no x86_64-w64-mingw32-objdump (make cross-tools)")
    name, data = extension(wheel)
    assert name.endswith("/_native.pyd")
    path = DIST.parent / ".cache" / "_native.pyd"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    dump = subprocess.run(
        [objdump, "-p", str(path)], check=True, text=True, stdout=subprocess.PIPE
    ).stdout
    assert re.search(r"^\s*\[\s*\d+\]\s+PyInit__native$", dump, re.M), "no PyInit__native"
    dlls = {d.lower() for d in re.findall(r"DLL Name: (\S+)", dump)}
    assert "python3.dll" in dlls, "abi3: the stable-ABI python3.dll"
    assert dlls - {"python3.dll"} <= WINDOWS_SYSTEM, dlls
