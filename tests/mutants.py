"""Mutation testing of the package's security-deciding Python (``make mutants-py``).

Each mutant changes one thing in one module — a comparison turned around, ``and`` for
``or``, a ``not`` dropped, a condition negated, ``True`` for ``False``, a number off by
one, a normalising string method (``strip``, ``casefold``, ...) dropped — and is written
over the installed copy the tests import (the wheel in the venv that runs this script:
``make mutants-py`` makes ``.venv-mutants`` for it, never ``.venv``).
The module's tests then run; a mutant they fail on is killed. A survivor is either a gap
in the tests or equivalent (no input can tell it apart): ``mutants-equivalent.txt`` lists
those, each with the reason, and ``test_mutants.py`` checks the list against the code.

    python tests/mutants.py [MODULE[:LINE[,LINE...]] ...]   # default: every module of TARGETS

``MODULE:LINE`` runs only the mutants made at those lines (to check a new test kills them).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "python" / "signalwire_security_native"
SOURCE = PACKAGE / "security"
EQUIVALENT = HERE / "mutants-equivalent.txt"
# Module (under signalwire_security_native/security, or the package's own ``_hook.py``) ->
# the tests that must notice a change in it: pytest arguments, run in tests/, fastest first
# (``-x`` stops at the first failure, so a killed mutant costs seconds).
TARGETS: dict[str, list[str]] = {
    "_rules.py": [
        "test_rules.py", "test_attack.py", "test_attack_findings.py", "test_bad_input.py"
    ],
    "_guard.py": [
        "test_rules.py", "test_flask.py", "test_django.py", "test_attack.py",
        "test_attack_findings.py",
        "test_readme.py", "test_extras.py",
    ],
    "_request.py": [
        "test_header_rule.py", "test_middleware_differential.py", "test_dependency.py",
        "test_asgi.py", "test_attack.py", "test_wsgi.py", "test_attack_findings.py",
    ],
    "validator.py": [
        "test_strict.py", "test_header_rule.py", "test_api.py", "test_extras.py",
        "test_testing_helpers.py",
    ],
    "wsgi.py": [
        "test_attack.py", "test_bad_input.py", "test_wsgi.py", "test_attack_findings.py",
        "test_readme.py",
    ],
    "asgi.py": [
        "test_asgi.py", "test_attack.py", "test_bad_input.py", "test_dependency.py",
        "test_attack_findings.py", "test_readme.py",
    ],
    "flask.py": [
        "test_flask.py", "test_attack.py", "test_bad_input.py", "test_attack_findings.py",
        "test_readme.py",
    ],
    "django.py": [
        "test_django.py", "test_attack.py", "test_bad_input.py", "test_attack_findings.py",
        "test_readme.py",
    ],
    "_hook.py": [
        "test_platform.py", "test_hook_versions.py", "test_attack_findings.py",
        "test_import_race.py",
    ],
}  # fmt: skip


def source_of(module: str) -> Path:
    """The module's file in this checkout."""
    return PACKAGE / module if module == "_hook.py" else SOURCE / module


SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


# String methods that normalise a value (white space, case, slashes): dropping one leaves
# the value as it came, which a rule that compares or parses it must notice.
NORMALISING = {"strip", "lstrip", "rstrip", "casefold", "lower", "upper"}


