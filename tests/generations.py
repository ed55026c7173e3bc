"""``urllib/parse.py`` of each bracket-rule generation, built from the interpreters at hand.

No archive here has CPython 3.10.16, 3.10.17+, 3.11.12+ or 3.12.9+, whose ``urlsplit``
got gh-103848, gh-105704 and gh-105708 as backports. Those backports touch two functions
and one ``if`` in ``urlsplit``, so each generation's module is the running interpreter's
own ``urllib/parse.py`` with exactly those pieces taken from a build that has the rule (found
among pyenv's and Debian's interpreters by what their source holds, not by version):

* ``unchecked``: no bracketed-host check (3.10.12 to 3.10.15);
* ``first_bracketed``: gh-103848 (3.10.16, 3.11.4 to 3.11.11, 3.12.0 to 3.12.8, 3.13.0-1);
* ``host_info``: gh-105704 (3.10.17+, 3.11.12+, 3.12.9+, 3.13.2 to 3.13.14, 3.14.0 to 3.14.6);
* ``host_info_upper_v``: gh-105704 and gh-105708 (3.13.15+, 3.14.7+, 3.15).

``generation_runner.py`` loads such a module as ``urllib.parse`` before anything else
imports it, so the reference and our probe see the same rules.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATIONS = ("unchecked", "first_bracketed", "host_info", "host_info_upper_v")
# The generations each series has had (3.11.0-3.11.3 predate the C0 stripping the suite
# assumes; they are not among them).
SERIES_GENERATIONS = {
    (3, 10): ("unchecked", "first_bracketed", "host_info"),
    (3, 11): ("first_bracketed", "host_info"),
    (3, 12): ("first_bracketed", "host_info"),
    (3, 13): ("first_bracketed", "host_info", "host_info_upper_v"),
    (3, 14): ("host_info", "host_info_upper_v"),
}
CHECKS = ("_check_bracketed_netloc", "_check_bracketed_host")


def series_generations() -> tuple[str, ...]:
    return SERIES_GENERATIONS.get(sys.version_info[:2], ("host_info_upper_v",))


def own_parse_py() -> Path:
    """This interpreter's own ``urllib/parse.py`` (found without importing it)."""
    spec = importlib.util.find_spec("urllib.parse")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin)


def _candidates() -> list[Path]:
    found = [own_parse_py()]
    pyenv = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found += sorted(Path(pyenv).glob("versions/3.*/lib/python3.*/urllib/parse.py"))
    found += sorted((ROOT / ".cache" / "debian-python").glob("*/usr/lib/python3.*/urllib/parse.py"))
    return found


def generation_of(source: str) -> str:
    """Which generation a ``parse.py`` implements, read off its code."""
    names = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    if "_check_bracketed_host" not in names:
        return "unchecked"
    if "_check_bracketed_netloc" not in names:
        return "first_bracketed"
    return "host_info_upper_v" if "('v', 'V')" in source else "host_info"


def donors() -> dict[str, Path]:
    """A ``parse.py`` of each generation that has a check, the first one found."""
    found: dict[str, Path] = {}
    for path in _candidates():
        found.setdefault(generation_of(path.read_text(encoding="utf-8")), path)
    return found


def _lines(source: str, node: ast.AST) -> tuple[int, int]:
    assert isinstance(node, (ast.stmt, ast.expr))
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    assert node.end_lineno is not None
    return first - 1, node.end_lineno


def _split_function(tree: ast.Module) -> ast.FunctionDef:
    """The function that does the splitting (``_urlsplit`` where it exists)."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    return functions.get("_urlsplit") or functions["urlsplit"]


def _bracket_if(function: ast.FunctionDef) -> ast.If | None:
    for node in ast.walk(function):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "'[' in netloc and ']' in netloc":
            return node
    return None


def _pieces(donor: str) -> tuple[list[str], list[str]]:
    """The donor's check functions and its ``if '[' in netloc and ']' in netloc:`` block."""
    lines = donor.splitlines(keepends=True)
    tree = ast.parse(donor)
    functions: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in CHECKS:
            start, end = _lines(donor, node)
            functions += [*lines[start:end], "\n"]
    block = _bracket_if(_split_function(tree))
    assert block is not None, "donor without a bracket check"
    start, end = _lines(donor, block)
    indent = len(lines[start]) - len(lines[start].lstrip())
    return functions, [line[indent:] if line.strip() else line for line in lines[start:end]]


def build(generation: str) -> str:
    """This interpreter's ``urllib/parse.py`` with ``generation``'s bracket rules."""
    base = own_parse_py().read_text(encoding="utf-8")
    if generation_of(base) == generation:
        return base
    functions: list[str] = []
    block: list[str] = []
    if generation != "unchecked":
        donor = donors().get(generation)
        assert donor is not None, f"no interpreter here has a parse.py of generation {generation}"
        functions, block = _pieces(donor.read_text(encoding="utf-8"))
    lines = base.splitlines(keepends=True)
    tree = ast.parse(base)
    split = _split_function(tree)
    remove: list[tuple[int, int]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in CHECKS:
            remove.append(_lines(base, node))
    existing = _bracket_if(split)
    if existing is not None:
        remove.append(_lines(base, existing))
    (raise_line,) = [
        n.lineno
        for n in ast.walk(split)
        if isinstance(n, ast.Raise) and "Invalid IPv6 URL" in ast.unparse(n)
    ]
    indent = " " * (len(lines[raise_line - 1]) - len(lines[raise_line - 1].lstrip()) - 4)
    insert_at = _lines(base, split)[0]
    out: list[str] = []
    for number, line in enumerate(lines):
        if number == insert_at:
            out += functions
        if not any(start <= number < end for start, end in remove):
            out.append(line)
        if number == raise_line - 1:
            out += [indent + line if line.strip() else line for line in block]
    text = "".join(out)
    if "import ipaddress" not in text:
        text = text.replace("\nimport re\n", "\nimport re\nimport ipaddress\n", 1)
    try:
        re.compile(r"\z")
    except re.error:  # older `re` spells the end of the text \Z
        text = text.replace(r"\z", r"\Z")
    assert generation_of(text) == generation
    return text


def write(generation: str, folder: Path) -> Path:
    path = folder / f"parse_{generation}.py"
    path.write_text(build(generation), encoding="utf-8")
    return path


def run(parse_py: Path, generation: str, cases: int, seed: int) -> subprocess.CompletedProcess[str]:
    """The differential run of ``generation_runner.py`` in a fresh interpreter."""
    runner = Path(__file__).resolve().parent / "generation_runner.py"
    command = [sys.executable, str(runner), str(parse_py), generation, str(cases), str(seed)]
    return subprocess.run(command, capture_output=True, text=True, check=False)
