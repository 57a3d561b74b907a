"""The Problems tab: files that could not be analysed, and why."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from likewise.desktop.style import setup_table
from likewise.index.paths import display_path
from likewise.index.store import Track


class ProblemsView(QWidget):
    """A table of failed files with their reasons."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(("File", "Reason"))
        setup_table(self.table)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.set_failures([])

    def set_failures(self, tracks: list[Track]) -> None:
        """List the failed tracks (sorted by path)."""
        self.table.setRowCount(len(tracks))
        for row, track in enumerate(tracks):
            path = QTableWidgetItem(display_path(track.relpath))
            path.setData(Qt.ItemDataRole.ToolTipRole, display_path(track.relpath))
            reason = QTableWidgetItem(track.reason or "unknown reason")
            reason.setData(Qt.ItemDataRole.ToolTipRole, track.reason)
            self.table.setItem(row, 0, path)
            self.table.setItem(row, 1, reason)
        self.summary.setText(
            f"{len(tracks)} file{'s' * (len(tracks) != 1)} could not be analysed. Fix or replace them, then "
            "choose Rescan." if tracks else "No problems: every file found so far could be analysed."
        )

    def files(self) -> list[str]:
        """The paths listed, in order."""
        return [self.table.item(row, 0).text() for row in range(self.table.rowCount())]
