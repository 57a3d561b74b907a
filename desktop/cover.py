"""A small square showing a song's embedded cover, or a quiet placeholder when it has none."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel

from likewise.audio.cover import read_cover

COVER_SIZE = 96  # pixels, each side


class CoverView(QLabel):
    """The cover of one song; `show_song(None)` or a song without a picture shows "No cover"."""

    def __init__(self, size: int = COVER_SIZE, parent=None):
        super().__init__(parent)
        self.side = size
        self.setFixedSize(size, size)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("cover")
        self.has_cover = False
        self.show_song(None)

    def show_song(self, path: Path | None) -> bool:
        """Show the cover embedded in the file at `path`; True when it had one that is an image."""
        data = read_cover(path) if path is not None else None
        pixmap = QPixmap()
        self.has_cover = bool(data) and pixmap.loadFromData(data)
        if self.has_cover:
            self.setPixmap(pixmap.scaled(self.side, self.side, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation))
            self.setToolTip("")
        else:
            self.clear()
            self.setText("No cover")
            self.setToolTip("This song's file holds no cover picture" if path is not None else "")
        return self.has_cover
