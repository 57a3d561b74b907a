"""The Playlists tab: the playlists kept in the store (found in the library folder, opened by hand, made by
likewise); the one selected with its songs and its problems by line; Play, Mix, Export and Import buttons."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QLabel, QListWidget, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from likewise.desktop.style import setup_table, song_line
from likewise.index.playlist_store import Playlist
from likewise.index.store import Track

PLAYLIST_COLUMNS = ("Name", "Songs", "Origin", "Problems")
ORIGIN_TEXT = {"file": "file", "likewise": "made by likewise"}


def _item(text: str, align_right: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


class PlaylistsPane(QWidget):
    """Lists playlists and shows the selected one; the buttons only ask (the controller does the work)."""

    selected = Signal(object)  # Playlist or None
    play_clicked = Signal()
    mix_clicked = Signal()
    export_clicked = Signal()
    import_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.playlists: list[Playlist] = []
        self.tracks: list[Track] = []  # the selected playlist's songs
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(PLAYLIST_COLUMNS))
        self.table.setHorizontalHeaderLabels(PLAYLIST_COLUMNS)
        setup_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(lambda: self.selected.emit(self.current()))
        self.songs_label = QLabel("Songs")
        self.songs = QListWidget()
        self.songs.setAlternatingRowColors(True)
        self.problems_label = QLabel("Problems")
        self.problems = QListWidget()
        self.problems.setToolTip("Lines of the playlist file that name no song of the library, and why")

        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play the playlist's songs from the first")
        self.mix_button = QPushButton("Mix")
        self.mix_button.setToolTip("Songs like the whole playlist")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the playlist's songs as an M3U8 file (only the library's songs)")
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Read a playlist file (M3U, M3U8, PLS, XSPF) into the library")
        for button, signal in ((self.play_button, self.play_clicked), (self.mix_button, self.mix_clicked),
                               (self.export_button, self.export_clicked), (self.import_button, self.import_clicked)):
            button.clicked.connect(signal)
        top = QHBoxLayout()  # the buttons for the list as a whole, then those for the playlist selected
        top.addWidget(self.summary, 1)
        top.addWidget(self.import_button)
        buttons = QHBoxLayout()
        for button in (self.play_button, self.mix_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        details = QSplitter(Qt.Orientation.Horizontal)
        for label, widget in ((self.songs_label, self.songs), (self.problems_label, self.problems)):
            column = QWidget()
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.addWidget(label)
            column_layout.addWidget(widget, 1)
            details.addWidget(column)
        parts = QSplitter(Qt.Orientation.Vertical)
        parts.addWidget(self.table)
        parts.addWidget(details)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(parts, 1)
        self.set_playlists([])

    def set_playlists(self, playlists: list[Playlist]) -> None:
        """List these playlists, keeping the one selected when it is still there."""
        kept = self.current()
        self.playlists = playlists
        with_problems = sum(bool(item.problems) for item in playlists)
        self.summary.setText(
            f"{len(playlists)} playlist{'s' * (len(playlists) != 1)}"
            + (f", {with_problems} with problems" if with_problems else "") + "." if playlists else
            "No playlists yet: put some in the music folder and choose Rescan, import one, or export a song radio.")
        self.table.blockSignals(True)
        self.table.setRowCount(len(playlists))
        for row, item in enumerate(playlists):
            where = str(item.path) if item.path is not None else "not written to a file"
            cells = (_item(item.name, tip=where), _item(f"{item.songs} of {item.entries}", True),
                     _item(ORIGIN_TEXT.get(item.origin, item.origin)), _item(str(len(item.problems)), True))
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        row = next((row for row, item in enumerate(playlists) if kept and item.id == kept.id), None)
        if row is not None:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
        self.table.blockSignals(False)
        if self.current() != kept:  # the same playlist, unchanged, stays shown as it is (scrolled where it was)
            self.selected.emit(self.current())

    def current(self) -> Playlist | None:
        """The playlist selected."""
        rows = self.table.selectionModel().selectedRows()
        return self.playlists[rows[0].row()] if rows and rows[0].row() < len(self.playlists) else None

    def select(self, playlist_id: int) -> bool:
        """Select a playlist by id; False when it is not listed."""
        row = next((row for row, item in enumerate(self.playlists) if item.id == playlist_id), None)
        if row is not None:
            self.table.selectRow(row)
        return row is not None

    def show_playlist(self, playlist: Playlist | None, tracks: list[Track]) -> None:
        """Show a playlist's songs (those of the library, in order) and its problems."""
        self.tracks = tracks
        self.songs.clear()
        self.problems.clear()
        for number, track in enumerate(tracks, 1):
            self.songs.addItem(song_line(track, number))
        problems = playlist.problems if playlist is not None else []
        self.problems.addItems(problems)
        self.songs_label.setText(f"Songs ({len(tracks)})" if playlist is not None else "Songs")
        self.problems_label.setText(f"Problems ({len(problems)})" if problems else "Problems")
        for button in (self.play_button, self.export_button):
            button.setEnabled(bool(tracks))
        self.mix_button.setEnabled(any(track.status == "ok" for track in tracks))
