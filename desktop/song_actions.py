"""What the songs selected in the library or among the similar songs can do: the actions of their context menus
(play now or next, add to the queue, mix, sonic path, similar songs, show in folder, copy path)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from likewise.desktop.desktop_services import copy_text
from likewise.desktop.dialogs import Dialogs
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.library_view import LibraryView
from likewise.desktop.queue_controller import QueueController
from likewise.desktop.recommendations_panel import RecommendationsPanel
from likewise.index.store import Track


class SongActions(QObject):
    """The song actions of the library table and of the similar-songs table."""

    def __init__(self, library: LibraryView, panel: RecommendationsPanel, queue: QueueController, dialogs: Dialogs,
                 library_control: LibraryController, status: Callable[[str, int], None], parent=None):
        super().__init__(parent)
        self.dialogs, self.library_control, self.status = dialogs, library_control, status
        selected, similar, options = library.selected_tracks, panel.selected_tracks, panel.options
        table, results = library.table, panel.table
        self.play_now = _add(table, "Play now", lambda: queue.play_now(selected()))
        self.play_next = _add(table, "Play next", lambda: queue.play_next(selected()), "Ctrl+Shift+N")
        self.add_to_queue = _add(table, "Add to queue", lambda: queue.add(selected()), "Ctrl+Shift+Q")
        self.mix = _add(table, "Mix of these songs", lambda: dialogs.mix(selected(), options()), "Ctrl+M")
        self.path = _add(table, "Sonic path from the first to the last",
                         lambda: dialogs.sonic_path(selected(), options()), "Ctrl+Shift+P")
        _add(results, "Play now", lambda: queue.play_now(similar(), autoplay=True))
        _add(results, "Play next", lambda: queue.play_next(similar()))
        _add(results, "Add to queue", lambda: queue.add(similar()))
        for view, songs in ((table, selected), (results, similar)):
            _add(view, "Similar songs", lambda _checked=False, songs=songs: self.similar_to(songs()))
            _add(view, "Show in folder", lambda _checked=False, songs=songs: self.show_folder(songs()))
            _add(view, "Copy path", lambda _checked=False, songs=songs: self.copy_paths(songs()))

    def similar_to(self, tracks: list[Track]) -> None:
        """Show the songs similar to the first of `tracks` (selecting it in the library)."""
        if tracks:
            self.library_control.show_track(tracks[0])

    def show_folder(self, tracks: list[Track]) -> None:
        """Open the folder of the first of `tracks` in the file manager."""
        if tracks:
            self.dialogs.show_in_folder(tracks[0])

    def copy_paths(self, tracks: list[Track]) -> None:
        """Put the files' paths on the clipboard, one a line."""
        paths = [str(path) for path in map(self.library_control.track_path, tracks) if path is not None]
        if paths:
            copy_text("\n".join(paths))
            self.status(f"Copied {len(paths)} path{'s' * (len(paths) != 1)}", 3000)


def _add(view: QWidget, text: str, slot, shortcut: str | None = None) -> QAction:
    """An action in `view`'s context menu, its shortcut working while `view` has the focus."""
    action = QAction(text, view)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    view.addAction(action)
    return action
