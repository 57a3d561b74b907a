"""The library table: a flat model of every track, sorted in Python, and a proxy that filters as you type.

Both are built for large libraries (50,000 rows): sorting uses one Python key per row instead of a comparison
callback, and filtering tests precomputed lower-case search keys.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal

from likewise.index.mood import mood_words
from likewise.index.paths import display_path
from likewise.index.store import Track, format_duration

COLUMNS = ("Title", "Artist", "Album", "Duration", "Tags", "Status", "Mood", "Plays", "Last played")
TITLE, ARTIST, ALBUM, DURATION, TAGS, STATUS, MOOD, PLAYS, LAST_PLAYED = range(len(COLUMNS))
RIGHT_ALIGNED = (DURATION, PLAYS)
MOOD_TIP = "The estimated mood: calm or energetic, sad or happy"
TAGS_TIP = "The likeliest tags, learnt from a music tagger; the share is how sure the model is"
PLAYS_TIP = "How often you played the song (half of it, or 4 minutes, heard), and when you last did"
STATUS_TEXT = {"ok": "Analysed", "pending": "Waiting", "failed": "Failed"}

Index = QModelIndex | QPersistentModelIndex


Moods = dict[int, tuple[float, float]]  # track id -> (valence, arousal)
Plays = dict[int, tuple[int, float]]  # track id -> (plays that counted, when the last one started, unix time)


def format_played(when: float) -> str:
    """When a song was last played, as local date and time."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when))


def _cell(track: Track, column: int, moods: Moods, plays: Plays) -> str:
    if column == TITLE:
        return track.display_title
    if column == ARTIST:
        return track.artist
    if column == ALBUM:
        return track.album
    if column == DURATION:
        return format_duration(track.duration)
    if column == TAGS:
        return track.genre or ""  # the model's top tags, as the store keeps them
    if column == MOOD:
        return mood_words(*moods[track.id]) if track.id in moods else ""
    if column == PLAYS:
        return str(plays[track.id][0]) if track.id in plays else ""
    if column == LAST_PLAYED:
        return format_played(plays[track.id][1]) if track.id in plays else ""
    return STATUS_TEXT.get(track.status, track.status)


def _sort_key(column: int, moods: Moods, plays: Plays):
    if column == DURATION:
        return lambda track: (track.duration is None, track.duration or 0.0)
    if column in (PLAYS, LAST_PLAYED):
        part = column - PLAYS  # (count, last played)
        return lambda track: plays[track.id][part] if track.id in plays else 0
    return lambda track: _cell(track, column, moods, plays).casefold()


def _search_key(track: Track, moods: Moods) -> str:
    parts = (track.display_title, track.artist, track.album, track.genre or "", display_path(track.relpath),
             _cell(track, MOOD, moods, {}))
    return " ".join(parts).casefold()


