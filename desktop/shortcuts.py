"""The keyboard shortcuts, listed in a Help dialog: the actions of the window and its parts, read from them, and the
keys of the table and the search box."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from likewise.desktop.style import setup_table

LIBRARY_KEYS = (
    ("Home / End", "Go to the first / last song of the library"),
    ("Type a few letters", "Go to the next song whose title starts with them"),
    ("Enter or double-click", "Play the selected song"),
    ("↓ or Enter in the search box", "Go from the search box to the songs it found"),
    ("Esc in the search box", "Clear the search"),
)


def shortcut_list(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut of `window` and of its parts (the library table's,
    the queue's), each once, then the library's own keys."""
    found: dict[tuple[str, str], None] = {}
    for widget in (window, *window.findChildren(QWidget)):
        for action in widget.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                found[keys, action.text().replace("&", "").rstrip("…")] = None
    return list(found) + list(LIBRARY_KEYS)


class ShortcutsDialog(QDialog):
    """A two-column table of the shortcuts of a window."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 420)
        shortcuts = shortcut_list(window)
        self.table = QTableWidget(len(shortcuts), 2)
        self.table.setHorizontalHeaderLabels(("Keys", "Does"))
        setup_table(self.table)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, does) in enumerate(shortcuts):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(does))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        """The (keys, does) pairs listed."""
        cells = self.table.item
        return [(cells(row, 0).text(), cells(row, 1).text()) for row in range(self.table.rowCount())]
