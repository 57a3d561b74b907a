"""The library table with its empty state: sortable, filterable, keyboard-driven."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget

from likewise.desktop.library_model import ALBUM, ARTIST, DURATION, STATUS, TAGS, TITLE, LibraryFilter, LibraryModel
from likewise.desktop.style import empty_state_label, setup_table
from likewise.index.store import Track

COLUMN_WIDTHS = {TITLE: 200, ARTIST: 140, ALBUM: 150, DURATION: 70, TAGS: 260, STATUS: 70}


class LibraryView(QStackedWidget):
    """Page 0: what to do next (no library, nothing found yet); page 1: the table."""

    current_changed = Signal(object)  # Track or None
    activated = Signal(object)  # Track (Enter or double-click)
    open_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        setup_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # several songs for a mix
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._current_changed(current))
        self.table.activated.connect(lambda index: self.activated.emit(self._track(index)))
        self.model.modelReset.connect(lambda: self.current_changed.emit(None))  # a reset forgets the cursor

        self.message = empty_state_label()
        self.open_button = QPushButton("Open music folder…")
        self.open_button.clicked.connect(self.open_requested)
        empty = QWidget()
        layout = QVBoxLayout(empty)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.addWidget(empty)
        self.addWidget(self.table)
        self.show_empty("Open a music folder to begin.")

    def show_empty(self, text: str, offer_open: bool = True) -> None:
        """Show a message (and an Open button) instead of the table."""
        self.message.setText(text)
        self.open_button.setVisible(offer_open)
        self.setCurrentIndex(0)

    def show_table(self) -> None:
        """Show the table."""
        self.setCurrentIndex(1)

    def header_state(self) -> QByteArray:
        """Column order, widths, hidden columns and sort order, to remember."""
        return self.table.horizontalHeader().saveState()

    def restore_header(self, state: QByteArray) -> None:
        """Bring back a remembered column layout, sorting included."""
        header = self.table.horizontalHeader()
        if header.restoreState(state):
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def set_query(self, text: str) -> None:
        """Filter the rows; keeps the current song selected when it still matches."""
        self.proxy.set_query(text)
        current = self.table.currentIndex()
        if current.isValid():
            self.table.scrollTo(current)

    def current_track(self) -> Track | None:
        """The song under the cursor."""
        return self._track(self.table.currentIndex())

    def selected_tracks(self) -> list[Track]:
        """The selected songs, top to bottom as shown (the song under the cursor when none is selected)."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda index: index.row())
        tracks = [self._track(index) for index in rows]
        return tracks or [track for track in (self.current_track(),) if track is not None]

    def select_track(self, track_id: int) -> bool:
        """Make a song current (clearing a filter that hides it); False if it is not listed."""
        row = self.model.row_of(track_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def visible_count(self) -> int:
        """Rows left after filtering."""
        return self.proxy.rowCount()

    def _track(self, index: QModelIndex) -> Track | None:
        if not index.isValid():
            return None
        return self.model.track_at(self.proxy.mapToSource(index).row())

    def _current_changed(self, current: QModelIndex) -> None:
        self.current_changed.emit(self._track(current))
