"""The main window: builds the widgets and connects the parts that do the work (library, indexing, playback, the
play queue, dialogs), each in its own module."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QLabel, QLineEdit, QMainWindow, QSizePolicy, QSplitter, QStyle, QTabWidget, QToolBar, QVBoxLayout,
    QWidget,
)

from likewise.assets import DEMO_DIR
from likewise.desktop import settings
from likewise.desktop.dialogs import Dialogs
from likewise.desktop.indexing import IndexingBar
from likewise.desktop.indexing_controller import IndexingController
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.library_view import LibraryView
from likewise.desktop.mood_map import MoodMapView
from likewise.desktop.playback import Playback
from likewise.desktop.player import Player
from likewise.desktop.problems import ProblemsView
from likewise.desktop.queue_controller import QueueController
from likewise.desktop.queue_model import QueueModel
from likewise.desktop.queue_pane import QueuePane
from likewise.desktop.recommendations_panel import RecommendationsPanel
from likewise.index.store import Track

MOOD_CHOICES = ("Any mood", "calm", "energetic", "sad", "happy")  # the mood filter's choices, "any" first


class MainWindow(QMainWindow):
    """The likewise window. Store access happens on the library thread, indexing in an IndexThread."""

    def __init__(self, stored: QSettings, index_jobs: int | None = None, parent=None):
        super().__init__(parent)
        self.settings = stored
        self._closed = False
        self.setWindowTitle("likewise")
        self.resize(1200, 750)
        self.library = LibraryView()
        self.mood_map = MoodMapView()
        self.problems = ProblemsView()
        self.panel = RecommendationsPanel()
        self.indexing = IndexingBar()
        self._build_toolbar_widgets()
        self.tabs = QTabWidget()
        self.counts_label = QLabel()
        self.library_control = LibraryController(self.library, self.mood_map, self.problems, self.panel, self.tabs,
                                                 self.search, self.mood_filter, self.counts_label, self)
        self.index_control = IndexingController(self.indexing, index_jobs, self)
        self.playback = Playback(self.library_control.track_path, self.library.current_track, self)
        self.transport = self.playback.transport
        self.queue_model = QueueModel(self)
        self.queue_pane = QueuePane(self.queue_model)
        self.queue = QueueController(self.queue_model, self.player, self.playback.play_track,
                                     self.library_control.submit, self.panel.options, self)
        self.dialogs = Dialogs(self, self.library_control, stored)
        self._build_actions()
        self._build_layout()
        self._restore_settings()
        self._connect()

    @property
    def player(self) -> Player:
        """The media player."""
        return self.playback.player

    # --- construction ---------------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, icon=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        pixmap = QStyle.StandardPixmap
        current = self.library.current_track
        self.open_action = self._action("Open music folder…", self.dialogs.choose_folder,
                                        QKeySequence.StandardKey.Open, pixmap.SP_DirOpenIcon,
                                        "Open another music folder (Ctrl+O)")
        self.rescan_action = self._action("Rescan", self.start_indexing, QKeySequence.StandardKey.Refresh,
                                          pixmap.SP_BrowserReload, "Look for new, changed and removed songs (F5)")
        self.play_action = self._action("Play/Pause", self.toggle_playback, Qt.Key.Key_Space,
                                        tip="Play or pause (Space)")
        self.play_action.setShortcuts([QKeySequence(key) for key in (
            Qt.Key.Key_Space, Qt.Key.Key_MediaTogglePlayPause, Qt.Key.Key_MediaPlay, Qt.Key.Key_MediaPause)])
        self.playback.show_state_on(self.play_action)
        self.next_action = self._action("Next song", self.queue.next)
        self.next_action.setShortcuts([QKeySequence("Ctrl+Right"), QKeySequence(Qt.Key.Key_MediaNext)])
        self.previous_action = self._action("Previous song", self.queue.previous)
        self.previous_action.setShortcuts([QKeySequence("Ctrl+Left"), QKeySequence(Qt.Key.Key_MediaPrevious)])
        self._action("Stop", self.queue.stop, Qt.Key.Key_MediaStop)
        self._build_song_actions()
        self.radio_action = self._action("Song radio", lambda: self.dialogs.song_radio(current(), self.panel.options()),
                                         "Ctrl+R", pixmap.SP_MediaSkipForward,
                                         "A playlist that starts from the selected song (Ctrl+R)")
        self.folder_action = self._action("Show in folder", lambda: self.dialogs.show_in_folder(current()),
                                          "Ctrl+Shift+O", pixmap.SP_DirIcon,
                                          "Open the folder of the selected song in the file manager")
        self._action("Find", self.focus_search, QKeySequence.StandardKey.Find)
        self._action("Quit", self.close, QKeySequence.StandardKey.Quit)

    def _build_song_actions(self) -> None:
        """What the songs selected in the library or the similar-songs list can do (their context menus)."""
        selected, similar = self.library.selected_tracks, self.panel.selected_tracks
        queue, table = self.queue, self.library.table
        self.play_now_action = self._song_action(table, "Play now", lambda: queue.play_now(selected()))
        self.play_next_action = self._song_action(table, "Play next", lambda: queue.play_next(selected()),
                                                  "Ctrl+Shift+N")
        self.add_to_queue_action = self._song_action(table, "Add to queue", lambda: queue.add(selected()),
                                                     "Ctrl+Shift+Q")
        options = self.panel.options
        self.mix_action = self._song_action(table, "Mix of these songs",
                                            lambda: self.dialogs.mix(selected(), options()), "Ctrl+M")
        self.path_action = self._song_action(table, "Sonic path from the first to the last",
                                             lambda: self.dialogs.sonic_path(selected()[0], selected()[-1], options()),
                                             "Ctrl+Shift+P")
        results = self.panel.table
        self._song_action(results, "Play now", lambda: queue.play_now(similar(), autoplay=True))
        self._song_action(results, "Play next", lambda: queue.play_next(similar()))
        self._song_action(results, "Add to queue", lambda: queue.add(similar()))

    def _song_action(self, view: QWidget, text: str, slot, shortcut: str | None = None) -> QAction:
        """An action in `view`'s context menu, its shortcut working while `view` has the focus."""
        action = QAction(text, view)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        view.addAction(action)
        return action

    def _build_toolbar_widgets(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album, tags, mood  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.search.installEventFilter(self)
        self.mood_filter = QComboBox()
        self.mood_filter.addItems(MOOD_CHOICES)
        self.mood_filter.setToolTip("Show only the songs of this mood")

    def _build_layout(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.open_action, self.rescan_action])
        toolbar.addSeparator()
        toolbar.addActions([self.play_action, self.radio_action, self.folder_action])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.search)
        toolbar.addWidget(self.mood_filter)
        self.addToolBar(toolbar)

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.mood_map, "Mood map")
        self.tabs.addTab(self.problems, "Problems")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 0, 0, 0)
        left_layout.addWidget(self.notice)
        left_layout.addWidget(self.tabs, 1)
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.panel)
        self.side.addWidget(self.queue_pane)
        self.side.setStretchFactor(0, 3)
        self.side.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 440])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)
        self.statusBar().addWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.indexing, 1)
        self._update_actions()

    def _connect(self) -> None:
        library, indexing, playback, dialogs = self.library_control, self.index_control, self.playback, self.dialogs
        library.library_changed.connect(self._set_title)
        library.state_changed.connect(self._update_actions)
        library.index_wanted.connect(self.start_indexing)
        library.message.connect(self.notify)
        library.message_cleared.connect(self.notice.hide)
        indexing.running_changed.connect(library.set_indexing)
        indexing.running_changed.connect(lambda _running: self._update_actions())
        indexing.progress.connect(library.index_progress)
        indexing.finished.connect(self._indexing_finished)
        queue = self.queue
        self.library.activated.connect(lambda track: queue.play_now([track]))
        for source in (self.mood_map.play_requested, dialogs.play_requested):
            source.connect(lambda track, start: queue.play_now([track], start=start))
        self.panel.play_requested.connect(lambda track, start: queue.play_now([track], autoplay=True, start=start))
        dialogs.play_all_requested.connect(queue.play_now)
        dialogs.path_shown.connect(self.mood_map.show_sonic_path)
        self.transport.toggle_requested.connect(self.toggle_playback)
        self.transport.next_requested.connect(queue.next)
        self.transport.previous_requested.connect(queue.previous)
        self.queue_pane.play_requested.connect(queue.play_row)
        self.queue_pane.mix_requested.connect(lambda tracks: dialogs.mix(tracks, self.panel.options()))
        self.queue_pane.autoplay_changed.connect(queue.set_autoplay)
        queue.autoplay_changed.connect(self.queue_pane.autoplay.setChecked)
        queue.now_playing.connect(self._now_playing)
        queue.message.connect(self.notify)
        library.store_opened.connect(queue.load)
        self.queue_model.changed.connect(self._update_actions)
        self.library.open_requested.connect(dialogs.choose_folder)
        dialogs.folder_chosen.connect(self.open_library)
        dialogs.status.connect(self.statusBar().showMessage)
        dialogs.message.connect(self.notify)
        playback.player.error.connect(self.notify)

    # --- settings -------------------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        if geometry := settings.WINDOW_GEOMETRY.get(self.settings):
            self.restoreGeometry(geometry)
        if splitter := settings.WINDOW_SPLITTER.get(self.settings):
            self.splitter.restoreState(splitter)
        if header := settings.LIBRARY_HEADER.get(self.settings):
            self.library.restore_header(header)
        self.panel.restore_options(self.settings)
        self.transport.volume.setValue(settings.VOLUME.get(self.settings))

    def save_settings(self) -> None:
        """Remember window geometry, column layout and options (the library is remembered as it is opened)."""
        settings.WINDOW_GEOMETRY.set(self.settings, self.saveGeometry())
        settings.WINDOW_SPLITTER.set(self.settings, self.splitter.saveState())
        settings.LIBRARY_HEADER.set(self.settings, self.library.header_state())
        self.panel.save_options(self.settings)
        settings.VOLUME.set(self.settings, self.player.volume)
        self.dialogs.save(self.settings)
        self.settings.sync()

    # --- the parts together ---------------------------------------------------------------------------------

    def open_library(self, root: Path | None, db: Path | None = None) -> None:
        """Show the library of `root` (store `db`, default: the one shared with `likewise index`); a folder never
        analysed is indexed in the background. The run of the library left winds down on its own."""
        self.index_control.abandon()
        self.queue.leave_library()
        self.library_control.open_library(root, db)

    def start_indexing(self) -> None:
        """Scan the folder and analyse what is new or changed, in the background."""
        if self.library_control.root is not None:
            self.index_control.start(self.library_control.root, self.library_control.db)

    def is_indexing(self) -> bool:
        """True while a run for this library is going."""
        return self.index_control.is_running()

    def _indexing_finished(self, message: str, interrupted: bool, failed: bool) -> None:
        if failed:
            self.notify(message)
        else:
            self.statusBar().showMessage(("Indexing cancelled: " if interrupted else "Indexing finished: ") + message,
                                         10000)
        self.library_control.index_finished(message)

    def toggle_playback(self) -> None:
        """Pause or resume (the queue decides what starts)."""
        self.queue.toggle(self.library.current_track())

    def _now_playing(self, track: Track | None) -> None:
        if track is None:
            self.transport.now_playing("Nothing playing")
        self._set_title()

    def _set_title(self) -> None:
        """The song playing, then likewise and the library."""
        root = self.library_control.root
        name = "demo library" if root == DEMO_DIR else (root.name if root else "")
        title = f"likewise — {name}" if name else "likewise"
        playing: Track | None = self.queue.playing
        self.setWindowTitle(f"{playing.label} · {title}" if playing is not None else title)

    def _update_actions(self) -> None:
        track = self.library.current_track()
        has_folder = self.library_control.root is not None
        self.rescan_action.setEnabled(has_folder and not self.is_indexing())
        self.play_action.setEnabled(self.playback.can_play() or self.queue_model.next_row() is not None)
        self.radio_action.setEnabled(track is not None and track.status == "ok")
        self.folder_action.setEnabled(has_folder)

    def notify(self, message: str) -> None:
        """Show a message above the library until the next library is opened."""
        self.notice.setText(message)
        self.notice.show()

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow down or Enter in the search box moves to the table; Escape clears the search."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.library_control.apply_filter()
                self.library.table.setFocus()
                if not self.library.table.currentIndex().isValid() and self.library.visible_count():
                    self.library.table.selectRow(0)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save settings, stop playback, and let indexing and the library thread wind down without waiting."""
        if not self._closed:
            self._closed = True
            self.save_settings()
            self.player.stop()
            self.queue.save()
            self.index_control.close()
            self.library_control.close()
        super().closeEvent(event)
