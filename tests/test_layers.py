"""The package's layers: every import points down, from the adapters through the
reference-compatible modules and the shared request decision to the native module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import signalwire.core.security as ours
from signalwire.core.security._optional import require

PACKAGE = Path(str(ours.__file__)).parent
# Lower imports nothing higher. Same rank: neither imports the other.
RANK = {
    "_native": 0,
    "_compat": 0,  # the slow paths the native module calls back into
    "_optional": 0,  # ImportErrors that name the extra to install
    "_request": 1,  # header precedence, the public URL, the policies
    "_rules": 2,  # which requests need a signature; what options mean
    "_guard": 3,  # one adapter's checked options and the decisions taken from them
    "validator": 2,
    "signing": 2,
    "webhook_validator": 3,  # reference-compatible modules
    "webhook_middleware": 3,
    "security_utils": 3,
    "asgi": 4,  # adapters and tools
    "wsgi": 4,  # the WSGI middleware and the decision the Flask and Django adapters share
    "_fastapi": 4,
    "doctor": 4,
    "testing": 4,  # signed requests for test clients
    "flask": 5,  # framework adapters on the WSGI core
    "django": 5,
    "cli": 5,
    "__init__": 6,
    "__main__": 7,
}
# The reference's name for the FastAPI adapter lives in webhook_middleware; it loads the
# adapter when called, so that importing the package never imports FastAPI.
LAZY_UPWARD = {("webhook_middleware", "_fastapi")}


def imports(path: Path) -> set[str]:
    """Our modules that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            assert not node.module.startswith("signalwire.core.security"), (path, node.module)
    return found


def test_every_module_has_a_layer() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} | {"_native"} == set(RANK)


def test_imports_point_down() -> None:
    for path in PACKAGE.glob("*.py"):
        for target in imports(path):
            if (path.stem, target) in LAZY_UPWARD:
                continue
            assert RANK[target] < RANK[path.stem], f"{path.stem} imports {target}"


def test_the_one_upward_edge_is_lazy() -> None:
    tree = ast.parse((PACKAGE / "webhook_middleware.py").read_text())
    top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1]
    assert all(n.module != "_fastapi" for n in top)
    assert "_fastapi" in imports(PACKAGE / "webhook_middleware.py")


# ---- optional frameworks: only through _optional.require ---------------------------------

# Web frameworks an adapter may need; none is a dependency of the package itself.
FRAMEWORKS = {"fastapi", "starlette", "flask", "werkzeug", "django", "quart", "aiohttp"}


def _imported(node: ast.AST) -> set[str]:
    """The top-level names of the outside packages that ``node`` imports."""
    if isinstance(node, ast.Import):
        return {alias.name.partition(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.partition(".")[0]}
    return set()


def _ours(node: ast.AST) -> set[str]:
    """Our modules that ``node`` imports (relative imports)."""
    if isinstance(node, ast.ImportFrom) and node.level == 1:
        return {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    return set()


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def _catches_import_error(node: ast.AST) -> bool:
    return isinstance(node, ast.Try) and any(
        handler.type is not None
        and {"ImportError", "ModuleNotFoundError"} & {ast.unparse(handler.type)}
        for handler in node.handlers
    )


def _imports_with_context(tree: ast.Module) -> list[tuple[ast.AST, ast.AST | None, bool]]:
    """Every import that runs (not under ``TYPE_CHECKING``): the node, its enclosing
    function (None: module level), and whether a ``try`` catching ImportError wraps it."""
    found: list[tuple[ast.AST, ast.AST | None, bool]] = []

    def visit(node: ast.AST, function: ast.AST | None, guarded: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, function, guarded))
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            visit(child, inner or function, guarded or _catches_import_error(child))

    visit(tree, None, False)
    return found


def _requires_first(function: ast.AST, node: ast.AST) -> bool:
    """``function`` calls ``require(...)`` before the line of ``node``."""
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "require"
        and call.lineno < getattr(node, "lineno", 0)
        for call in ast.walk(function)
    )


def test_optional_frameworks_load_only_through_require() -> None:
    """A module that imports a framework at its top is an adapter: private, and imported
    only inside a function that has called ``_optional.require`` for it, so a missing
    framework is an ImportError naming the extra. The one exception is the ASGI
    middleware's Starlette URL, whose absence has a fallback (a ``try`` catching it)."""
    trees = {path.stem: ast.parse(path.read_text()) for path in PACKAGE.glob("*.py")}
    adapters = set()
    for name, tree in trees.items():
        for node, function, guarded in _imports_with_context(tree):
            frameworks = _imported(node) & FRAMEWORKS
            if not frameworks:
                continue
            if function is None:
                adapters.add(name)
            else:
                assert guarded or _requires_first(function, node), (name, frameworks)
    assert "_fastapi" in adapters
    assert all(name.startswith("_") for name in adapters), adapters
    for name, tree in trees.items():
        for node, function, _ in _imports_with_context(tree):
            for adapter in _ours(node) & adapters:
                assert function is not None, f"{name} imports {adapter} at its top"
                assert _requires_first(function, node), f"{name} imports {adapter} unchecked"


def test_require_names_the_extra_and_passes_other_errors_on(tmp_path: Path) -> None:
    with pytest.raises(ImportError) as raised:
        require("signalwire_test_no_such_framework.sub", extra="flask", feature="the thing")
    assert str(raised.value) == (
        "the thing needs signalwire_test_no_such_framework, which is not installed: "
        'pip install "signalwire-security-native[flask]"'
    )
    assert type(raised.value) is ImportError
    assert isinstance(raised.value.__cause__, ModuleNotFoundError)
    # An installed framework that fails to import for its own reason: its error, unchanged.
    (tmp_path / "signalwire_test_broken_framework.py").write_text(
        "import signalwire_test_missing_inner_dependency\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(ModuleNotFoundError) as inner:
            require("signalwire_test_broken_framework", extra="flask", feature="the thing")
        assert inner.value.name == "signalwire_test_missing_inner_dependency"
        assert require("json", extra="x", feature="y") is sys.modules["json"]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("signalwire_test_broken_framework", None)
