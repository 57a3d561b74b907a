"""The play queue as a list model: songs in order (one may be queued twice), the one playing, and where playback
goes on when the playing song is taken out. Rows move by drag and drop (QListView's internal move calls moveRows)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from likewise.desktop.style import song_line
from likewise.index.store import Track

Index = QModelIndex | QPersistentModelIndex
_keys = itertools.count(1)


@dataclass(frozen=True)
class Entry:
    """One place in the queue: the same song queued twice is two entries."""

    key: int
    track: Track


class QueueModel(QAbstractListModel):
    """The queue's entries. `current_row()` is the song playing (-1: none); `next_row()` the one to play next."""

    changed = Signal()  # the entries or the current one changed (after the views were told)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._current: int | None = None  # key of the entry playing
        self._resume: int | None = None  # with no current entry: key of the entry to play next (None: the first)
        self._at_end = False  # with no current entry: nothing left to play (the last one was taken out)

    # --- Qt model interface ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "▶ " if entry.key == self._current else ""
            return f"{mark}{song_line(entry.track)}".rstrip()
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.track.label
        if role == Qt.ItemDataRole.FontRole and entry.key == self._current:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def moveRows(self, source_parent: Index, source: int, count: int, destination_parent: Index,
                 destination: int) -> bool:
        """Move `count` rows from `source` to before row `destination` (numbered before the move)."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1 or source < 0:
            return False
        if source + count > len(self._entries) or not 0 <= destination <= len(self._entries):
            return False
        if not self.beginMoveRows(QModelIndex(), source, source + count - 1, QModelIndex(), destination):
            return False  # onto itself
        moving = self._entries[source:source + count]
        del self._entries[source:source + count]
        at = destination if destination < source else destination - count
        self._entries[at:at] = moving
        self.endMoveRows()
        self.changed.emit()
        return True

    # --- reading --------------------------------------------------------------------------------------------

    def tracks(self) -> list[Track]:
        """The songs in queue order."""
        return [entry.track for entry in self._entries]

    def track_at(self, row: int) -> Track:
        """The song of a row."""
        return self._entries[row].track

    def current_row(self) -> int:
        """The row of the song playing; -1 when none is."""
        return self._row_of(self._current)

    def next_row(self) -> int | None:
        """The row to play after the current one (or, with none, the one to play); None at the end."""
        if self._current is not None:
            row = self.current_row() + 1
        elif self._at_end:
            return None
        else:
            row = self._row_of(self._resume) if self._resume is not None else 0
        return row if row < len(self._entries) else None

    def previous_row(self) -> int | None:
        """The row before the current one (or before the one to play next); None at the start."""
        after = self.next_row()
        row = (self.current_row() if self._current is not None
               else len(self._entries) if after is None else after) - 1
        return row if row >= 0 else None

    def upcoming(self) -> list[Track]:
        """The songs still to play after the current one."""
        after = self.next_row()
        return [] if after is None else [entry.track for entry in self._entries[after:]]

    # --- changing -------------------------------------------------------------------------------------------

    def set_queue(self, tracks: list[Track], current: int) -> None:
        """Replace every entry; `current` is the row to resume at (-1: from the start)."""
        self.beginResetModel()
        self._entries = [Entry(next(_keys), track) for track in tracks]
        self._current = None
        self._resume = self._entries[current].key if 0 <= current < len(self._entries) else None
        self._at_end = False
        self.endResetModel()
        self.changed.emit()

    def insert(self, row: int, tracks: list[Track]) -> int:
        """Insert songs before `row` (clamped to the queue); returns the row of the first."""
        row = max(0, min(row, len(self._entries)))
        if tracks:
            self.beginInsertRows(QModelIndex(), row, row + len(tracks) - 1)
            self._entries[row:row] = [Entry(next(_keys), track) for track in tracks]
            if self._at_end and self._current is None and row == len(self._entries) - len(tracks):
                self._at_end, self._resume = False, self._entries[row].key  # they are what plays next
            self.endInsertRows()
            self.changed.emit()
        return row

    def append(self, tracks: list[Track]) -> int:
        """Add songs at the end; returns the row of the first."""
        return self.insert(len(self._entries), tracks)

    def insert_next(self, tracks: list[Track]) -> int:
        """Add songs right after the current one (or before the one to play next); returns the row of the first."""
        after = self.next_row()
        return self.insert(len(self._entries) if after is None else after, tracks)

    def remove(self, rows: list[int]) -> None:
        """Take rows out; taking out the song playing lets it play on, and the song after it comes next."""
        for row in sorted(set(rows), reverse=True):
            if not 0 <= row < len(self._entries):
                continue
            key = self._entries[row].key
            if key in (self._current, self._resume):
                following = self._entries[row + 1] if row + 1 < len(self._entries) else None
                self._current = None
                self._resume = following.key if following else None
                self._at_end = following is None
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._entries[row]
            self.endRemoveRows()
        self.changed.emit()

    def clear_others(self) -> None:
        """Take out every song but the one playing."""
        self.remove([row for row in range(len(self._entries)) if row != self.current_row()])

    def set_current(self, row: int) -> None:
        """Make a row the song playing."""
        previous = self.current_row()
        self._current = self._entries[row].key
        self._resume, self._at_end = None, False
        for changed in {previous, row} - {-1}:
            self.dataChanged.emit(self.index(changed), self.index(changed))
        self.changed.emit()

    def _row_of(self, key: int | None) -> int:
        return next((row for row, entry in enumerate(self._entries) if entry.key == key), -1)
