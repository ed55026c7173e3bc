"""The package's layers: every import points down, from the adapters through the
reference-compatible modules and the shared request decision to the native module."""

from __future__ import annotations

import ast
from pathlib import Path

import signalwire.core.security as ours

PACKAGE = Path(str(ours.__file__)).parent
# Lower imports nothing higher. Same rank: neither imports the other.
RANK = {
    "_native": 0,
    "_compat": 0,  # the slow paths the native module calls back into
    "_optional": 0,  # ImportErrors that name the extra to install
    "_request": 1,  # header precedence, the public URL, the policies
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
