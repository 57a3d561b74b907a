"""What was dropped onto the window, sorted: a folder (opened as the library), songs (queued when they are songs of
the library), playlist files (imported), and the rest (named in a notice)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData

from likewise.audio.formats import format_of
from likewise.index.playlist_files import is_playlist_file
from likewise.index.store import Track


@dataclass
class Dropped:
    """The local paths of a drop, by kind."""

    folders: list[Path] = field(default_factory=list)
    songs: list[Path] = field(default_factory=list)
    playlists: list[Path] = field(default_factory=list)
    other: list[Path] = field(default_factory=list)


def dropped_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders a drag carries (none for text or web links)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


def sort_dropped(paths: list[Path]) -> Dropped:
    """Sort dropped paths by what the window does with them."""
    dropped = Dropped()
    for path in paths:
        if path.is_dir():
            dropped.folders.append(path)
        elif is_playlist_file(path.name):
            dropped.playlists.append(path)
        elif format_of(path.name) is not None:
            dropped.songs.append(path)
        else:
            dropped.other.append(path)
    return dropped


def library_songs(paths: list[Path], root: Path | None, tracks: list[Track]) -> tuple[list[Track], list[Path]]:
    """(the songs of the library these files are, in drop order; the files that are none of them)."""
    if root is None:
        return [], list(paths)
    by_path = {os.path.normcase(str((root / track.relpath).resolve())): track for track in tracks}
    found, outside = [], []
    for path in paths:
        track = by_path.get(os.path.normcase(str(path.resolve())))
        (found.append(track) if track is not None else outside.append(path))
    return found, outside
