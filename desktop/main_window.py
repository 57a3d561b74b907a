"""The main window: builds the widgets and connects the parts that do the work (library, indexing, playback, the
play queue, dialogs), each in its own module."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QLabel, QLineEdit, QMainWindow, QMessageBox, QSizePolicy, QSplitter, QStyle, QTabWidget, QToolBar,
    QVBoxLayout, QWidget,
)

from likewise.assets import DEMO_DIR
from likewise.desktop import settings
from likewise.desktop.about import AboutDialog
from likewise.desktop.cover import CoverLoader, CoverView
from likewise.desktop.dialogs import Dialogs
from likewise.desktop.drops import DropHandler, dropped_paths
from likewise.desktop.indexing import IndexingBar
from likewise.desktop.indexing_controller import IndexingController
from likewise.desktop.library_controller import LibraryController
from likewise.desktop.library_view import LibraryView
from likewise.desktop.listening_history import ListeningHistory
from likewise.desktop.media_session import start_media_session
from likewise.desktop.menus import build_menus
from likewise.desktop.mood_map import MoodMapView
from likewise.desktop.playback import Playback
from likewise.desktop.player import Player
from likewise.desktop.playlists_controller import PlaylistsController
from likewise.desktop.playlists_pane import PlaylistsPane
from likewise.desktop.problems import ProblemsView
from likewise.desktop.queue_controller import QueueController
from likewise.desktop.queue_model import QueueModel
from likewise.desktop.queue_pane import QueuePane
from likewise.desktop.recommendations_panel import RecommendationsPanel
from likewise.desktop.shortcuts import ShortcutsDialog
from likewise.desktop.song_actions import SongActions
from likewise.index.recommend import Options
from likewise.index.store import Track

MOOD_CHOICES = ("Any mood", "calm", "energetic", "sad", "happy")  # the mood filter's choices, "any" first
MINIMUM_SIZE = (800, 500)  # the smallest window that shows everything (no toolbar overflow, whole tab names)
NOW_PLAYING_COVER = 40  # pixels: the cover beside the transport buttons


class MainWindow(QMainWindow):
    """The likewise window. Store access happens on the library thread, indexing in an IndexThread."""

    def __init__(self, stored: QSettings, index_jobs: int | None = None, parent=None):
        super().__init__(parent)
        self.settings = stored
        self._closed = False
        self.setWindowTitle("likewise")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(1200, 750)
        self.setAcceptDrops(True)
        self.library = LibraryView()
        self.mood_map = MoodMapView()
        self.problems = ProblemsView()
        self.playlists = PlaylistsPane()
        self.panel = RecommendationsPanel()
        self.indexing = IndexingBar()
        self._build_toolbar_widgets()
        self.tabs = QTabWidget()
        self.counts_label = QLabel()
        self.library_control = LibraryController(self.library, self.mood_map, self.problems, self.panel, self.tabs,
                                                 self.search, self.mood_filter, self.counts_label, self)
        self.index_control = IndexingController(self.indexing, index_jobs, self)
        self.playback = Playback(self.library_control.track_path, self)
        self.transport = self.playback.transport
        self.queue_model = QueueModel(self)
        self.queue_pane = QueuePane(self.queue_model)
        self.queue = QueueController(self.queue_model, self.player, self.playback.play_track,
                                     self.library_control.submit, self.panel.options, self)
        self.dialogs = Dialogs(self, self.library_control, stored)
        self.playlist_control = PlaylistsController(self.playlists, self.library_control, self)
        self.listening = ListeningHistory(self.library_control, self)
        self.covers = CoverLoader(self)
        self.now_cover = CoverView(NOW_PLAYING_COVER, placeholder="♪")
        self.transport.layout().insertWidget(0, self.now_cover)
        self.rescan_offer: QMessageBox | None = None
        self._build_actions()
        self._build_layout()
        build_menus(self)
        self._set_tab_order()
        self._restore_settings()
        self._connect()
        self.mpris = start_media_session(self.queue, self.player, self.toggle_playback, self.bring_to_front, self)

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
        self.stop_action = self._action("Stop", self.queue.stop, Qt.Key.Key_MediaStop)
        self.drops = DropHandler(self.library_control, self.queue, self.open_library,
                                 lambda path: self.playlist_control.import_file(path, self.queue.add), self.notify,
                                 self.statusBar().showMessage, self)
        self.song_actions = SongActions(self.library, self.panel, self.queue, self.dialogs, self.library_control,
                                        self.statusBar().showMessage, self)
        self.radio_action = self._action("Song radio", lambda: self.dialogs.song_radio(current(), self.panel.options()),
                                         "Ctrl+R", pixmap.SP_MediaSkipForward,
                                         "A playlist that starts from the selected song (Ctrl+R)")
        self.folder_action = self._action("Show in folder", lambda: self.dialogs.show_in_folder(current()),
                                          "Ctrl+Shift+O", pixmap.SP_DirIcon,
                                          "Open the folder of the selected song in the file manager")
        self.export_action = self._action("Export the queue…", self.export_queue, "Ctrl+E",
                                          tip="Save the play queue as an M3U8 playlist (Ctrl+E)")
        self.find_action = self._action("Find", self.focus_search, QKeySequence.StandardKey.Find)
        self.select_all_action = self._action("Select all songs", self.select_all, QKeySequence.StandardKey.SelectAll)
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.tab_actions = [self._action(name, lambda _checked=False, page=page: self.tabs.setCurrentWidget(page),
                                         f"Ctrl+{number}")
                            for number, (name, page) in enumerate((("Library", self.library), ("Mood map", self.mood_map),
                                                                   ("Problems", self.problems)), 1)]
        self.shortcuts_action = self._action("Keyboard shortcuts", lambda: ShortcutsDialog(self).show(), "F1")
        self.about_action = self._action("About likewise", lambda: AboutDialog(self).show())

    def _build_toolbar_widgets(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album, tags, mood  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.search.installEventFilter(self)
        self.mood_filter = QComboBox()
        self.mood_filter.addItems(MOOD_CHOICES)
        self.mood_filter.setToolTip("Show only the songs of this mood")

    def _set_tab_order(self) -> None:
        """Tab goes as the eye reads: the search, the mood filter, the songs, their similar songs, why, the queue."""
        chain = (self.search, self.mood_filter, self.library.table, self.panel.table, self.panel.why,
                 self.queue_pane.view)
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

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
        for action in (self.rescan_action, self.play_action):  # their icons say it: room for the search box at 800 px
            toolbar.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.tabs.setDocumentMode(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)  # "Problems (12)", never "Probl…"
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.mood_map, "Mood map")
        self.tabs.addTab(self.playlists, "Playlists")
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
        self.playlist_control.play_requested.connect(queue.play_now)
        self.playlist_control.mix_requested.connect(lambda tracks: dialogs.mix(tracks, self._mix_options()))
        dialogs.playlist_written.connect(self.playlist_control.save_made)
        self.mood_map.exported.connect(self.playlist_control.save_made)
        self.panel.forget_requested.connect(self.listening.forget)
        for part in (self.playlist_control, self.listening):
            part.status.connect(self.statusBar().showMessage)
            part.message.connect(self.notify)
        self.library.open_requested.connect(dialogs.choose_folder)
        self.problems.open_folder_requested.connect(dialogs.show_in_folder)
        library.retried.connect(self._offer_rescan)
        def path_of(track: Track | None) -> Path | None:
            return self.library_control.track_path(track) if track is not None else None

        self.panel.result_changed.connect(lambda track: self.covers.show(self.panel.cover, path_of(track)))
        queue.now_playing.connect(lambda track: self.covers.show(self.now_cover, path_of(track)))
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
        analysed is indexed in the background. The run of the library left winds down on its own; its playlist
        dialogs close."""
        self.index_control.abandon()
        self.queue.leave_library()
        self.dialogs.close_playlists()
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

    def _mix_options(self) -> Options:
        """How a playlist's mix is chosen: as the similar songs are, as long as a song radio."""
        return replace(self.panel.options(), count=self.dialogs.radio_length)

    def _update_actions(self) -> None:
        track = self.library.current_track()
        has_folder = self.library_control.root is not None
        self.rescan_action.setEnabled(has_folder and not self.is_indexing())
        self.play_action.setEnabled(self.queue.can_toggle(track))
        self.radio_action.setEnabled(track is not None and track.status == "ok")
        self.folder_action.setEnabled(has_folder)

    # --- songs ----------------------------------------------------------------------------------------------

    def select_all(self) -> None:
        """Select every song the library shows."""
        self.tabs.setCurrentWidget(self.library)
        self.library.table.setFocus()
        self.library.table.selectAll()

    def export_queue(self) -> None:
        """Save the play queue as an M3U8 playlist."""
        tracks = self.queue_model.tracks()
        if not tracks or self.library_control.root is None:
            self.statusBar().showMessage("The play queue is empty: nothing to export.", 5000)
            return
        self.playlist_control.export_tracks(tracks, "Queue")

    def _offer_rescan(self, count: int) -> None:
        """After Try again: say when the songs will be analysed, and offer to do it now."""
        if self.rescan_offer is not None:
            self.rescan_offer.close()
        box = QMessageBox(QMessageBox.Icon.Information, "Try again",
                          f"{count} song{'s' * (count != 1)} will be analysed again at the next Rescan.",
                          QMessageBox.StandardButton.Close, self)
        rescan = box.addButton("Rescan now", QMessageBox.ButtonRole.AcceptRole)
        rescan.clicked.connect(self.start_indexing)
        box.setDefaultButton(rescan)
        box.show()
        self.rescan_offer = box

    # --- drag and drop ----------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept local files and folders."""
        if dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A folder opens as the library; songs of the library join the queue; playlist files are imported."""
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.drops.open(paths, self.library.model.tracks())

    # --- small things -----------------------------------------------------------------------------------------

    def bring_to_front(self) -> None:
        """Show the window above the others (the desktop's media controls asked)."""
        self.showNormal() if self.isMinimized() else self.show()
        self.raise_()
        self.activateWindow()

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
        """Save settings, stop playback (the song playing is recorded), and let indexing and the library thread wind
        down without waiting."""
        if not self._closed:
            self._closed = True
            self.save_settings()
            self.queue.stop()
            self.queue.save()
            self.index_control.close()
            self.covers.close()
            self.library_control.close()
        super().closeEvent(event)
