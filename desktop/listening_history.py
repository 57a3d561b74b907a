"""Forgetting the listening history: asked for once, done on the library thread, then the plays columns and the
similar songs are shown again without it."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from likewise.desktop.library_controller import LibraryController
from likewise.index.paths import display_path
from likewise.index.plays import Forgotten

QUESTION = ("Forget every play of this library, and what likewise learnt from them?\n\n"
            "Plays and last played are erased from the library store; playlists stay. This cannot be undone.")


class ListeningHistory(QObject):
    """Erases the plays of the library shown, after asking."""

    status = Signal(str, int)  # a passing message and for how many milliseconds
    message = Signal(str)  # something went wrong

    def __init__(self, library: LibraryController, window: QWidget):
        super().__init__(window)
        self.library, self.window = library, window

    def forget(self) -> None:
        """Ask, then erase the listening history."""
        if not self.library.store_open:
            return
        answer = QMessageBox.question(self.window, "Forget listening history", QUESTION,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.library.submit(lambda backend: backend.forget_plays(), self._forgotten,
                                lambda reason: self.message.emit(f"Cannot forget the listening history: {reason}."))

    def _forgotten(self, forgotten: Forgotten) -> None:
        self.status.emit("Listening history forgotten.", 10000)
        if forgotten.kept_in:
            self.message.emit("The listening history is erased, but these copies of the library that likewise set "
                              "aside are damaged and still hold plays; delete them when you no longer need them:\n"
                              + "\n".join(display_path(str(copy)) for copy in forgotten.kept_in))
        self.library.reload_history()
        self.library.refresh_recommendations()
