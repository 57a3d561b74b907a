"""The library thread: owns the store connection and the recommender, so no query ever runs on the GUI thread.

The window talks to `LibraryBackend` through queued signals; results come back as signals carrying plain
dataclasses (Track, Recommendation).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from likewise.index.recommend import Options, Recommendation, Recommender
from likewise.index.store import LibraryStore, StoreError, Track

POLL_MS = 3000  # how often to look for changes made by another process (`likewise index`)


@dataclass
class Snapshot:
    """The whole library as listed in the table."""

    db_path: Path
    root: Path
    tracks: list[Track]
    counts: dict[str, int]
    moods: dict[int, tuple[float, float]]  # track id -> (valence, arousal) of the analysed songs that have one


@dataclass
class Recommendations:
    """The answer to one "what sounds like this?" request."""

    request: int
    seed: Track
    items: list[Recommendation]
    error: str = ""


class LibraryBackend(QObject):
    """Lives in its own thread; every slot runs there."""

    opened = Signal(object)  # Snapshot, after open() or whenever the store changed
    open_failed = Signal(str, str)  # db path, reason
    tracks_updated = Signal(list)  # list[Track] saved by an indexing run
    recommended = Signal(object)  # Recommendations
    radio_ready = Signal(object, object)  # seed Track, index.playlist.Radio
    journey_ready = Signal(list)  # list[Track], in order
    error = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.store: LibraryStore | None = None
        self.recommender: Recommender | None = None
        self.latest_request = 0  # written by the GUI thread: older recommendation requests are skipped
        self.watch_store = True  # written by the GUI thread: False while its own indexing run reports changes
        self._state: tuple | None = None
        self._timer: QTimer | None = None

    # --- lifetime -------------------------------------------------------------------------------------------

    @Slot(str)
    def open(self, db_path: str) -> None:
        """Open a store (closing the previous one) and publish its tracks."""
        self._close()
        try:
            self.store = LibraryStore(Path(db_path), timeout=5.0)
        except StoreError as error:
            self.open_failed.emit(db_path, str(error))
            return
        self._publish()
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self.poll)
            self._timer.start(POLL_MS)
        self._recommender()  # build or load the search index now, so the first click is quick

    @Slot()
    def reload(self) -> None:
        """Publish the whole library again (after an indexing run)."""
        if self.store is not None:
            self._publish()

    @Slot()
    def poll(self) -> None:
        """Reload when another process changed the store."""
        if self.store is not None and self.watch_store and self._store_state() != self._state:
            self._publish()

    @Slot()
    def shutdown(self) -> None:
        """Stop the timer and close the store; call before quitting the thread."""
        if self._timer is not None:
            self._timer.stop()
        self._close()

    # --- queries --------------------------------------------------------------------------------------------

    @Slot(list)
    def fetch(self, track_ids: list[int]) -> None:
        """Publish the current state of some tracks (just analysed)."""
        if self.store is not None and track_ids:
            self.tracks_updated.emit(list(self.store.tracks_by_id(track_ids).values()))

    @Slot(int, int, object)
    def recommend(self, request: int, track_id: int, options: Options) -> None:
        """Find songs similar to a library song, unless a newer request is already waiting."""
        if self.store is None or request != self.latest_request:
            return
        seed_track = self.store.track(track_id)
        if seed_track is None:
            return
        try:
            recommender = self._recommender()
            items = recommender.similar(recommender.seed_for_track(track_id), options)
        except ValueError as error:
            self.recommended.emit(Recommendations(request, seed_track, [], str(error)))
            return
        self.recommended.emit(Recommendations(request, seed_track, items))

    @Slot(int, int, object)
    def radio(self, track_id: int, length: int, options: Options) -> None:
        """Build a song radio playlist from a library song."""
        from likewise.index.playlist import build_radio

        if self.store is None:
            return
        try:
            recommender = self._recommender()
            seed = recommender.seed_for_track(track_id)
        except ValueError as error:
            self.error.emit(f"Cannot make a song radio: {error}.")
            return
        self.radio_ready.emit(seed.track, build_radio(recommender, seed, length, options))

    @Slot(object, object, int)
    def journey(self, start: tuple[float, float], end: tuple[float, float], length: int) -> None:
        """Build a mood journey of `length` songs from one (valence, arousal) to another."""
        from likewise.index.mood import mood_journey

        if self.store is None:
            return
        try:
            search = self._recommender().search
        except ValueError as error:
            self.error.emit(f"Cannot make a mood journey: {error}.")
            return
        ids = mood_journey(self.store.moods(), search, start, end, length)
        tracks = self.store.tracks_by_id(ids)
        self.journey_ready.emit([tracks[track_id] for track_id in ids if track_id in tracks])

    @Slot(list)
    def retry(self, track_ids: list[int]) -> None:
        """Queue failed songs for another try at the next indexing run, then publish the library."""
        self._change_library(lambda store: store.retry_failed(track_ids), "try these songs again")

    @Slot(list)
    def leave_out(self, track_ids: list[int]) -> None:
        """Remove songs from the library (their files stay, and later scans pass them by), then publish."""
        self._change_library(lambda store: store.leave_out(track_ids), "remove these songs")

    # --- helpers --------------------------------------------------------------------------------------------

    def _change_library(self, change, what: str) -> None:
        """Apply a change to the store unless an indexing run holds it; say why not in one line."""
        from likewise.index.lock import IndexLock, StoreBusy

        if self.store is None:
            return
        try:
            with IndexLock(self.store.path):
                change(self.store)
        except (StoreBusy, StoreError) as error:
            self.error.emit(f"Could not {what}: {error}")
            return
        self._publish()

    def _recommender(self) -> Recommender:
        """The recommender for the store's current contents (rebuilt when the vectors changed)."""
        if self.recommender is None or self.recommender.search.generation != self.store.generation:
            self.recommender = Recommender(self.store)
        return self.recommender

    def _store_state(self) -> tuple:
        return self.store.generation, tuple(sorted(self.store.counts().items()))

    def _publish(self) -> None:
        self._state = self._store_state()
        store = self.store
        self.opened.emit(Snapshot(store.path, store.library_root, store.tracks(), store.counts(), store.moods()))

    def _close(self) -> None:
        if self.store is not None:
            self.store.close()
        self.store = None
        self.recommender = None
        self._state = None


def start_backend(parent: QObject) -> tuple[LibraryBackend, QThread]:
    """A backend running in a new thread (stop it with `stop_backend`)."""
    thread = QThread(parent)
    thread.setObjectName("likewise-library")
    backend = LibraryBackend()
    backend.moveToThread(thread)
    thread.start()
    return backend, thread


def stop_backend(backend: LibraryBackend, thread: QThread) -> None:
    """Close the store in its own thread and end the thread."""
    QMetaObject.invokeMethod(backend, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
    thread.quit()
    thread.wait()