class LibraryModel(QAbstractTableModel):
    """Every track of the open library, one row each; updated in place as indexing saves results."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tracks: list[Track] = []
        self._keys: dict[int, str] = {}  # track id -> search key
        self._rows: dict[int, int] = {}  # track id -> row
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._moods: Moods = {}
        self._plays: Plays = {}

    # --- Qt model interface ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._tracks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        track = self._tracks[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(track, index.column(), self._moods, self._plays)
        if role == Qt.ItemDataRole.ToolTipRole:
            if track.status == "failed":
                return f"Could not be analysed: {track.reason}"
            return display_path(track.relpath)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section in (TAGS, MOOD, PLAYS, LAST_PLAYED):
            return {TAGS: TAGS_TIP, MOOD: MOOD_TIP}.get(section, PLAYS_TIP)
        if role == Qt.ItemDataRole.TextAlignmentRole and section in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by one column, keeping selections (persistent indexes) on their tracks.

        Column -1 keeps the current order (new songs are then appended at the end).
        """
        self._sort = (column, order) if column >= 0 else None
        if not self._tracks or self._sort is None:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._tracks[index.row()].id, index.column()) for index in persistent]
        self._apply_sort()
        self.changePersistentIndexList(persistent, [self.index(self._rows[track_id], column)
                                                    for track_id, column in held])
        self.layoutChanged.emit()

    # --- contents -------------------------------------------------------------------------------------------

    def track_at(self, row: int) -> Track:
        """The track shown in a source row."""
        return self._tracks[row]

    def tracks(self) -> list[Track]:
        """Every track listed, in source order."""
        return list(self._tracks)

    def row_of(self, track_id: int) -> int | None:
        """The source row of a track, if it is listed."""
        return self._rows.get(track_id)

    def search_key(self, row: int) -> str:
        """Lower-case text that the search box matches against."""
        return self._keys[self._tracks[row].id]

    def mood_words(self, row: int) -> list[str]:
        """The words of a source row's Mood cell ("calm", "happy"), empty when the song has no mood."""
        return _cell(self._tracks[row], MOOD, self._moods, self._plays).split(", ")

    def clear(self) -> None:
        """Show no library."""
        self.beginResetModel()
        self._tracks, self._keys, self._rows = [], {}, {}
        self.endResetModel()

    def set_moods(self, moods: Moods) -> None:
        """Show these moods in the mood column (songs missing from `moods` show none)."""
        self._moods = dict(moods)
        self._keys = {track.id: _search_key(track, self._moods) for track in self._tracks}
        if self._tracks:
            self.dataChanged.emit(self.index(0, MOOD), self.index(len(self._tracks) - 1, MOOD))
            if self._sort is not None and self._sort[0] == MOOD:
                self.sort(*self._sort)

    def set_plays(self, plays: Plays) -> None:
        """Show these play counts and last plays (songs missing from `plays` show none)."""
        if plays == self._plays:
            return
        self._plays = dict(plays)
        if self._tracks:
            self.dataChanged.emit(self.index(0, PLAYS), self.index(len(self._tracks) - 1, LAST_PLAYED))
            if self._sort is not None and self._sort[0] in (PLAYS, LAST_PLAYED):
                self.sort(*self._sort)

    def merge(self, tracks: list[Track], complete: bool) -> None:
        """Update listed tracks and append new ones; with `complete`, `tracks` is the whole library (others go)."""
        incoming = {track.id: track for track in tracks}
        if complete and (not self._tracks or any(track_id not in incoming for track_id in self._rows)):
            self.beginResetModel()
            self._tracks = list(tracks)
            self._keys = {track.id: _search_key(track, self._moods) for track in tracks}
            self._rows = {track.id: row for row, track in enumerate(self._tracks)}
            self._apply_sort()
            self.endResetModel()
            return
        changed = False
        fresh = [track for track in tracks if track.id not in self._rows]
        for track in tracks:
            row = self._rows.get(track.id)
            if row is not None and self._tracks[row] != track:
                self._tracks[row] = track
                self._keys[track.id] = _search_key(track, self._moods)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                changed = True
        if fresh:
            start = len(self._tracks)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._tracks.extend(fresh)
            self._keys.update((track.id, _search_key(track, self._moods)) for track in fresh)
            self._rows.update((track.id, start + offset) for offset, track in enumerate(fresh))
            self.endInsertRows()
        if (changed or fresh) and self._sort is not None:
            self.sort(*self._sort)

    def _apply_sort(self) -> None:
        if self._sort is not None:
            column, order = self._sort
            self._tracks.sort(key=_sort_key(column, self._moods, self._plays),
                              reverse=order == Qt.SortOrder.DescendingOrder)
            self._rows = {track.id: row for row, track in enumerate(self._tracks)}


class LibraryFilter(QSortFilterProxyModel):
    """Shows the rows whose search key contains every word typed, and whose mood has the chosen word; sorting is
    delegated to the source model."""

    filter_about_to_change = Signal()
    filter_changed = Signal()

    def __init__(self, source: LibraryModel, parent=None):
        super().__init__(parent)
        self._text = ""
        self._words: list[str] = []
        self._mood = ""
        self.setSourceModel(source)

    def set_query(self, text: str) -> None:
        """Filter by the words of `text` (case-insensitive, any column)."""
        self._text = text.strip()
        words = text.casefold().split()
        if words != self._words:
            self._change_filter(lambda: setattr(self, "_words", words))

    def set_mood(self, word: str) -> None:
        """Keep only the songs whose Mood cell has this word ("calm", "happy"); "" keeps every song."""
        if word != self._mood:
            self._change_filter(lambda: setattr(self, "_mood", word))

    def describe(self) -> str:
        """What the rows are filtered by, in words: '“drums”', 'the mood “calm”', or both; "" if unfiltered."""
        parts = [f"“{self._text}”"] if self._words else []
        parts += [f"the mood “{self._mood}”"] if self._mood else []
        return " and ".join(parts)

    def _change_filter(self, change) -> None:
        self.filter_about_to_change.emit()
        self.beginFilterChange()
        change()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filter_changed.emit()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._mood and self._mood not in self.sourceModel().mood_words(source_row):
            return False
        if not self._words:
            return True
        key = self.sourceModel().search_key(source_row)
        for word in self._words:
            if word not in key:
                return False
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)
