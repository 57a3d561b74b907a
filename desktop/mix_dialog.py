"""The mix dialog: songs like a playlist as a whole, playable and exportable as M3U8."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QPushButton, QVBoxLayout

from likewise.desktop.radio import export_playlist
from likewise.index.store import Track, format_duration


class MixDialog(QDialog):
    """Shows a mix; double-click plays a song, Export writes an M3U8 file."""

    play_requested = Signal(object, float)  # Track, start seconds
    exported = Signal(list, object)  # the songs written, the M3U8 file (Path)

    def __init__(self, title: str, tracks: list[Track], library_root: Path, db: Path, parent=None):
        super().__init__(parent)
        self.title, self.tracks, self.library_root, self.db = title, tracks, library_root, db
        self.setWindowTitle(title)
        self.resize(520, 460)
        heading = QLabel(f"{len(tracks)} songs like the playlist as a whole." if tracks else
                         "No songs like these yet: analyse more music.")
        heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        for number, track in enumerate(tracks, 1):
            self.list.addItem(f"{number:>2}.  {track.label}   {format_duration(track.duration)}")
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.tracks[self.list.row(item)], 0.0))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        export = QPushButton("Export M3U8…")
        export.setEnabled(bool(tracks))
        buttons.addButton(export, QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(self.choose_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def choose_export(self) -> None:
        """Ask where to save the mix, then save it."""
        if path := export_playlist(self, self.tracks, self.library_root, self.db, self.title):
            self.exported.emit(self.tracks, path)
