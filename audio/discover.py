"""Finding audio files under a library folder."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from likewise.audio.formats import format_of

GONE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)  # vanished, or a link to nothing or round in a loop


@dataclass(frozen=True)
class FoundFile:
    """An audio file as seen by a scan: path relative to the library root, size and modification time."""

    relpath: str
    size: int
    mtime: float


def walk_audio_files(root: Path) -> Iterator[FoundFile]:
    """Yield every music file under `root` (by suffix, from the format registry), as `walk_files` does."""
    return walk_files(root, lambda name: format_of(name) is not None)


def walk_files(root: Path, wanted: Callable[[str], bool], unreadable: list[str] | None = None) -> Iterator[FoundFile]:
    """Yield every file under `root` whose name is `wanted`, following no symlinked folders, in sorted order.

    Files and folders that vanish during the walk, and links that lead nowhere, are skipped. Those that exist but
    cannot be read (no permission, an I/O error on a failing disk or share) are skipped too, and their paths
    relative to `root` ("." for `root` itself) appended to `unreadable`: what they hold is unknown, not gone.
    """
    root = Path(root)
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            if error.errno not in GONE:
                _note(unreadable, folder, root)
            continue
        subfolders = []
        for entry in listing:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(Path(entry.path))
                    continue
                if not wanted(entry.name):
                    continue
                if not entry.is_file(follow_symlinks=True):
                    continue
                info = entry.stat(follow_symlinks=True)
            except OSError as error:
                if error.errno not in GONE:
                    _note(unreadable, Path(entry.path), root)
                continue
            relpath = os.path.relpath(entry.path, root)
            yield FoundFile(relpath=relpath, size=info.st_size, mtime=info.st_mtime)
        stack.extend(reversed(subfolders))


def _note(unreadable: list[str] | None, path: Path, root: Path) -> None:
    if unreadable is not None:
        unreadable.append(os.path.relpath(path, root))
