"""The shape of the code: one root error, and no package importing a package above it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from audio.decode import AudioError
from audio.errors import LikewiseError
from index.cli import CommandError
from index.lock import StoreBusy
from index.store import StoreError


@pytest.mark.parametrize("kind", [AudioError, StoreError, StoreBusy, CommandError])
def test_every_error_of_likewise_is_a_likewise_error(kind: type[Exception]) -> None:
    assert issubclass(kind, LikewiseError)
    with pytest.raises(LikewiseError, match="the message as given"):
        raise kind("the message as given")


ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("audio", "model", "index", "desktop")  # lowest first: each may import only the layers before it
ALLOWED = {
    # the `likewise` command registers the `likewise desktop` subcommand: the CLI root sits above the window
    # (issue 15 part 5 gives it a home of its own, which removes this exception)
    ("index/cli.py", "desktop"),
}


def _imported_packages(path: Path) -> set[str]:
    """The top-level names that a module imports anywhere, in functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _upward_imports() -> set[tuple[str, str]]:
    """(file, package) for every import of a layer above the file's own."""
    upward = set()
    for rank, layer in enumerate(LAYERS):
        for path in sorted((ROOT / layer).rglob("*.py")):
            for package in _imported_packages(path) & set(LAYERS[rank + 1:]):
                upward.add((path.relative_to(ROOT).as_posix(), package))
    return upward


def test_no_package_imports_a_package_above_it() -> None:
    assert _upward_imports() == ALLOWED


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("def late():\n    from desktop.app import run_app\n    import index.store\n")
    assert _imported_packages(module) == {"desktop", "index"}
