"""The song radio dialog: the playlist built from a seed song, playable and exportable as M3U8."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QMessageBox, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from likewise.index.playlist import Radio, check_playlist_output, write_m3u8
from likewise.index.store import Track, format_duration


LENGTH_DELAY_MS = 400  # wait for the length box to settle before building the playlist again


def export_playlist(parent: QWidget, tracks: list[Track], library_root: Path, db: Path, name: str) -> str:
    """Ask where to save `tracks` (suggesting `name`.m3u8 in the home folder), then write them as M3U8 with paths
    relative to the playlist's folder; never over the store or a file that is not a playlist. Returns what
    happened, in a line ("" when the person cancelled); a failure is also shown in a message box."""
    suggested = Path.home() / f"{name}.m3u8".replace("/", "-")
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export playlist", str(suggested), "M3U8 playlists (*.m3u8)")
    if not chosen:
        return ""
    path = Path(chosen) if chosen.lower().endswith(".m3u8") else Path(chosen + ".m3u8")
    try:
        check_playlist_output(path, db, library_root, force=True)  # the file dialog asked before replacing one
        write_m3u8(tracks, library_root, path)
    except ValueError as error:
        reason = f"Could not write the playlist: {error}"
    except OSError as error:
        reason = f"Could not write {path}: {error.strerror or error}"
    else:
        return f"Saved {len(tracks)} songs to {path}"
    QMessageBox.warning(parent, "Export playlist", reason)
    return f"Not saved. {reason}"


class RadioDialog(QDialog):
    """Shows a song radio playlist; double-click plays a song, Export writes an M3U8 file, and its length can change."""

    play_requested = Signal(object, float)  # Track, start seconds
    length_requested = Signal(int)  # the person asked for a playlist of this many songs

    def __init__(self, seed: Track, radio: Radio, library_root: Path, db: Path, length: int, parent=None):
        super().__init__(parent)
        self.seed = seed
        self.tracks: list[Track] = []
        self.library_root = library_root
        self.db = db
        self.setWindowTitle(f"Song radio: {seed.label}")
        self.resize(520, 460)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.shortfall = QLabel()  # why the list is shorter than the length asked for
        self.shortfall.setWordWrap(True)
        self.status = QLabel()  # where the last export went, or why it did not
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.length = QSpinBox()
        self.length.setRange(1, 200)
        self.length.setValue(length)
        self.length.setToolTip("How many songs follow the seed")
        self._length_timer = QTimer(self, singleShot=True, interval=LENGTH_DELAY_MS)
        self._length_timer.timeout.connect(lambda: self.length_requested.emit(self.length.value()))
        self.length.valueChanged.connect(self._length_timer.start)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.tracks[self.list.row(item)], 0.0))
        self.set_tracks(radio)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        export = QPushButton("Export M3U8…")
        buttons.addButton(export, QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(self.choose_export)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel("Songs:"))
        top.addWidget(self.length)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.shortfall)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def set_tracks(self, radio: Radio) -> None:
        """Show a (new) playlist for the same seed, and why it is shorter than asked, if it is."""
        tracks = self.tracks = radio.tracks
        short = len(tracks) < self.length.value() and radio.short_because
        self.shortfall.setText(f"Only {len(tracks)} of {self.length.value()} songs: {radio.short_because}." if short
                               else "")
        self.shortfall.setVisible(bool(short))
        self.heading.setText(f"{len(tracks)} songs that follow on from {self.seed.label}, each like the one before.")
        self.list.clear()
        for number, track in enumerate(tracks, 1):
            self.list.addItem(f"{number:>2}.  {track.label}   {format_duration(track.duration)}")

    def choose_export(self) -> None:
        """Ask where to save the playlist (seed first), then save it."""
        outcome = export_playlist(self, [self.seed, *self.tracks], self.library_root, self.db,
                                  f"Radio - {self.seed.label}")
        if outcome:
            self.status.setText(outcome)
