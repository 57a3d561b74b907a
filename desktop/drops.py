"""What was dropped onto the window, sorted: a folder (opened as the library), songs (queued when they are songs of
the library), playlist files (imported), and the rest (named in a notice)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QMimeData, QObject

from likewise.audio.formats import format_of
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.queue_controller import QueueController
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


def _relpath_in(path: Path, folders: tuple[Path, ...]) -> str | None:
    """`path` relative to the first of `folders` that holds it, as the store writes relpaths; None if none does."""
    for folder in folders:
        if path.is_relative_to(folder):
            return os.path.normcase(path.relative_to(folder).as_posix())
    return None


def _real_path(path: Path) -> Path | None:
    """`path` with its links followed; None when that fails (before Python 3.13, links that go round in a loop
    raise RuntimeError)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def library_songs(paths: list[Path], root: Path | None, tracks: list[Track]) -> tuple[list[Track], list[Path]]:
    """(the songs of the library these files are, in drop order; the files that are none of them). Only the dropped
    paths are resolved (through the library folder as it is named, or its real path): never every song's."""
    if root is None:
        return [], list(paths)
    by_relpath = {os.path.normcase(track.relpath): track for track in tracks}
    folders = (root, root.resolve())
    found, outside = [], []
    for path in paths:
        track = by_relpath.get(_relpath_in(path, folders))
        if track is None and (real := _real_path(path)) is not None:
            track = by_relpath.get(_relpath_in(real, folders))
        (found.append(track) if track is not None else outside.append(path))
    return found, outside


class DropHandler(QObject):
    """Does what a drop asks: a folder opens as the library, songs of the library join the queue, playlist files
    are imported (their songs of the library queued); says in a line what could not be done."""

    def __init__(self, library_control: LibraryController, queue: QueueController,
                 open_library: Callable[[Path], None], import_playlist: Callable[[Path], None],
                 notify: Callable[[str], None], status: Callable[[str, int], None], parent=None):
        super().__init__(parent)
        self.library_control, self.queue = library_control, queue
        self.open_library, self.import_playlist = open_library, import_playlist
        self.notify, self.status = notify, status

    def open(self, paths: list[Path], tracks: list[Track]) -> None:
        """Handle dropped `paths`; `tracks` are the library's songs."""
        dropped = sort_dropped(paths)
        if dropped.folders:
            self.open_library(dropped.folders[0])
            return
        notes = []
        songs, outside = library_songs(dropped.songs, self.library_control.root, tracks)
        if songs:
            self.queue.add(songs)
            notes.append(f"Added {len(songs)} song{'s' * (len(songs) != 1)} to the queue.")
        if outside:
            notes.append(f"{len(outside)} dropped file{'s are' if len(outside) != 1 else ' is'} not in this library "
                         f"({outside[0].name}{', …' * (len(outside) > 1)}): open its folder to play it here.")
        if dropped.other:
            notes.append(f"Not music or a playlist: {dropped.other[0].name}{', …' * (len(dropped.other) > 1)}.")
        for playlist in dropped.playlists:
            self.import_playlist(playlist)
        if outside or dropped.other:
            self.notify(" ".join(notes))
        elif notes:
            self.status(" ".join(notes), 5000)
