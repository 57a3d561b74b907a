"""The shape of the code: one root error, and no package importing a package above it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from likewise.audio.decode import AudioError
from likewise.audio.errors import LikewiseError
from likewise.cli.errors import CommandError
from likewise.index.lock import StoreBusy
from likewise.index.store import StoreError


@pytest.mark.parametrize("kind", [AudioError, StoreError, StoreBusy, CommandError])
def test_every_error_of_likewise_is_a_likewise_error(kind: type[Exception]) -> None:
    assert issubclass(kind, LikewiseError)
    with pytest.raises(LikewiseError, match="the message as given"):
        raise kind("the message as given")


ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("audio", "model", "index", "desktop", "cli")  # lowest first: each may import only the layers before it


def _package(module: str) -> str:
    """The package that an absolute import names: `likewise.index.store` -> `index`, `numpy.linalg` -> `numpy`."""
    parts = module.split(".")
    return parts[1] if parts[0] == "likewise" and len(parts) > 1 else parts[0]


def _imported_packages(path: Path) -> set[str]:
    """The packages that a module imports anywhere, in functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {_package(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(_package(node.module))
    return found


def _upward_imports() -> set[tuple[str, str]]:
    """(file, package) for every import of a layer above the file's own."""
    upward = set()
    for rank, layer in enumerate(LAYERS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for package in _imported_packages(path) & set(LAYERS[rank + 1:]):
                upward.add((path.relative_to(ROOT).as_posix(), package))
    return upward


def test_every_import_of_likewise_goes_through_the_likewise_package() -> None:
    bare = {(path.relative_to(ROOT).as_posix(), name)
            for path in sorted(ROOT.rglob("*.py")) if not {".venv", "scratch", ".git", ".shim"} & set(path.parts)
            for name in _bare_imports(path)}
    assert bare == set()


def _bare_imports(path: Path) -> set[str]:
    """Imports of a likewise package by its folder's name (`import index`), which would load a second copy."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name for name in names if name.split(".")[0] in {*LAYERS, "assets"}}


def test_no_package_imports_a_package_above_it() -> None:
    assert _upward_imports() == set()


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from likewise.desktop.app import run_app\n    import likewise.index.store\n")
    assert _imported_packages(module) == {"desktop", "index"}
