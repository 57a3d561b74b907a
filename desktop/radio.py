"""The song radio dialog: the playlist built from a seed song, playable and exportable as M3U8."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget, QMessageBox, QPushButton, QVBoxLayout,
)

from desktop.library_model import format_duration
from index.playlist import write_m3u8
from index.store import Track


class RadioDialog(QDialog):
    """Shows a song radio playlist; double-click plays a song, Export writes an M3U8 file."""

    play_requested = Signal(object, float)  # Track, start seconds

    def __init__(self, seed: Track, tracks: list[Track], library_root: Path, parent=None):
        super().__init__(parent)
        self.seed = seed
        self.tracks = tracks
        self.library_root = library_root
        self.setWindowTitle(f"Song radio: {seed.label}")
        self.resize(520, 460)
        heading = QLabel(f"{len(tracks)} songs that follow on from {seed.label}, each like the one before.")
        heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        for number, track in enumerate(tracks, 1):
            self.list.addItem(f"{number:>2}.  {track.label}   {format_duration(track.duration)}")
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.tracks[self.list.row(item)], 0.0))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        export = QPushButton("Export M3U8…")
        buttons.addButton(export, QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(self.choose_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def choose_export(self) -> None:
        """Ask where to save the playlist, then save it."""
        suggested = Path.home() / f"Radio - {self.seed.label}.m3u8".replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(self, "Export playlist", str(suggested), "M3U8 playlists (*.m3u8)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """Write the playlist (seed first) as M3U8 with paths relative to the playlist's folder."""
        if path.suffix.lower() != ".m3u8":
            path = path.with_name(path.name + ".m3u8")
        try:
            write_m3u8([self.seed, *self.tracks], self.library_root, path)
        except OSError as error:
            QMessageBox.warning(self, "Export playlist", f"Could not write {path}: {error.strerror or error}")
