"""What the window asks or shows in other windows: the song radio, the folder chooser, the file manager."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from likewise.assets import DEMO_DIR
from likewise.desktop import settings
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.radio import RadioDialog
from likewise.index.recommend import Options
from likewise.index.store import Track


class Dialogs(QObject):
    """Opens the dialogs of `window` for the library that `library` shows."""

    folder_chosen = Signal(object)  # Path of a music folder to open
    play_requested = Signal(object, float)  # Track, start seconds
    status = Signal(str, int)  # a passing message and for how many milliseconds
    message = Signal(str)  # something went wrong

    def __init__(self, window: QWidget, library: LibraryController, stored: QSettings):
        super().__init__(window)
        self.window = window
        self.library = library
        self.radio_dialog: RadioDialog | None = None
        self.radio_length = settings.RADIO_LENGTH.get(stored)

    def save(self, stored: QSettings) -> None:
        """Remember the song radio's length."""
        settings.RADIO_LENGTH.set(stored, self.radio_length)

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
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def song_radio(self, track: Track | None, options: Options) -> None:
        """Build a song radio playlist from an analysed song and show it."""
        if track is not None and track.status == "ok":
            self.status.emit(f"Building a song radio from {track.label}…", 5000)
            self._request_radio(track.id, options)

    def _request_radio(self, track_id: int, options: Options) -> None:
        length = self.radio_length
        self.library.submit(lambda backend: backend.radio(track_id, length, options),
                            lambda result: self._show_radio(*result),
                            lambda reason: self.message.emit(f"Cannot make a song radio: {reason}."))

    def _length_changed(self, length: int, options: Options) -> None:
        self.radio_length = length
        self._request_radio(self.radio_dialog.seed.id, options)

    def _show_radio(self, seed: Track, tracks: list[Track]) -> None:
        dialog = self.radio_dialog
        if dialog is not None and dialog.isVisible() and dialog.seed.id == seed.id:
            dialog.set_tracks(tracks)  # the same radio, longer or shorter
            return
        if dialog is not None:
            dialog.close()
        dialog = self.radio_dialog = RadioDialog(seed, tracks, self.library.root, self.library.db, self.radio_length,
                                                 self.window)
        dialog.play_requested.connect(self.play_requested)
        dialog.length_requested.connect(lambda length: self._length_changed(length, self.library.panel.options()))
        dialog.show()
