"""The Playlists tab at work: its list kept in step with the store; Play (through the queue), Mix (the window's
mix dialog), Export and Import; every playlist the window writes (an export, a radio, a mix) is recorded as made by
likewise, through the library thread."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from likewise.desktop.backend import History, Snapshot
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.playlists_pane import PlaylistsPane
from likewise.desktop.radio import export_playlist
from likewise.index.playlist_store import Playlist
from likewise.index.store import Track

IMPORT_FILTER = "Playlists (*.m3u *.m3u8 *.pls *.xspf);;All files (*)"


class PlaylistsController(QObject):
    """Connects the Playlists tab to the library shown."""

    play_requested = Signal(list)  # list[Track]: the playlist's songs, to play in order
    mix_requested = Signal(list)  # list[Track]: the analysed songs of the playlist, once each
    status = Signal(str, int)  # a passing message and for how many milliseconds
    message = Signal(str)  # something went wrong

    def __init__(self, pane: PlaylistsPane, library: LibraryController, window: QWidget):
        super().__init__(window)
        self.pane, self.library, self.window = pane, library, window
        self._db: Path | None = None
        self._select_next: int | None = None  # a playlist just imported or saved, selected once listed
        library.loaded.connect(self._loaded)
        library.history_loaded.connect(self._loaded)
        library.library_changed.connect(self._library_changed)
        pane.selected.connect(self._selected)
        pane.play_clicked.connect(self.play)
        pane.mix_clicked.connect(self.mix)
        pane.export_clicked.connect(self.export)
        pane.import_clicked.connect(self.choose_import)

    def _library_changed(self) -> None:
        if self.library.db != self._db:
            self._db = self.library.db
            self.pane.set_playlists([])

    def _loaded(self, update: Snapshot | History) -> None:
        self.pane.set_playlists(update.playlists)
        if self._select_next is not None:
            self.pane.select(self._select_next)
            self._select_next = None

    def _selected(self, playlist: Playlist | None) -> None:
        if playlist is None:
            self.pane.show_playlist(None, [])
            return
        self.library.submit(lambda backend: backend.playlist_tracks(playlist.id),
                            lambda tracks: self._show(playlist, tracks))

    def _show(self, playlist: Playlist, tracks: list[Track]) -> None:
        current = self.pane.current()
        if current is not None and current.id == playlist.id:
            self.pane.show_playlist(current, tracks)

    def play(self) -> None:
        """Play the selected playlist from its first song."""
        if self.pane.tracks:
            self.play_requested.emit(list(self.pane.tracks))

    def mix(self) -> None:
        """Ask for songs like the selected playlist as a whole (its analysed songs are the seeds)."""
        seeds = {track.id: track for track in self.pane.tracks if track.status == "ok"}
        if seeds:
            self.mix_requested.emit(list(seeds.values()))

    def export(self) -> None:
        """Write the selected playlist's songs as an M3U8 file (guarded), then record it as made by likewise."""
        playlist, tracks = self.pane.current(), self.pane.tracks
        if playlist is not None and tracks:
            self.export_tracks(tracks, playlist.name)

    def export_tracks(self, tracks: list[Track], name: str) -> None:
        """Ask where to write the songs as an M3U8 playlist called `name` (guarded), then record it as made."""
        path, outcome = export_playlist(self.window, tracks, self.library.root, self.library.db, name)
        if path is not None:
            self.save_made(tracks, path)
        elif outcome:
            self.status.emit(outcome, 10000)

    def save_made(self, tracks: list[Track], path: Path) -> None:
        """Record a playlist the window wrote at `path` (named by its file), and list it."""
        ids = [track.id for track in tracks]
        self.library.submit(lambda backend: backend.save_made_playlist(path.stem, ids, path),
                            lambda playlist: self._listed(playlist, f"Saved {len(ids)} songs to {path}"),
                            lambda reason: self.message.emit(f"The playlist was written but not recorded: {reason}."))

    def choose_import(self) -> None:
        """Ask for a playlist file and read it into the library, with its problems."""
        start = str(self.library.root or Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self.window, "Import playlist", start, IMPORT_FILTER)
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, path: Path, then_queue: Callable[[list[Track]], None] | None = None) -> None:
        """Read a playlist file into the library and show it selected; `then_queue` (a dropped file's) receives its
        songs of the library."""
        def read(backend) -> tuple[Playlist, list[Track]]:
            playlist = backend.import_playlist(path)
            return playlist, backend.playlist_tracks(playlist.id) if then_queue is not None else []

        def done(result: tuple[Playlist, list[Track]]) -> None:
            playlist, tracks = result
            problems = len(playlist.problems)
            text = (f"Imported {playlist.name}: {playlist.songs} of {playlist.entries} songs found"
                    + (f", {problems} problem{'s' * (problems != 1)}" if problems else ""))
            if then_queue is not None:
                then_queue(tracks)
                text += ", added to the queue"
            self._listed(playlist, text)

        self.library.submit(read, done, lambda reason: self.message.emit(f"Cannot import {path.name}: {reason}."))

    def _listed(self, playlist: Playlist, text: str) -> None:
        """List the playlists again, this one selected."""
        self.status.emit(text, 10000)
        self._select_next = playlist.id
        self.library.reload_history()
