"""What the window asks or shows in other windows: the song radio, the folder chooser, the file manager."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from likewise.assets import DEMO_DIR
from likewise.desktop import settings
from likewise.desktop.desktop_services import show_folder
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.radio import MixDialog, PathDialog, PlaylistDialog, RadioDialog
from likewise.index.playlist import Radio
from likewise.index.recommend import Options
from likewise.index.store import Track


class Dialogs(QObject):
    """Opens the dialogs of `window` for the library that `library` shows."""

    folder_chosen = Signal(object)  # Path of a music folder to open
    play_requested = Signal(object, float)  # Track, start seconds
    play_all_requested = Signal(list)  # list[Track], in order
    path_shown = Signal(list)  # list[Track]: a sonic path, to draw on the mood map
    status = Signal(str, int)  # a passing message and for how many milliseconds
    message = Signal(str)  # something went wrong
    playlist_written = Signal(list, object)  # a dialog wrote these songs to this M3U8 file (Path)

    def __init__(self, window: QWidget, library: LibraryController, stored: QSettings):
        super().__init__(window)
        self.window = window
        self.library = library
        self.radio_dialog: RadioDialog | None = None
        self.mix_dialog: MixDialog | None = None
        self.path_dialog: PathDialog | None = None
        self.radio_length = settings.RADIO_LENGTH.get(stored)
        self.path_steps = settings.PATH_STEPS.get(stored)

    def save(self, stored: QSettings) -> None:
        """Remember the song radio's length."""
        settings.RADIO_LENGTH.set(stored, self.radio_length)
        settings.PATH_STEPS.set(stored, self.path_steps)

    def close_playlists(self) -> None:
        """Close the song radio, mix and sonic path dialogs (another library opens: their songs are the one left's)."""
        for dialog in (self.radio_dialog, self.mix_dialog, self.path_dialog):
            if dialog is not None:
                dialog.close()
        self.radio_dialog = self.mix_dialog = self.path_dialog = None

    def choose_folder(self) -> None:
        """Ask for a music folder to open."""
        root = self.library.root
        start = str(root if root and root != DEMO_DIR else Path.home())
        folder = QFileDialog.getExistingDirectory(self.window, "Open music folder", start)
        if folder:
            self.folder_chosen.emit(Path(folder))

    def show_in_folder(self, track: Track | None) -> None:
        """Open the folder of a song (or of the library) in the file manager."""
        path = self.library.track_path(track) if track is not None else None
        folder = path.parent if path is not None else self.library.root
        if folder is not None:
            show_folder(self.window, folder)  # says so, and offers the path, where no file manager answers

    def song_radio(self, track: Track | None, options: Options) -> None:
        """Build a song radio playlist from an analysed song and show it."""
        if track is not None and track.status == "ok":
            self.status.emit(f"Building a song radio from {track.label}…", 5000)
            self._request_radio(track.id, options)

    def _request_radio(self, track_id: int, options: Options, asked_by: PlaylistDialog | None = None) -> None:
        length = self.radio_length
        self.library.submit_for_library(lambda backend: backend.radio(track_id, length, options),
                                        _unless_closed(asked_by, lambda result: self._show_radio(*result)),
                                        lambda reason: self.message.emit(f"Cannot make a song radio: {reason}."))

    def _length_changed(self, length: int, options: Options) -> None:
        self.radio_length = length
        self._request_radio(self.radio_dialog.seed.id, options, self.radio_dialog)

    def _show_radio(self, seed: Track, radio: Radio) -> None:
        self.status.emit("", 0)  # "Building a song radio…" is over

        def make() -> RadioDialog:
            dialog = RadioDialog(seed, radio, self.library.root, self.library.db, self.radio_length, self.window)
            dialog.length_requested.connect(lambda length: self._length_changed(length, self.library.panel.options()))
            return dialog

        same = self.radio_dialog is not None and self.radio_dialog.seed.id == seed.id
        self.radio_dialog = self._show_playlist(self.radio_dialog, same, radio.tracks, make, radio.short_because)

    def _show_playlist(self, shown: PlaylistDialog | None, same: bool, tracks: list[Track],
                       make: Callable[[], PlaylistDialog], short_because: str = "") -> PlaylistDialog:
        """Show `tracks` in the dialog `shown` when it is open on the same playlist (longer or shorter now, and
        `short_because` says why shorter than asked), else close it and open the one `make` builds; returns the
        dialog showing them."""
        if shown is not None and shown.isVisible() and same:
            shown.set_tracks(tracks, short_because)
            return shown
        if shown is not None:
            shown.close()
        dialog = make()
        dialog.play_requested.connect(self.play_requested)
        dialog.exported.connect(self.playlist_written)
        dialog.play_all_requested.connect(self.play_all_requested)
        dialog.show()
        return dialog

    def mix(self, seeds: list[Track], options: Options, asked_by: PlaylistDialog | None = None) -> None:
        """Build the mix of several analysed songs (as many songs as `options.count`) and show it (not when the
        dialog whose length box `asked_by` it was closed meanwhile)."""
        seeds = [track for track in seeds if track.status == "ok"]
        if len(seeds) < 2:
            self.message.emit("A mix needs at least two analysed songs: select several.")
            return
        ids = [track.id for track in seeds]
        self.status.emit(f"Mixing {len(seeds)} songs…", 5000)
        self.library.submit_for_library(lambda backend: backend.mix(ids, options),
                                        _unless_closed(asked_by, lambda tracks: self._show_mix(seeds, tracks)),
                                        lambda reason: self.message.emit(f"Cannot make a mix: {reason}."))

    def _show_mix(self, seeds: list[Track], tracks: list[Track]) -> None:
        def make() -> MixDialog:
            dialog = MixDialog(seeds, tracks, self.library.root, self.library.db, len(tracks) or 1, self.window)
            options = self.library.panel.options()
            dialog.length_requested.connect(lambda count: self.mix(seeds, replace(options, count=count), dialog))
            return dialog

        same = self.mix_dialog is not None and self.mix_dialog.seeds == seeds
        self.mix_dialog = self._show_playlist(self.mix_dialog, same, tracks, make)

    def sonic_path(self, tracks: list[Track], options: Options, asked_by: PlaylistDialog | None = None) -> None:
        """Build a sonic path from the first of `tracks` (analysed songs) to the last in `path_steps` steps and show
        it (not when the dialog whose length box `asked_by` it was closed meanwhile)."""
        start, end = (tracks[0], tracks[-1]) if tracks else (None, None)
        if start is None or start.status != "ok" or end.status != "ok" or start.id == end.id:
            self.message.emit("A sonic path needs two different analysed songs: select the first and the last.")
            return
        steps = self.path_steps
        self.status.emit(f"Finding a path from {start.label} to {end.label}…", 5000)
        self.library.submit_for_library(lambda backend: backend.sonic_path(start.id, end.id, steps, options),
                                        _unless_closed(asked_by, lambda tracks: self._show_path(start, end, tracks)),
                                        lambda reason: self.message.emit(f"Cannot make a sonic path: {reason}."))

    def _show_path(self, start: Track, end: Track, tracks: list[Track]) -> None:
        def make() -> PathDialog:
            dialog = PathDialog(start, end, tracks, self.library.root, self.library.db, self.path_steps, self.window)
            dialog.length_requested.connect(lambda steps: self._path_steps_changed(start, end, steps, dialog))
            return dialog

        self.path_shown.emit(tracks)
        shown = self.path_dialog
        same = shown is not None and (shown.start.id, shown.end.id) == (start.id, end.id)
        self.path_dialog = self._show_playlist(shown, same, tracks, make)

    def _path_steps_changed(self, start: Track, end: Track, steps: int, asked_by: PlaylistDialog) -> None:
        self.path_steps = steps
        self.sonic_path([start, end], self.library.panel.options(), asked_by)


def _unless_closed(asked_by: PlaylistDialog | None, show: Callable[[object], None]) -> Callable[[object], None]:
    """`show`, except for the answer to a dialog's length box that comes after the dialog closed (it would open
    the dialog again)."""
    return lambda answer: show(answer) if asked_by is None or asked_by.isVisible() else None
