"""A small square showing a song's embedded cover, or a quiet placeholder when it has none. `CoverLoader` reads and
decodes covers on a thread of its own: a big picture (up to read_cover's 8 MB) never stalls the window."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel

from likewise.audio.cover import read_cover
from likewise.desktop.tasks import TaskRunner

COVER_SIZE = 96  # pixels, each side


def cover_image(path: Path, side: int) -> QImage | None:
    """The cover embedded in the file at `path`, scaled to fit `side` pixels; None when it has none that is an
    image. Safe off the GUI thread (QImage, not QPixmap)."""
    data = read_cover(path)
    image = QImage.fromData(data) if data else QImage()
    if image.isNull():
        return None
    return image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


class CoverView(QLabel):
    """The cover of one song; `show_song(None)` or a song without a picture shows `placeholder`."""

    def __init__(self, size: int = COVER_SIZE, parent=None, placeholder: str = "No cover"):
        super().__init__(parent)
        self.side = size
        self.placeholder = placeholder
        self.setFixedSize(size, size)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("cover")
        self.has_cover = False
        self.show_image(None, None)

    def show_song(self, path: Path | None) -> bool:
        """Show the cover embedded in the file at `path` (read here, on this thread); True when it had one."""
        return self.show_image(cover_image(path, self.side) if path is not None else None, path)

    def show_image(self, image: QImage | None, path: Path | None) -> bool:
        """Show a cover already read from the file at `path` (None: it has none); True when there is one."""
        self.has_cover = image is not None
        if image is not None:
            self.setPixmap(QPixmap.fromImage(image))
            self.setToolTip("")
        else:
            self.clear()
            self.setText(self.placeholder)
            self.setToolTip("This song's file holds no cover picture" if path is not None else "")
        return self.has_cover


class CoverLoader(QObject):
    """Shows covers in CoverViews, read on its own thread; only the latest request of each view is shown."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = TaskRunner("likewise-covers", self)
        self._latest: dict[int, Path | None] = {}  # id of a view -> the file it should show

    def show(self, view: CoverView, path: Path | None) -> None:
        """Show the cover of the file at `path` in `view` once it is read (at once when there is no file)."""
        if self._latest.get(id(view), object()) == path:
            return
        self._latest[id(view)] = path
        if path is None:
            view.show_image(None, None)
            return
        side = view.side
        self.runner.submit(lambda: cover_image(path, side), lambda image: self._read(view, path, image),
                           lambda _reason: self._read(view, path, None))

    def _read(self, view: CoverView, path: Path, image: QImage | None) -> None:
        if self._latest.get(id(view)) == path:
            view.show_image(image, path)

    def close(self) -> None:
        """Let the thread end without waiting for it."""
        self.runner.stop()
