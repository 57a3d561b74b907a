"""The Problems tab: files that could not be analysed, why, and what can be done about each."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from likewise.desktop.style import setup_table
from likewise.index.paths import display_path
from likewise.index.store import Track


class ProblemsView(QWidget):
    """A table of failed files with their whole reasons, and actions on the selected ones."""

    open_folder_requested = Signal(object)  # Track: show its folder
    retry_requested = Signal(list)  # track ids: mark them to be tried again by the next run
    remove_requested = Signal(list)  # track ids: remove them from the library (the files stay)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tracks: list[Track] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(("File", "Reason"))
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(True)  # a long reason wraps in its row instead of ending in "…"
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 360)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.folder_button = QPushButton("Open folder")
        self.folder_button.setToolTip("Show the file in the file manager")
        self.folder_button.clicked.connect(lambda: self.open_folder_requested.emit(self.selected()[0]))
        self.retry_button = QPushButton("Try again")
        self.retry_button.setToolTip("Analyse the selected files again at the next Rescan (after fixing them)")
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit([t.id for t in self.selected()]))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected files from the library; they stay on disk, and come "
                                      "back if they change")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit([t.id for t in self.selected()]))
        buttons = QHBoxLayout()
        for button in (self.folder_button, self.retry_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_failures([])

    def set_failures(self, tracks: list[Track]) -> None:
        """List the failed tracks (sorted by path); those selected before stay selected, and only they (the rows
        move when a file leaves or joins the list)."""
        chosen = {track.id for track in self.selected()} if self.tracks else set()
        self.table.clearSelection()
        self.tracks = list(tracks)
        self.table.setRowCount(len(tracks))
        for row, track in enumerate(tracks):
            shown = display_path(track.relpath)
            path = QTableWidgetItem(shown)
            path.setToolTip(shown)
            reason = QTableWidgetItem(track.reason or "unknown reason")
            reason.setToolTip(f"{shown}\n{track.reason or 'unknown reason'}")
            self.table.setItem(row, 0, path)
            self.table.setItem(row, 1, reason)
            if track.id in chosen:
                flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                self.table.selectionModel().select(self.table.model().index(row, 0), flags)
        self.summary.setText(
            f"{len(tracks)} file{'s' * (len(tracks) != 1)} could not be analysed. Fix or replace them, then "
            "choose Rescan; or select some and choose an action below." if tracks
            else "No problems: every file found so far could be analysed."
        )
        self._update_buttons()

    def selected(self) -> list[Track]:
        """The selected failed tracks, in table order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.tracks[row] for row in rows]

    def files(self) -> list[str]:
        """The paths listed, in order."""
        return [self.table.item(row, 0).text() for row in range(self.table.rowCount())]

    def _update_buttons(self) -> None:
        count = len(self.selected())
        self.folder_button.setEnabled(count == 1)
        self.retry_button.setEnabled(count > 0)
        self.remove_button.setEnabled(count > 0)
