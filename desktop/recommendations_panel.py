"""The side panel: songs similar to the selected one, and why (which moments matched)."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from likewise.desktop import settings
from likewise.desktop.cover import CoverView
from likewise.desktop.library_model import TAGS_TIP
from likewise.desktop.style import empty_state_label, one_line, plain_label, setup_table
from likewise.index.recommend import Options, Recommendation, together_reason
from likewise.index.store import Track, format_duration

RESULT_COLUMNS = ("#", "Title", "Artist", "Tags", "Similarity", "Score", "Votes")
COLUMN_TIPS = {
    "Tags": TAGS_TIP,
    "Similarity": "How alike the matching moments of the two songs sound: 100% is the same sound, below 50% "
                  "they have little in common",
    "Score": "What the list is sorted by: how many moments of the selected song found this one among their nearest, "
             "counting near finds more (0 to about 10)",
    "Votes": "How many moments of this song were among the nearest of the selected song's moments",
}
COVER_SIZE = 56  # pixels: the selected result's cover beside its buttons
DISTANCE_TIP = "How far apart the two moments sound: 0 is the same sound, above 1 they are unalike"


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _cap_box(option: settings.Option[int], tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(*option.range)
    box.setValue(option.default)
    box.setSpecialValueText("No limit")
    box.setToolTip(tip)
    return box


class RecommendationsPanel(QWidget):
    """Shows recommendations for one seed; asks for new ones when the options change."""

    options_changed = Signal()
    play_requested = Signal(object, float)  # Track, start seconds
    show_requested = Signal(object)  # Track: select it in the library
    forget_requested = Signal()  # the person asked to erase the listening history
    result_changed = Signal(object)  # the selected result's Track, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[Recommendation] = []
        self.seed: Track | None = None
        self.heading = plain_label()
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.seed_tags = plain_label()
        self.seed_tags.setWordWrap(True)
        self.seed_tags.setToolTip(TAGS_TIP)

        self.count = QSpinBox()
        self.count.setRange(*settings.RECOMMEND_COUNT.range)
        self.count.setValue(settings.RECOMMEND_COUNT.default)
        self.count.setToolTip("How many similar songs to list")
        self.per_artist = _cap_box(settings.RECOMMEND_PER_ARTIST, "At most this many songs by the same artist")
        self.per_album = _cap_box(settings.RECOMMEND_PER_ALBUM, "At most this many songs from the same album")
        controls = QHBoxLayout()
        for text, box in (("Results", self.count), ("Per artist", self.per_artist), ("Per album", self.per_album)):
            box.valueChanged.connect(self.options_changed)
            label = QLabel(text)
            label.setBuddy(box)
            controls.addWidget(label)
            controls.addWidget(box)
            controls.addSpacing(12)
        controls.addStretch(1)
        self.blend = QCheckBox("Blend in what I play together")
        self.blend.setChecked(settings.RECOMMEND_BLEND.default)
        self.blend.setToolTip("Songs often played together (in your playlists and listening) rank higher for each "
                              "other; off: by sound alone")
        self.blend.toggled.connect(self.options_changed)
        self.forget_button = QPushButton("Forget listening history…")
        self.forget_button.setToolTip("Erase every play of this library, and what was learnt from them")
        self.forget_button.clicked.connect(self.forget_requested)
        history = QHBoxLayout()
        history.addWidget(self.blend)
        history.addStretch(1)
        history.addWidget(self.forget_button)

        self.table = QTableWidget(0, len(RESULT_COLUMNS))
        self.table.setHorizontalHeaderLabels(RESULT_COLUMNS)
        for name, tip in COLUMN_TIPS.items():
            self.table.horizontalHeaderItem(RESULT_COLUMNS.index(name)).setToolTip(tip)
        setup_table(self.table)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for stretched in ("Title", "Tags"):  # they share the room the short columns leave
            header.setSectionResizeMode(RESULT_COLUMNS.index(stretched), QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._result_selected)
        self.table.itemActivated.connect(lambda _item: self.play_result())

        self.why_label = QLabel("Why similar")
        self.why_label.setObjectName("subheading")
        self.why = QTableWidget(0, 3)
        setup_table(self.why)
        self.why.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.why.setToolTip("Each moment of the selected song and the moment of this result that sounds most like "
                            "it (smaller distance: closer). Double-click to hear it.")
        self.why.itemActivated.connect(lambda _item: self.play_moment())
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play the selected song from the start")
        self.play_button.clicked.connect(self.play_result)
        self.moment_button = QPushButton("Play the matching moment")
        self.moment_button.setToolTip("Play the selected song from the moment that sounds like the seed")
        self.moment_button.clicked.connect(self.play_moment)
        self.show_button = QPushButton("Show in library")
        self.show_button.clicked.connect(lambda: self.show_requested.emit(self.selected().track))
        self.cover = CoverView(COVER_SIZE, placeholder="♪")  # the selected result's cover (the window reads it)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cover)
        for button in (self.play_button, self.moment_button, self.show_button):
            buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        buttons.addStretch(1)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addWidget(self.table, 3)
        content_layout.addLayout(buttons)
        content_layout.addWidget(self.why_label)
        content_layout.addWidget(self.why, 2)

        self.message = empty_state_label()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(content)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.seed_tags)
        layout.addLayout(controls)
        layout.addLayout(history)
        layout.addWidget(self.pages, 1)
        self.show_prompt()

    def _option_boxes(self) -> list[tuple[settings.Option, QSpinBox]]:
        return [(settings.RECOMMEND_COUNT, self.count), (settings.RECOMMEND_PER_ARTIST, self.per_artist),
                (settings.RECOMMEND_PER_ALBUM, self.per_album)]

    def restore_options(self, stored: QSettings) -> None:
        """Show the options chosen last time."""
        for option, box in self._option_boxes():
            box.setValue(option.get(stored))
        self.blend.setChecked(settings.RECOMMEND_BLEND.get(stored))

    def save_options(self, stored: QSettings) -> None:
        """Remember the options chosen."""
        for option, box in self._option_boxes():
            option.set(stored, box.value())
        settings.RECOMMEND_BLEND.set(stored, self.blend.isChecked())

    def options(self) -> Options:
        """The result count, the artist and album caps chosen (0 in a box: no cap), and whether what is played
        together is blended in."""
        return Options(count=self.count.value(), per_artist=self.per_artist.value() or None,
                       per_album=self.per_album.value() or None, audio_only=not self.blend.isChecked())

    def show_prompt(self) -> None:
        """The state with no song selected."""
        self.show_message("Select a song to see what sounds like it.")

    def show_message(self, text: str, heading: str = "Similar songs", tags: str = "") -> None:
        """An empty or waiting state instead of results; `tags`: the selected song's, if known."""
        self.items = []
        self.table.setRowCount(0)
        self.heading.setText(one_line(heading))
        self._show_seed_tags(tags)
        self.message.setText(text)
        self.pages.setCurrentIndex(0)

    def show_results(self, seed: Track, items: list[Recommendation]) -> None:
        """List the recommendations for `seed`, best first, and select the first."""
        self.seed = seed
        self.heading.setText(f"Similar to {one_line(seed.label)}")
        if not items:
            self.show_message("No similar songs yet: analyse more music.", self.heading.text(), seed.genre or "")
            return
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (_item(str(row + 1), True), _item(item.track.display_title), _item(item.track.artist),
                     _item(item.track.genre or ""), _item(f"{item.similarity:.0%}", True),
                     _item(f"{item.score:.2f}", True), _item(str(item.votes), True))
            for column, cell in enumerate(cells):
                cell.setToolTip(COLUMN_TIPS.get(RESULT_COLUMNS[column], ""))
                self.table.setItem(row, column, cell)
        self._show_seed_tags(seed.genre or "")
        self.pages.setCurrentIndex(1)
        self.table.selectRow(0)

    def _show_seed_tags(self, tags: str) -> None:
        """Show the selected song's tags under the heading (nothing when it has none)."""
        self.seed_tags.setText(f"Tags: {one_line(tags)}")
        self.seed_tags.setVisible(bool(tags))

    def selected(self) -> Recommendation | None:
        """The recommendation selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and self.items else None

    def selected_tracks(self) -> list[Track]:
        """The selected result's song, as a list (empty when none is selected)."""
        item = self.selected()
        return [item.track] if item is not None else []

    def play_result(self) -> None:
        """Play the selected result from its start."""
        if item := self.selected():
            self.play_requested.emit(item.track, 0.0)

    def play_moment(self) -> None:
        """Play the selected result from the selected matched moment (the best one if none is selected)."""
        item = self.selected()
        if item is None or not item.matches:
            return
        row = max(self.why.currentRow(), 0)
        self.play_requested.emit(item.track, item.matches[row].time)

    def _result_selected(self) -> None:
        self.why.setRowCount(0)
        item = self.selected()
        for button in (self.play_button, self.moment_button, self.show_button):
            button.setEnabled(item is not None)
        self.result_changed.emit(item.track if item is not None else None)
        if item is None:
            self.why_label.setText("Why similar")
            return
        moments = len(item.matches)
        reasons = [f"{moments} matching moment{'s' * (moments != 1)}", together_reason(item)]
        self.why_label.setText("Why similar: " + "; ".join(reason for reason in reasons if reason))
        self.why.setHorizontalHeaderLabels((f"In {self.seed.display_title}", f"In {item.track.display_title}",
                                            "Distance"))
        self.why.horizontalHeaderItem(2).setToolTip(DISTANCE_TIP)
        self.why.setRowCount(moments)
        for row, match in enumerate(item.matches):
            for column, text in enumerate((format_duration(match.seed_time), format_duration(match.time),
                                           f"{match.distance:.2f}")):
                self.why.setItem(row, column, _item(text, align_right=column == 2))
        self.why.selectRow(0)
