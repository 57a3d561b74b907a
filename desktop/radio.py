"""The playlist dialogs (song radio, mix, sonic path): a playlist built by the library thread, playable and exportable
as M3U8."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QMessageBox, QPushButton, QSpinBox,
    QVBoxLayout, QWidget,
)

from likewise.desktop.settings import PATH_STEPS, RADIO_LENGTH, Option
from likewise.desktop.style import one_line, plain_label, song_line
from likewise.index.playlist import Radio, check_playlist_output, write_m3u8
from likewise.index.store import Track


LENGTH_DELAY_MS = 400  # wait for the length box to settle before building the playlist again


def export_playlist(parent: QWidget, tracks: list[Track], library_root: Path, db: Path,
                    name: str) -> tuple[Path | None, str]:
    """Ask where to save `tracks` (suggesting `name`.m3u8 in the home folder), then write them as M3U8 with paths
    relative to the playlist's folder; never over the store or a file that is not a playlist. Returns the file
    written (None: cancelled or refused) and what happened, in a line ("" when the person cancelled); a failure is
    also shown in a message box. A name typed without ".m3u8" gets it, and asks before replacing a file of that name."""
    suggested = Path.home() / f"{name}.m3u8".replace("/", "-")
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export playlist", str(suggested), "M3U8 playlists (*.m3u8)")
    if not chosen:
        return None, ""
    path = Path(chosen) if chosen.lower().endswith(".m3u8") else Path(chosen + ".m3u8")
    if path != Path(chosen) and os.path.lexists(path) and not _may_replace(parent, path):
        return None, ""
    try:
        check_playlist_output(path, db, library_root, force=True)  # the person was asked before replacing one
        write_m3u8(tracks, library_root, path)
    except ValueError as error:
        reason = f"Could not write the playlist: {error}"
    except OSError as error:
        reason = f"Could not write {path}: {error.strerror or error}"
    else:
        return path, f"Saved {len(tracks)} songs to {path}"
    QMessageBox.warning(parent, "Export playlist", reason)
    return None, f"Not saved. {reason}"


def _may_replace(parent: QWidget, path: Path) -> bool:
    """Ask whether to replace `path`, which the file dialog did not ask about (it saw the name before ".m3u8" was
    added); No is the default."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "Export playlist", f"{path.name} already exists. Do you want to replace it?",
                                  buttons.Yes | buttons.No, buttons.No)
    return answer == buttons.Yes


class PlaylistDialog(QDialog):
    """A playlist built by the library thread (a song radio, a mix, a sonic path): double-click plays a song, Play all
    plays them through the queue, Export writes an M3U8 file, and the length box asks for a longer or shorter one.
    `leading` songs (a radio's seed) come first in Play all and the export, not in the list."""

    play_requested = Signal(object, float)  # Track, start seconds
    play_all_requested = Signal(list)  # list[Track], in order
    length_requested = Signal(int)  # the person asked for a playlist of this many songs
    exported = Signal(list, object)  # the songs written, the M3U8 file (Path)
    length_option: Option[int] = RADIO_LENGTH  # the setting whose range the length box takes

    def __init__(self, title: str, library_root: Path, db: Path, length: int, length_tip: str,
                 export_name: str, leading: tuple[Track, ...] = (), parent=None):
        super().__init__(parent)
        self.tracks: list[Track] = []
        self.leading = list(leading)
        self.library_root = library_root
        self.db = db
        self.export_name = export_name
        self.setWindowTitle(title)
        self.resize(520, 460)
        self.heading = plain_label()
        self.heading.setWordWrap(True)
        self.shortfall = QLabel()  # why the list is shorter than the length asked for
        self.shortfall.setWordWrap(True)
        self.status = plain_label()  # where the last export went (a path), or why it did not
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.length = QSpinBox()
        self.length.setRange(*self.length_option.range)
        self.length.setValue(length)
        self.length.setToolTip(length_tip)
        self._length_timer = QTimer(self, singleShot=True, interval=LENGTH_DELAY_MS)
        self._length_timer.timeout.connect(lambda: self.length_requested.emit(self.length.value()))
        self.length.valueChanged.connect(self._length_timer.start)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.tracks[self.list.row(item)], 0.0))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        play_all = QPushButton("Play all")
        export = QPushButton("Export M3U8…")
        for button in (play_all, export):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        play_all.clicked.connect(lambda: self.play_all_requested.emit(self.leading + self.tracks))
        export.clicked.connect(self.choose_export)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(QLabel("Songs:"))
        top.addWidget(self.length)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.shortfall)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def done(self, result: int) -> None:
        """Close; a length changed just before asks for no playlist (it would open the dialog again)."""
        self._length_timer.stop()
        super().done(result)

    def describe(self, tracks: list[Track]) -> str:
        """The heading over these songs."""
        return f"{len(tracks)} songs."

    def set_tracks(self, tracks: list[Track], short_because: str = "") -> None:
        """Show a (new) playlist of the same kind, and why it is shorter than asked (`short_because`), if it is."""
        self.tracks = tracks
        self.heading.setText(one_line(self.describe(tracks)))
        short = len(tracks) < self.length.value() and short_because
        self.shortfall.setText(f"Only {len(tracks)} of {self.length.value()} songs: {short_because}." if short else "")
        self.shortfall.setVisible(bool(short))
        self.list.clear()
        for number, track in enumerate(tracks, 1):
            self.list.addItem(song_line(track, number))

    def choose_export(self) -> None:
        """Ask where to save the playlist (leading songs first), then save it."""
        tracks = self.leading + self.tracks
        path, outcome = export_playlist(self, tracks, self.library_root, self.db, self.export_name)
        self.status.setText(outcome)
        if path is not None:
            self.exported.emit(tracks, path)


class RadioDialog(PlaylistDialog):
    """A song radio: the songs that follow on from a seed."""

    def __init__(self, seed: Track, radio: Radio, library_root: Path, db: Path, length: int, parent=None):
        self.seed = seed
        super().__init__(f"Song radio: {seed.label}", library_root, db, length,
                         "How many songs follow the seed", f"Radio - {seed.label}", (seed,), parent)
        self.set_tracks(radio.tracks, radio.short_because)

    def describe(self, tracks: list[Track]) -> str:
        return f"{len(tracks)} songs that follow on from {self.seed.label}, each like the one before."


class MixDialog(PlaylistDialog):
    """A mix: the songs most like several songs together."""

    def __init__(self, seeds: list[Track], tracks: list[Track], library_root: Path, db: Path, length: int,
                 parent=None):
        self.seeds = seeds
        super().__init__(f"Mix of {len(seeds)} songs", library_root, db, length, "How many songs the mix holds",
                         f"Mix - {seeds[0].label} and {len(seeds) - 1} more", (), parent)
        self.set_tracks(tracks)

    def describe(self, tracks: list[Track]) -> str:
        names = ", ".join(seed.display_title for seed in self.seeds)
        return f"{len(tracks)} songs like {names}, all together."


class PathDialog(PlaylistDialog):
    """A sonic path: from one song to another, step by step."""

    length_option = PATH_STEPS

    def __init__(self, start: Track, end: Track, tracks: list[Track], library_root: Path, db: Path, steps: int,
                 parent=None):
        self.start, self.end = start, end
        super().__init__(f"Sonic path: {start.display_title} to {end.display_title}", library_root, db, steps,
                         "In how many steps the path goes from the first song to the last",
                         f"Path - {start.label} to {end.label}", (), parent)
        self.set_tracks(tracks)

    def describe(self, tracks: list[Track]) -> str:
        return f"{len(tracks)} songs from {self.start.label} to {self.end.label}, each a step nearer."