class _Mutator(ast.NodeTransformer):
    """Walks a module's code in a fixed order, counting each possible mutation; applies the
    one numbered ``target`` (none when -1) and records every one's line and description."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.found: list[tuple[int, str]] = []

    def _site(self, node: ast.AST, describe: str) -> bool:
        self.found.append((getattr(node, "lineno", 0), describe))
        return len(self.found) - 1 == self.target

    def visit_Expr(self, node: ast.Expr) -> ast.AST:  # docstrings and bare strings: skip
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node  # the annotation is not code

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.body = [self.visit(statement) for statement in node.body]
        node.args.defaults = [self.visit(d) for d in node.args.defaults]
        node.args.kw_defaults = [self.visit(d) if d else d for d in node.args.kw_defaults]
        return node  # decorators and annotations are left alone

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for position, op in enumerate(node.ops):
            other = SWAP.get(type(op))
            if other is not None and self._site(node, f"{type(op).__name__} -> {other.__name__}"):
                node.ops[position] = other()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "not dropped"):
            return node.operand
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        method = node.func
        if (
            isinstance(method, ast.Attribute)
            and method.attr in NORMALISING
            and self._site(node, f".{method.attr}() dropped")
        ):
            return method.value
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        self.generic_visit(node)
        if self._site(node, "condition negated"):
            node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return node

    visit_While = visit_If  # type: ignore[assignment]

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            if self._site(node, f"{value} -> {not value}"):
                return ast.Constant(not value)
        elif isinstance(value, int) and self._site(node, f"{value} -> {value + 1}"):
            return ast.Constant(value + 1)
        return node


def mutants(source: str) -> Iterator[tuple[int, str, str]]:
    """(line, description, mutated source) for each mutant of ``source``."""
    survey = _Mutator(-1)
    survey.visit(ast.parse(source))
    for target, (line, describe) in enumerate(survey.found):
        mutated = _Mutator(target).visit(ast.parse(source))
        yield line, describe, ast.unparse(ast.fix_missing_locations(mutated))


def installed(module: str) -> Path:
    """The module's file in the installed copy the tests import."""
    import signalwire_security_native as package  # noqa: PLC0415 - the installed copy

    root = Path(str(package.__file__)).parent
    return root / module if module == "_hook.py" else root / "security" / module


def equivalent() -> set[tuple[str, int, str]]:
    """(module, line, description) of the listed equivalent mutants."""
    found = set()
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            place, describe, _reason = (part.strip() for part in line.split("|", 2))
            module, number = place.rsplit(":", 1)
            found.add((module, int(number), describe))
    return found


def run(module: str, only: set[int] | None = None) -> tuple[int, list[tuple[int, str]]]:
    """Every mutant of ``module`` (or those made at the lines ``only``) against its tests:
    how many there were, and the survivors."""
    target = installed(module)
    original = target.read_text()
    assert original == source_of(module).read_text(), f"{module}: install the current wheel"
    survivors = []
    count = 0
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "SW_DIFF_CASES": "2000"}
    try:
        # The unmutated code must pass, or every mutant would look killed.
        baseline = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TARGETS[module]],
            cwd=HERE, env=env, capture_output=True, timeout=600, check=False,
        )  # fmt: skip
        if baseline.returncode != 0:
            sys.exit(f"{module}: the tests fail without a mutant:\n{baseline.stdout.decode()}")
        made = [m for m in mutants(original) if only is None or m[0] in only]
        for count, (line, describe, mutated) in enumerate(made, 1):
            target.write_text(mutated)
            for cached in target.parent.joinpath("__pycache__").glob(f"{target.stem}.*"):
                cached.unlink()
            started = time.monotonic()
            try:
                outcome = subprocess.run(
                    [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                     *TARGETS[module]],
                    cwd=HERE, env=env, capture_output=True, timeout=300, check=False,
                )  # fmt: skip
                killed = outcome.returncode != 0
            except subprocess.TimeoutExpired:
                killed = True  # a hang is noticed
            verdict = "killed" if killed else "SURVIVED"
            took = time.monotonic() - started
            print(f"[{count}] {module}:{line} {describe}: {verdict} ({took:.0f} s)", flush=True)
            if not killed:
                survivors.append((line, describe))
    finally:
        target.write_text(original)
        for cached in target.parent.joinpath("__pycache__").glob(f"{target.stem}.*"):
            cached.unlink()
    return count, survivors


def main() -> None:
    picked = [arg.partition(":") for arg in sys.argv[1:]] or [(m, "", "") for m in TARGETS]
    listed = equivalent()
    unexplained = []
    scores = []
    for module, _, at in picked:
        made, survivors = run(module, {int(n) for n in at.split(",")} if at else None)
        for line, describe in survivors:
            if (module, line, describe) not in listed:
                unexplained.append(f"{module}:{line} | {describe}")
        scores.append(f"{module}: {made} mutants, {made - len(survivors)} killed, "
                      f"{len(survivors)} survived")  # fmt: skip
    print("\n".join(["scores:", *scores]))
    print("\n".join(["unexplained survivors:", *unexplained] if unexplained else ["none"]))
    sys.exit(1 if unexplained else 0)


if __name__ == "__main__":
    main()
