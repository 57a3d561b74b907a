"""The library shown: opening and reloading its store, the search filter, and the selection's similar songs."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QTabWidget

from likewise.desktop.backend import History, LibraryBackend, Recommendations, Snapshot
from likewise.desktop.library_view import LibraryView
from likewise.desktop.mood_map import MoodMapView
from likewise.desktop.problems import ProblemsView
from likewise.desktop.recommendations_panel import RecommendationsPanel
from likewise.desktop.tasks import TaskRunner
from likewise.index.paths import default_db_path, remember_library
from likewise.index.store import Track

SELECT_DELAY_MS = 120  # wait for the cursor to settle before asking for recommendations
FILTER_DELAY_MS = 80


class LibraryController(QObject):
    """Owns the library thread (a TaskRunner and the LibraryBackend living there) and keeps the views in step."""

    library_changed = Signal()  # another library is shown (or its folder became known)
    loaded = Signal(object)  # Snapshot: the library shown, as the store has it now
    history_loaded = Signal(object)  # History: its plays and playlists now, its songs unchanged
    store_opened = Signal()  # the library thread opened the store of the library shown
    state_changed = Signal()  # the selection or what can be done changed
    index_wanted = Signal()  # the library needs an indexing run (never analysed, or songs left waiting)
    message = Signal(str)  # something went wrong: show it until the next library
    message_cleared = Signal()
    retried = Signal(int)  # this many failed songs wait for the next indexing run

    def __init__(self, view: LibraryView, mood_map: MoodMapView, problems: ProblemsView, panel: RecommendationsPanel,
                 tabs: QTabWidget, search: QLineEdit, mood_filter: QComboBox, counts_label: QLabel,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.view, self.mood_map, self.problems, self.panel = view, mood_map, problems, panel
        self.tabs, self.search, self.mood_filter, self.counts_label = tabs, search, mood_filter, counts_label
        self.root: Path | None = None
        self.db: Path | None = None
        self.store_open = False
        self.opening = False  # an open of the store is on its way to the library thread
        self.indexing = False
        self._auto_indexed = False
        self._first_progress = False
        self._request = 0
        self._opened = 0  # libraries opened so far: an answer asked for before the last one is dropped
        self._counts: dict[str, int] = {}
        self.runner = TaskRunner("likewise-library", self)
        self.runner.error.connect(self.message)
        self.backend = LibraryBackend()
        self.backend.moveToThread(self.runner.thread)
        self.backend.changed.connect(self._loaded)
        self.backend.history_changed.connect(self._history_loaded)
        self.filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.select_timer = QTimer(self, singleShot=True, interval=SELECT_DELAY_MS)
        self.select_timer.timeout.connect(self.refresh_recommendations)
        search.textChanged.connect(lambda _text: self.filter_timer.start())
        mood_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        view.current_changed.connect(self._selection_changed)
        mood_map.track_clicked.connect(self.select_track)
        mood_map.journey_requested.connect(self.request_journey)
        panel.options_changed.connect(self.select_timer.start)
        panel.show_requested.connect(self.show_track)
        problems.retry_requested.connect(self.retry)
        problems.remove_requested.connect(self.leave_out)

    def submit(self, fn: Callable[[LibraryBackend], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
        """Run `fn(backend)` on the library thread; its result or error comes back here."""
        backend = self.backend
        self.runner.submit(lambda: fn(backend), on_done, on_error)

    def submit_for_library(self, fn: Callable[[LibraryBackend], Any], on_done: Callable[[Any], None],
                           on_error: Callable[[str], None]) -> None:
        """As submit, but the answer is dropped when another library was opened meanwhile: it is the one left's."""
        opened = self._opened

        def then(answer: Callable[[Any], None]) -> Callable[[Any], None]:
            return lambda result: answer(result) if opened == self._opened else None

        self.submit(fn, then(on_done), then(on_error))

    def close(self) -> None:
        """Close the store on the library thread and let the thread end, without waiting for it."""
        self.runner.stop(self.backend.shutdown, self.backend)

    # --- opening ----------------------------------------------------------------------------------------------

    def open_library(self, root: Path | None, db: Path | None = None) -> None:
        """Show the library of `root` (store `db`, default: the one shared with `likewise index`); remember it for
        the next start and for the `likewise` commands. A folder never analysed asks for an indexing run."""
        self.root = Path(root).resolve() if root is not None else None
        self.db = Path(db) if db is not None else default_db_path(self.root)
        self.store_open = False
        self._auto_indexed = False
        self._opened += 1
        self.view.model.clear()
        self._update_counts()
        self.mood_map.clear()
        self.problems.set_failures([])
        self.panel.show_prompt()
        self.message_cleared.emit()
        remember_library(self.db)
        self.library_changed.emit()
        if self.db.exists():
            self.view.show_empty("Loading the library…", offer_open=False)
            self._open_store()
        else:
            self.index_wanted.emit()
        self.state_changed.emit()

    def _open_store(self) -> None:
        db = self.db
        self.opening = True
        self.submit(lambda backend: backend.open(db), self._loaded, lambda reason: self._open_failed(db, reason))

    def reload(self) -> None:
        """List the whole library again."""
        self.submit(LibraryBackend.snapshot, self._loaded)

    def reload_history(self) -> None:
        """Show the plays and playlists again (after an import or forgetting), without reading every song again."""
        self.submit(LibraryBackend.history, self._history_loaded)

    def _history_loaded(self, history: History) -> None:
        if history.db_path != self.db:
            return  # an answer for a library we already left
        self.view.model.set_plays(history.plays)
        self.history_loaded.emit(history)

    def _loaded(self, snapshot: Snapshot) -> None:
        if snapshot.db_path != self.db:
            return  # an answer for a library we already left
        opened, self.store_open, self.opening = not self.store_open, True, False
        if self.root is None:
            self.root = snapshot.root
            self.library_changed.emit()
        tracks = snapshot.tracks
        self.view.model.set_moods(snapshot.moods)
        self.view.model.set_plays(snapshot.plays)
        self.view.model.merge(tracks, complete=True)
        self.mood_map.set_library(tracks, snapshot.moods, self.root, self.db)
        failed = [track for track in tracks if track.status == "failed"]
        self.problems.set_failures(failed)
        self.tabs.setTabText(self.tabs.indexOf(self.problems), f"Problems ({len(failed)})" if failed else "Problems")
        self._counts = snapshot.counts
        self._update_counts()
        if tracks:
            self.view.show_table()
        elif self.indexing:
            self._show_analysing()
        else:
            self.view.show_empty(f"No music found in {self.root}.\nAdd some and choose Rescan, or open another folder.")
        if snapshot.counts["pending"] and not self.indexing and not self._auto_indexed:
            self.index_wanted.emit()  # finish what an interrupted run left
        self._auto_indexed = True
        self.loaded.emit(snapshot)
        if opened:
            self.store_opened.emit()
        self.state_changed.emit()

    def _open_failed(self, db: Path, reason: str) -> None:
        if db != self.db:
            return
        self.opening = False
        if self.root is not None and not self.db.exists():
            self.index_wanted.emit()
            return
        self.view.show_empty(f"This library cannot be opened:\n{reason}")
        self.message.emit(reason)

    # --- following an indexing run ----------------------------------------------------------------------------

    def set_indexing(self, running: bool) -> None:
        """An indexing run of this library started or ended: while it runs, its progress shows the changes."""
        self.indexing = running
        self.backend.watch_store = not running
        if running:
            self._first_progress = True
            self.message_cleared.emit()
            if not self.view.model.rowCount():
                self._show_analysing()

    def _show_analysing(self) -> None:
        self.view.show_empty(f"Analysing {self.root.name}…\nSongs appear here as they are analysed.", offer_open=False)

    def index_progress(self, progress) -> None:
        """Show the songs an indexing run just stored."""
        if not self.store_open:
            if not self.opening:  # the first report opens the store; later ones wait for it to answer
                self._open_store()
        elif self._first_progress:
            self.reload()  # list the files the scan found, waiting ones included
        else:
            ids = progress.saved_ids
            self.submit(lambda backend: backend.fetch(ids), lambda tracks: self.view.model.merge(tracks, complete=False))
        self._first_progress = False

    def index_finished(self, message: str) -> None:
        """List the library as the run left it."""
        self._auto_indexed = True
        if self.db.exists() and self.store_open:
            self.reload()
        elif self.db.exists():
            self._open_store()
        elif self.view.model.rowCount() == 0:
            self.view.show_empty(f"{self.root} could not be indexed.\n{message}")

    # --- the Problems tab -------------------------------------------------------------------------------------

    def retry(self, track_ids: list[int]) -> None:
        """Mark failed songs to be analysed again by the next indexing run (on the library thread)."""
        self.submit_for_library(lambda backend: backend.retry(track_ids),
                                lambda snapshot: self._changed(snapshot, track_ids),
                                lambda reason: self.message.emit(f"Could not try these songs again: {reason}"))

    def leave_out(self, track_ids: list[int]) -> None:
        """Remove songs from the library (their files stay on disk; later scans pass them by until they change)."""
        self.submit_for_library(lambda backend: backend.leave_out(track_ids), self._loaded,
                                lambda reason: self.message.emit(f"Could not remove these songs: {reason}"))

    def _changed(self, snapshot: Snapshot, retried: list[int]) -> None:
        self._loaded(snapshot)
        self.retried.emit(len(retried))

    # --- selection and similar songs --------------------------------------------------------------------------

    def _selection_changed(self, track: Track | None) -> None:
        self.mood_map.plot.set_current(track and track.id)
        self.select_timer.start()
        self.state_changed.emit()

    def refresh_recommendations(self) -> None:
        """Ask the library thread for songs similar to the selected one."""
        track = self.view.current_track()
        self._request += 1
        request = self.backend.latest_request = self._request
        if track is None:
            self.panel.show_prompt()
        elif track.status == "failed":
            self.panel.show_message(f"This song could not be analysed:\n{track.reason}", track.label)
        elif track.status != "ok":
            self.panel.show_message("This song has not been analysed yet.", track.label)
        else:
            self.panel.show_message("Finding similar songs…", f"Similar to {track.label}", track.genre or "")
            options = self.panel.options()
            self.submit(lambda backend: backend.recommend(request, track.id, options), self._show_recommendations,
                        lambda reason: self._recommendations_failed(request, track, reason))

    def _show_recommendations(self, result: Recommendations | None) -> None:
        if result is not None and result.request == self._request:
            self.panel.show_results(result.seed, result.items)

    def _recommendations_failed(self, request: int, seed: Track, reason: str) -> None:
        if request == self._request:
            self.panel.show_message(f"No recommendations: {reason}.", seed.label)

    def request_journey(self, start: tuple[float, float], end: tuple[float, float], length: int) -> None:
        """Ask for a mood journey; the mood map shows it."""
        self.submit_for_library(lambda backend: backend.journey(start, end, length),
                                lambda journey: self.mood_map.show_journey(*journey),
                                self._journey_failed)

    def _journey_failed(self, reason: str) -> None:
        self.mood_map.journey_failed(reason)
        self.message.emit(f"Cannot make a mood journey: {reason}.")

    def track_path(self, track: Track) -> Path | None:
        """Where a song's file is (None while the library's folder is unknown)."""
        return self.root / track.relpath if self.root is not None else None

    def show_track(self, track: Track) -> None:
        """Select a song in the library tab (clearing the search if it hides the song)."""
        self.tabs.setCurrentWidget(self.view)
        self.select_track(track)
        self.view.table.setFocus()

    def select_track(self, track: Track) -> None:
        """Make a song the library's current one, which shows its similar songs (clearing a search that hides it)."""
        if not self.view.select_track(track.id):
            self.search.clear()
            self.mood_filter.setCurrentIndex(0)
            self.apply_filter()
            self.view.select_track(track.id)

    # --- filter and counts ------------------------------------------------------------------------------------

    def apply_filter(self) -> None:
        """Show the songs that match the search box and the mood filter."""
        self.filter_timer.stop()
        self.view.set_query(self.search.text())
        self.view.proxy.set_mood(self.mood_filter.currentText() if self.mood_filter.currentIndex() else "")
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.view.model.rowCount()
        if not total:
            self.counts_label.clear()
            return
        shown = self.view.visible_count()
        parts = [f"{shown:,} of {total:,} songs" if shown != total else f"{total:,} songs"]
        parts += [f"{self._counts[key]:,} {label}" for key, label in
                  (("ok", "analysed"), ("pending", "waiting"), ("failed", "failed")) if self._counts.get(key)]
        self.counts_label.setText("  ·  ".join(parts))
