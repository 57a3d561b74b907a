"""The library table with its empty state: sortable, filterable, keyboard-driven."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget

from likewise.desktop.library_model import ALBUM, ARTIST, DURATION, STATUS, TAGS, TITLE, LibraryFilter, LibraryModel
from likewise.desktop.style import empty_state_label, setup_table
from likewise.index.store import Track

COLUMN_WIDTHS = {TITLE: 200, ARTIST: 140, ALBUM: 150, DURATION: 70, TAGS: 260, STATUS: 70}


class LibraryTable(QTableView):
    """A table of whole rows: Home and End go to the first and last song, and typing finds a title."""

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        if action in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd):
            modifiers |= Qt.KeyboardModifier.ControlModifier  # rows, not cells: the first or last row
        return super().moveCursor(action, modifiers)

    def keyboardSearch(self, search: str) -> None:
        """Jump to the next title starting with what was typed, whichever column was clicked last."""
        current = self.currentIndex()
        if current.isValid() and current.column() != TITLE:
            self.selectionModel().setCurrentIndex(current.siblingAtColumn(TITLE),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)
        super().keyboardSearch(search)


class LibraryView(QStackedWidget):
    """Page 0: what to do next (no library, nothing found yet); page 1: the table."""

    current_changed = Signal(object)  # Track or None
    activated = Signal(object)  # Track (Enter or double-click)
    open_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self.model, self)
        self.table = LibraryTable()
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
        self.model.modelReset.connect(self._reset)
        # A search that hides the current song leaves it current (the panel stays on it) rather than moving on.
        self._kept: Track | None = None  # the current song while the filter hides it
        self._filtering = False  # the filter is changing: cursor moves are the filter's, not the person's
        self._held: Track | None = None
        self.proxy.filter_about_to_change.connect(self._filter_about_to_change)
        self.proxy.filter_changed.connect(self._filter_changed)
        self.no_match = empty_state_label()  # over the empty table while a filter hides every song
        self.no_match.setParent(self.table.viewport())
        self.no_match.hide()
        self.table.viewport().installEventFilter(self)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._update_no_match)

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
        """The song under the cursor, or the one a search hides while it is still the current song."""
        return self._track(self.table.currentIndex()) or self._kept

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

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the no-match message over the whole table."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.no_match.setGeometry(self.table.viewport().rect())
        return super().eventFilter(watched, event)

    def _current_changed(self, current: QModelIndex) -> None:
        if self._filtering:
            return
        self._kept = None
        self.current_changed.emit(self._track(current))

    def _reset(self) -> None:
        self._kept = None
        self.current_changed.emit(None)  # a reset forgets the cursor

    def _filter_about_to_change(self) -> None:
        self._held = self.current_track()
        self._filtering = True

    def _filter_changed(self) -> None:
        """Put the cursor back on the song it was on, or on no row while the filter hides that song."""
        held, self._held = self._held, None
        try:
            row = self.model.row_of(held.id) if held is not None else None
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
            if index.isValid():
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                self.table.selectionModel().setCurrentIndex(index, flags)
                self._kept = None
            elif held is not None:
                self.table.selectionModel().clear()
                self._kept = held
        finally:
            self._filtering = False
        self._update_no_match()

    def _update_no_match(self) -> None:
        hidden_all = self.model.rowCount() > 0 and self.proxy.rowCount() == 0
        self.no_match.setText(f"No songs match {self.proxy.describe()}" if hidden_all else "")
        self.no_match.setGeometry(self.table.viewport().rect())
        self.no_match.setVisible(hidden_all)
