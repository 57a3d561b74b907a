"""The main window: library table, mood map, similar-songs panel, problems, playback and background indexing."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QLabel, QLineEdit, QMainWindow, QSizePolicy, QSpinBox, QSplitter, QStyle, QTabWidget,
    QToolBar, QVBoxLayout, QWidget,
)

from likewise.assets import DEMO_DIR
from likewise.desktop.backend import Recommendations, Snapshot, start_backend, stop_backend
from likewise.desktop.desktop_services import show_folder
from likewise.desktop.indexing import IndexingBar, IndexThread
from likewise.desktop.library_view import LibraryView
from likewise.desktop.mood_map import MoodMapView
from likewise.desktop.player import Player, TransportBar
from likewise.desktop.problems import ProblemsView
from likewise.desktop.radio import RadioDialog
from likewise.desktop.recommendations_panel import RecommendationsPanel
from likewise.desktop.style import media_icon
from likewise.index.paths import default_db_path
from likewise.index.playlist import Radio
from likewise.index.store import Track

MOOD_CHOICES = ("Any mood", "calm", "energetic", "sad", "happy")  # the mood filter's choices, "any" first
RADIO_LENGTH = 20  # songs in a song radio until the person picks another length
SELECT_DELAY_MS = 120  # wait for the cursor to settle before asking for recommendations
FILTER_DELAY_MS = 80


class MainWindow(QMainWindow):
    """The likewise window. All store access happens in the backend thread, indexing in an IndexThread."""

    request_open = Signal(str)
    request_reload = Signal()
    request_fetch = Signal(list)
    request_recommend = Signal(int, int, object)
    request_radio = Signal(int, int, object)
    request_journey = Signal(object, object, int)

    def __init__(self, settings: QSettings, index_jobs: int | None = None, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.index_jobs = index_jobs
        self.root: Path | None = None
        self.db: Path | None = None
        self.store_open = False
        self.index_thread: IndexThread | None = None
        self._threads: list[IndexThread] = []  # every run not yet finished, including abandoned ones
        self._first_progress = False
        self._auto_indexed = False
        self._request = 0
        self._counts: dict[str, int] = {}
        self.radio_dialog: RadioDialog | None = None
        self.radio_length = RADIO_LENGTH
        self._closed = False
        self.setWindowTitle("likewise")
        self.resize(1200, 750)

        self.library = LibraryView()
        self.mood_map = MoodMapView()
        self.problems = ProblemsView()
        self.panel = RecommendationsPanel()
        self.player = Player(self)
        self.transport = TransportBar(self.player)
        self.indexing = IndexingBar()
        self._build_actions()
        self._build_layout()
        self._restore_settings()
        self._connect()

        self.backend, self.backend_thread = start_backend(self)
        self.request_open.connect(self.backend.open)
        self.request_reload.connect(self.backend.reload)
        self.request_fetch.connect(self.backend.fetch)
        self.request_recommend.connect(self.backend.recommend)
        self.request_radio.connect(self.backend.radio)
        self.request_journey.connect(self.backend.journey)
        self.backend.opened.connect(self._library_loaded)
        self.backend.open_failed.connect(self._open_failed)
        self.backend.tracks_updated.connect(lambda tracks: self.library.model.merge(tracks, complete=False))
        self.backend.recommended.connect(self._show_recommendations)
        self.backend.radio_ready.connect(self._show_radio)
        self.backend.journey_ready.connect(self.mood_map.show_journey)
        self.backend.error.connect(self.notify)

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
        self.open_action = self._action("Open music folder…", self.choose_folder, QKeySequence.StandardKey.Open,
                                        pixmap.SP_DirOpenIcon, "Open another music folder (Ctrl+O)")
        self.rescan_action = self._action("Rescan", self.start_indexing, QKeySequence.StandardKey.Refresh,
                                          pixmap.SP_BrowserReload, "Look for new, changed and removed songs (F5)")
        self.play_action = self._action("Play/Pause", self.toggle_playback, Qt.Key.Key_Space,
                                        tip="Play or pause the selected song (Space)")
        self.play_action.setIcon(media_icon(False))
        self.radio_action = self._action("Song radio", self.song_radio, "Ctrl+R", pixmap.SP_MediaSkipForward,
                                         "A playlist that starts from the selected song (Ctrl+R)")
        self.folder_action = self._action("Show in folder", self.show_in_folder, "Ctrl+Shift+O", pixmap.SP_DirIcon,
                                          "Open the folder of the selected song in the file manager")
        self._action("Find", self.focus_search, QKeySequence.StandardKey.Find)
        self._action("Quit", self.close, QKeySequence.StandardKey.Quit)

    def _build_layout(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.open_action, self.rescan_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.play_action, self.radio_action, self.folder_action):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album, tags, mood  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(300)
        self.search.installEventFilter(self)
        toolbar.addWidget(self.search)
        self.mood_filter = QComboBox()
        self.mood_filter.addItems(MOOD_CHOICES)
        self.mood_filter.setToolTip("Show only the songs of this mood")
        toolbar.addWidget(self.mood_filter)
        self.addToolBar(toolbar)

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.mood_map, "Mood map")
        self.tabs.addTab(self.problems, "Problems")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 0, 0, 0)
        left_layout.addWidget(self.notice)
        left_layout.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
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

        self.counts_label = QLabel()
        self.statusBar().addWidget(self.counts_label)
        self.statusBar().addPermanentWidget(self.indexing, 1)
        self._update_actions()

    def _connect(self) -> None:
        self.filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _text: self.filter_timer.start())
        self.mood_filter.currentIndexChanged.connect(lambda _index: self._apply_filter())
        self.select_timer = QTimer(self, singleShot=True, interval=SELECT_DELAY_MS)
        self.select_timer.timeout.connect(self.refresh_recommendations)
        self.library.current_changed.connect(lambda _track: self._selection_changed())
        self.library.activated.connect(self.play_track)
        self.library.current_changed.connect(lambda track: self.mood_map.plot.set_current(track and track.id))
        self.mood_map.track_clicked.connect(self.select_track)
        self.mood_map.play_requested.connect(self.play_track)
        self.mood_map.journey_requested.connect(self.request_journey)
        self.library.open_requested.connect(self.choose_folder)
        self.panel.options_changed.connect(self.select_timer.start)
        self.panel.play_requested.connect(self.play_track)
        self.panel.show_requested.connect(self.show_track)
        self.indexing.cancel_requested.connect(self.cancel_indexing)
        self.transport.toggle_requested.connect(self.toggle_playback)
        self.player.error.connect(self.notify)
        self.player.playing_changed.connect(self._playing_changed)

    # --- settings -------------------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = self.settings
        if geometry := settings.value("window/geometry", type=QByteArray):
            self.restoreGeometry(geometry)
        if splitter := settings.value("window/splitter", type=QByteArray):
            self.splitter.restoreState(splitter)
        if header := settings.value("library/header", type=QByteArray):
            self.library.restore_header(header)
        for key, box in self._option_boxes():
            box.setValue(settings.value(key, box.value(), type=int))
        self.radio_length = settings.value("radio/length", RADIO_LENGTH, type=int)

    def _option_boxes(self) -> list[tuple[str, QSpinBox]]:
        panel = self.panel
        return [("recommend/count", panel.count), ("recommend/per_artist", panel.per_artist),
                ("recommend/per_album", panel.per_album)]

    def save_settings(self) -> None:
        """Remember window geometry, column layout, options and the library."""
        settings = self.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("library/header", self.library.header_state())
        for key, box in self._option_boxes():
            settings.setValue(key, box.value())
        settings.setValue("radio/length", self.radio_length)
        if self.db is not None:
            self._remember_library()
        settings.sync()

    def _remember_library(self) -> None:
        self.settings.setValue("library/db", str(self.db))
        self.settings.setValue("library/folder", str(self.root) if self.root else "")

    # --- opening a library ----------------------------------------------------------------------------------

    def choose_folder(self) -> None:
        """Ask for a music folder and open it."""
        start = str(self.root if self.root and self.root != DEMO_DIR else Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open music folder", start)
        if folder:
            self.open_library(Path(folder))

    def open_library(self, root: Path | None, db: Path | None = None) -> None:
        """Show the library of `root` (store `db`, default: the one shared with `likewise index`).

        An existing store is listed at once; a folder never analysed is indexed in the background.
        """
        self._abandon_indexing()
        self.root = Path(root).resolve() if root is not None else None
        self.db = Path(db) if db is not None else default_db_path(self.root)
        self.store_open = False
        self._auto_indexed = False
        self.library.model.clear()
        self._update_counts()
        self.problems.set_failures([])
        self.panel.show_prompt()
        self.notice.hide()
        self._set_title()
        self._remember_library()
        if self.db.exists():
            self.library.show_empty("Loading the library…", offer_open=False)
            self.request_open.emit(str(self.db))
        else:
            self.start_indexing()
        self._update_actions()

    def _set_title(self) -> None:
        name = "demo library" if self.root == DEMO_DIR else (self.root.name if self.root else "")
        self.setWindowTitle(f"likewise — {name}" if name else "likewise")

    def _library_loaded(self, snapshot: Snapshot) -> None:
        if snapshot.db_path != self.db:
            return  # an answer for a library we already left
        self.store_open = True
        if self.root is None:
            self.root = snapshot.root
            self._set_title()
        tracks = snapshot.tracks
        self.library.model.set_moods(snapshot.moods)
        self.library.model.merge(tracks, complete=True)
        self.mood_map.set_library(tracks, snapshot.moods, self.root, self.db)
        failed = [track for track in tracks if track.status == "failed"]
        self.problems.set_failures(failed)
        self.tabs.setTabText(self.tabs.indexOf(self.problems), f"Problems ({len(failed)})" if failed else "Problems")
        counts = self._counts = snapshot.counts
        self._update_counts()
        if tracks:
            self.library.show_table()
        elif self.index_thread is not None:
            self._show_analysing()
        else:
            self.library.show_empty(f"No music found in {self.root}.\nAdd some and choose Rescan, "
                                    "or open another folder.")
        if counts["pending"] and self.index_thread is None and not self._auto_indexed:
            self.start_indexing()  # finish what an interrupted run left
        self._auto_indexed = True
        self._update_actions()

    def _open_failed(self, db_path: str, reason: str) -> None:
        if Path(db_path) != self.db:
            return
        if self.root is not None and not self.db.exists():
            self.start_indexing()
            return
        self.library.show_empty(f"This library cannot be opened:\n{reason}")
        self.notify(reason)

    # --- indexing -------------------------------------------------------------------------------------------

    def start_indexing(self) -> None:
        """Scan the folder and analyse what is new or changed, in the background."""
        if self.index_thread is not None or self.root is None:
            return
        thread = IndexThread(self.root, self.db, self.index_jobs, self)
        thread.progress.connect(lambda progress: self._index_progress(thread, progress))
        thread.done.connect(lambda summary: self._index_done(thread, summary.line(), summary.interrupted))
        thread.failed.connect(lambda reason: self._index_done(thread, reason, failed=True))
        thread.finished.connect(lambda: self._thread_finished(thread))
        self.index_thread = thread
        self._threads.append(thread)
        self.backend.watch_store = False  # our own run reports its progress
        self._first_progress = True
        self.notice.hide()
        self.indexing.start(self.root)
        if not self.library.model.rowCount():
            self._show_analysing()
        thread.start()
        self._update_actions()

    def _show_analysing(self) -> None:
        self.library.show_empty(f"Analysing {self.root.name}…\nSongs appear here as they are analysed.",
                                offer_open=False)

    def cancel_indexing(self) -> None:
        """Stop the run after storing what is finished."""
        if self.index_thread is not None:
            self.index_thread.cancel()

    def _abandon_indexing(self) -> None:
        """Cancel the run of the library being left; it winds down on its own, unheard."""
        if self.index_thread is not None:
            self.index_thread.cancel()
            self.index_thread = None
            self.backend.watch_store = True
            self.indexing.hide()

    def _index_progress(self, thread: IndexThread, progress) -> None:
        if thread is not self.index_thread:
            return
        self.indexing.update_progress(progress)
        if not self.store_open:
            self.request_open.emit(str(self.db))
        elif self._first_progress:
            self.request_reload.emit()  # list the files the scan found, waiting ones included
        else:
            self.request_fetch.emit(progress.saved_ids)
        self._first_progress = False

    def _index_done(self, thread: IndexThread, message: str, interrupted: bool = False, failed: bool = False) -> None:
        if thread is not self.index_thread:
            return
        self.index_thread = None
        self.backend.watch_store = True
        self.indexing.hide()
        if failed:
            self.notify(message)
        else:
            self.statusBar().showMessage(("Indexing cancelled: " if interrupted else "Indexing finished: ") + message,
                                         10000)
        self._auto_indexed = True
        if self.db.exists() and self.store_open:
            self.request_reload.emit()
        elif self.db.exists():
            self.request_open.emit(str(self.db))
        elif self.library.model.rowCount() == 0:
            self.library.show_empty(f"{self.root} could not be indexed.\n{message}")
        self._update_actions()

    def _thread_finished(self, thread: IndexThread) -> None:
        self._threads.remove(thread)
        thread.deleteLater()

    def is_indexing(self) -> bool:
        """True while a run for this library is going."""
        return self.index_thread is not None

    # --- recommendations ------------------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        self.select_timer.start()
        self._update_actions()

    def refresh_recommendations(self) -> None:
        """Ask the backend for songs similar to the selected one."""
        track = self.library.current_track()
        self._request += 1
        self.backend.latest_request = self._request
        if track is None:
            self.panel.show_prompt()
        elif track.status == "failed":
            self.panel.show_message(f"This song could not be analysed:\n{track.reason}", track.label)
        elif track.status != "ok":
            self.panel.show_message("This song has not been analysed yet.", track.label)
        else:
            self.panel.show_message("Finding similar songs…", f"Similar to {track.label}", track.genre or "")
            self.request_recommend.emit(self._request, track.id, self.panel.options())

    def _show_recommendations(self, result: Recommendations) -> None:
        if result.request != self._request:
            return
        if result.error:
            self.panel.show_message(f"No recommendations: {result.error}.", result.seed.label)
        else:
            self.panel.show_results(result.seed, result.items)

    def show_track(self, track: Track) -> None:
        """Select a song in the library (clearing the search if it hides the song)."""
        self.tabs.setCurrentWidget(self.library)
        self.select_track(track)
        self.library.table.setFocus()

    def select_track(self, track: Track) -> None:
        """Make a song the library's current one, which shows its similar songs (clearing a search that hides it)."""
        if not self.library.select_track(track.id):
            self.search.clear()
            self.mood_filter.setCurrentIndex(0)
            self._apply_filter()
            self.library.select_track(track.id)

    # --- playback, radio, folder ----------------------------------------------------------------------------

    def track_path(self, track: Track) -> Path:
        """Where a song's file is."""
        return self.root / track.relpath

    def play_track(self, track: Track | None, start: float = 0.0) -> None:
        """Play a song from `start` seconds."""
        if track is None or self.root is None:
            return
        self.player.play(self.track_path(track), start)
        self.transport.now_playing(track.label)

    def toggle_playback(self) -> None:
        """Pause or resume; start the selected song when another one (or none) is loaded."""
        track = self.library.current_track()
        if track is not None and self.player.source != self.track_path(track) and not self.player.is_playing():
            self.play_track(track)
        else:
            self.player.toggle()

    def _playing_changed(self, playing: bool) -> None:
        self.play_action.setIcon(media_icon(playing))

    def song_radio(self) -> None:
        """Build a song radio playlist from the selected song."""
        track = self.library.current_track()
        if track is not None and track.status == "ok":
            self.statusBar().showMessage(f"Building a song radio from {track.label}…", 5000)
            self.request_radio.emit(track.id, self.radio_length, self.panel.options())

    def _radio_length_changed(self, length: int) -> None:
        self.radio_length = length
        self.request_radio.emit(self.radio_dialog.seed.id, length, self.panel.options())

    def _show_radio(self, seed: Track, tracks: Radio) -> None:
        self.statusBar().clearMessage()  # "Building a song radio…" is over
        dialog = self.radio_dialog
        if dialog is not None and dialog.isVisible() and dialog.seed.id == seed.id:
            dialog.set_tracks(tracks)  # the same radio, longer or shorter
            return
        if dialog is not None:
            dialog.close()
        self.radio_dialog = RadioDialog(seed, tracks, self.root, self.db, self.radio_length, self)
        self.radio_dialog.play_requested.connect(self.play_track)
        self.radio_dialog.length_requested.connect(self._radio_length_changed)
        self.radio_dialog.show()

    def show_in_folder(self) -> None:
        """Open the folder of the selected song (or the library folder) in the file manager."""
        track = self.library.current_track()
        folder = self.track_path(track).parent if track is not None else self.root
        if folder is not None:
            show_folder(self, folder)  # says so, and offers the path, where no file manager answers

    # --- small things ---------------------------------------------------------------------------------------

    def notify(self, message: str) -> None:
        """Show a message above the library until the next library is opened."""
        self.notice.setText(message)
        self.notice.show()

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search.setFocus()
        self.search.selectAll()

    def _apply_filter(self) -> None:
        self.filter_timer.stop()
        self.library.set_query(self.search.text())
        self.library.proxy.set_mood(self.mood_filter.currentText() if self.mood_filter.currentIndex() else "")
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.library.model.rowCount()
        if not total:
            self.counts_label.clear()
            return
        shown = self.library.visible_count()
        parts = [f"{shown:,} of {total:,} songs" if shown != total else f"{total:,} songs"]
        parts += [f"{self._counts[key]:,} {label}" for key, label in
                  (("ok", "analysed"), ("pending", "waiting"), ("failed", "failed")) if self._counts.get(key)]
        self.counts_label.setText("  ·  ".join(parts))

    def _update_actions(self) -> None:
        track = self.library.current_track()
        self.rescan_action.setEnabled(self.root is not None and self.index_thread is None)
        self.play_action.setEnabled(track is not None or self.player.source is not None)
        self.radio_action.setEnabled(track is not None and track.status == "ok")
        self.folder_action.setEnabled(self.root is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Arrow down or Enter in the search box moves to the table; Escape clears the search."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._apply_filter()
                self.library.table.setFocus()
                if not self.library.table.currentIndex().isValid() and self.library.visible_count():
                    self.library.table.selectRow(0)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save settings, stop playback, wind down indexing and the library thread."""
        if self._closed:
            return super().closeEvent(event)
        self._closed = True
        self.save_settings()
        self.player.stop()
        for thread in list(self._threads):
            thread.cancel()
        for thread in list(self._threads):
            thread.wait()
        stop_backend(self.backend, self.backend_thread)
        super().closeEvent(event)
