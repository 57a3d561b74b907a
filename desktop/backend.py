"""The library thread's state: the store connection and the recommender, so no query ever runs on the GUI thread.

Every method but the constructor runs on the library thread, called through `TaskRunner.submit`; results are
plain dataclasses (Snapshot, Recommendations, Track). Errors are raised and reach the GUI as messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from likewise.index import playlist_store
from likewise.index.playlist_store import Playlist, has_playlists
from likewise.index.colisten import CoListening, refresh_colistening
from likewise.index.plays import Forgotten, forget_plays, has_plays_table, play_counts, record_play
from likewise.index.queue import SavedQueue, load_queue, restored_queue, save_queue
from likewise.index.recommend import Options, Recommendation, Recommender
from likewise.index.store import LibraryStore, Track

if TYPE_CHECKING:
    from likewise.index.playlist import Radio

POLL_MS = 3000  # how often to look for changes made by another process (`likewise index`)


@dataclass
class Snapshot:
    """The whole library as listed in the table."""

    db_path: Path
    root: Path
    tracks: list[Track]
    counts: dict[str, int]
    moods: dict[int, tuple[float, float]]  # track id -> (valence, arousal) of the analysed songs that have one
    plays: dict[int, tuple[int, float]] = field(default_factory=dict)  # track id -> (plays counted, last one's start)
    playlists: list[Playlist] = field(default_factory=list)  # the stored playlists, by name


@dataclass
class History:
    """What a play, an import or forgetting changes: the plays columns and the playlists, not the songs."""

    db_path: Path
    plays: dict[int, tuple[int, float]]  # as Snapshot.plays
    playlists: list[Playlist]


@dataclass
class Recommendations:
    """The answer to one "what sounds like this?" request."""

    request: int
    seed: Track
    items: list[Recommendation]


class LibraryBackend(QObject):
    """Lives in the library thread (moved there by its owner); publishes changes another process made."""

    changed = Signal(object)  # Snapshot, whenever the store's songs changed under us
    history_changed = Signal(object)  # History, when only its plays or playlists did (no song is read again)

    def __init__(self) -> None:
        super().__init__()
        self.store: LibraryStore | None = None
        self.recommender: Recommender | None = None
        self.latest_request = 0  # written by the GUI thread: older recommendation requests are skipped
        self.watch_store = True  # written by the GUI thread: False while its own indexing run reports changes
        self._state: tuple | None = None
        self._timer: QTimer | None = None

    def open(self, db_path: Path) -> Snapshot:
        """Open a store (closing the previous one) and return its snapshot. Raises StoreError."""
        self.shutdown()
        self.store = LibraryStore(Path(db_path), timeout=5.0)
        snapshot = self.snapshot()
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self.poll)
        self._timer.start(POLL_MS)
        self.current_recommender()  # build or load the search index now, so the first click is quick
        return snapshot

    def snapshot(self) -> Snapshot:
        """The whole library, now."""
        history = self.history()
        store = self._open_store()
        return Snapshot(store.path, store.library_root, store.tracks(), store.counts(), store.moods(), history.plays,
                        history.playlists)

    def history(self) -> History:
        """The plays and playlists, now."""
        self._state = self._store_state()
        store = self._open_store()
        return History(store.path, play_counts(store), playlist_store.list_playlists(store))

    def poll(self) -> None:
        """Publish what another process (or the player, through this thread) changed in the store."""
        if self.store is None or not self.watch_store:
            return
        state, known = self._store_state(), self._state
        if state == known:
            return
        if self.recommender is not None:  # learnt again as `likewise index` does: plays erased meanwhile
            self.recommender.colistening = refresh_colistening(self.store)  # (`likewise forget`) are left out
        if known is not None and state[:-1] == known[:-1]:  # the same songs: only plays or playlists changed
            self.history_changed.emit(self.history())
        else:
            self.changed.emit(self.snapshot())

    def shutdown(self) -> None:
        """Stop watching and close the store."""
        if self._timer is not None:
            self._timer.stop()
        if self.store is not None:
            self.store.close()
        self.store = None
        self.recommender = None
        self._state = None

    def fetch(self, track_ids: list[int]) -> list[Track]:
        """The current state of some tracks (just analysed)."""
        return list(self._open_store().tracks_by_id(track_ids).values()) if track_ids else []

    def recommend(self, request: int, track_id: int, options: Options) -> Recommendations | None:
        """Songs similar to a library song; None when a newer request is already waiting."""
        if request != self.latest_request:
            return None
        seed_track = self._open_store().track(track_id)
        if seed_track is None:
            raise ValueError("this song is no longer in the library")
        recommender = self.current_recommender()
        return Recommendations(request, seed_track, recommender.similar(recommender.seed_for_track(track_id), options))

    def radio(self, track_id: int, length: int, options: Options) -> tuple[Track, Radio]:
        """(seed, playlist and why it is shorter than asked): a song radio from a library song."""
        from likewise.index.playlist import build_radio

        recommender = self.current_recommender()
        seed = recommender.seed_for_track(track_id)
        return seed.track, build_radio(recommender, seed, length, options)

    def journey(self, start: tuple[float, float], end: tuple[float, float],
                length: int) -> tuple[list[Track], dict[int, tuple[float, float]]]:
        """A mood journey of `length` songs from one (valence, arousal) to another, in order, and their moods (the
        mood map may not know a song analysed since it was drawn)."""
        from likewise.index.mood import mood_journey

        store = self._open_store()
        moods = store.moods()
        ids = mood_journey(moods, self.current_recommender().search, start, end, length)
        tracks = store.tracks_by_id(ids)
        found = [tracks[track_id] for track_id in ids if track_id in tracks]
        return found, {track.id: moods[track.id] for track in found}

    def mix(self, track_ids: list[int], options: Options) -> list[Track]:
        """The songs most similar to these songs as a whole (Recommender.mix), best first."""
        recommender = self.current_recommender()
        return [item.track for item in recommender.mix([recommender.seed_for_track(i) for i in track_ids], options)]

    def sonic_path(self, start_id: int, end_id: int, steps: int, options: Options) -> list[Track]:
        """A sonic path from one song to another in `steps` steps, both ends included."""
        from likewise.index.playlist import sonic_path

        tracks = self._open_store().tracks_by_id([start_id, end_id])
        if len(tracks) < 2:
            raise ValueError("a song of the path is no longer in the library")
        return sonic_path(self.current_recommender(), tracks[start_id], tracks[end_id], steps, options)

    def playlist_tracks(self, playlist_id: int) -> list[Track]:
        """The songs of a stored playlist, in order."""
        return playlist_store.playlist_tracks(self._open_store(), playlist_id)

    def import_playlist(self, path: Path) -> Playlist:
        """Read a playlist file into the store (again), with its problems. OSError when it cannot be read."""
        return playlist_store.import_playlist(self._open_store(), path)

    def save_made_playlist(self, name: str, track_ids: list[int], path: Path | None) -> Playlist:
        """Record a playlist likewise made (and wrote at `path`)."""
        return playlist_store.save_made_playlist(self._open_store(), name, track_ids, path)

    def record_play(self, track_id: int, started_at: float, heard: float, duration: float | None) -> None:
        """Record a play, then learn co-listening again if the listening sessions changed (the recommender then
        blends in what was learnt)."""
        store = self._open_store()
        record_play(store, track_id, started_at, heard, duration)
        learnt = refresh_colistening(store)
        if self.recommender is not None and _source(learnt) != _source(self.recommender.colistening):
            self.recommender.colistening = learnt  # what a new Recommender would read back; its search index stays

    def forget_plays(self) -> Forgotten:
        """Erase the listening history and what was learnt from it."""
        forgotten = forget_plays(self._open_store())
        self.recommender = None  # its co-listening was learnt from the plays
        return forgotten

    def saved_queue(self) -> tuple[list[Track], int, bool]:
        """The saved play queue's songs still in the library, the row of its current song (-1: none), and whether
        keep playing is on."""
        store = self._open_store()
        saved = load_queue(store)
        return (*restored_queue(saved, store.tracks_by_id(saved.track_ids)), saved.autoplay)

    def save_queue(self, saved: SavedQueue) -> None:
        """Keep the play queue in the store."""
        save_queue(self._open_store(), saved)

    def retry(self, track_ids: list[int]) -> Snapshot:
        """Queue failed songs for another try at the next indexing run; the library after it."""
        return self._change_library(lambda store: store.retry_failed(track_ids))

    def leave_out(self, track_ids: list[int]) -> Snapshot:
        """Remove songs from the library (their files stay, and later scans pass them by); the library after it."""
        return self._change_library(lambda store: store.leave_out(track_ids))

    def _change_library(self, change: Callable[[LibraryStore], None]) -> Snapshot:
        """Apply a change to the store unless an indexing run holds it (raises StoreBusy); the library after it."""
        store = self._open_store()
        with self._locked(store):
            change(store)
        return self.snapshot()

    @staticmethod
    def _locked(store: LibraryStore):
        """The store's indexing lock: a change waits for no run, it fails at once (StoreBusy) while one holds it."""
        from likewise.index.lock import IndexLock

        return IndexLock(store.path)

    def _open_store(self) -> LibraryStore:
        if self.store is None:
            raise ValueError("no library is open")
        return self.store

    def current_recommender(self) -> Recommender:
        """The recommender for the store's current contents (rebuilt when the vectors changed)."""
        store = self._open_store()
        if self.recommender is None or self.recommender.search.generation != store.generation:
            self.recommender = Recommender(store)
        return self.recommender

    def _store_state(self) -> tuple:
        store = self._open_store()
        return store.generation, tuple(sorted(store.counts().items())), _history_state(store)


def _source(learnt: CoListening | None) -> str:
    """What a co-listening model was learnt from ("" for none)."""
    return learnt.source if learnt is not None else ""


def _history_state(store: LibraryStore) -> tuple:
    """What changes when a play is recorded or forgotten, or a playlist is read, changed or removed."""
    plays = store.db.execute("SELECT COUNT(*), MAX(id) FROM plays").fetchone() if has_plays_table(store) else ()
    playlists = (store.db.execute("SELECT COUNT(*), MAX(imported_at) FROM playlists").fetchone()
                 if has_playlists(store) else ())
    return tuple(plays), tuple(playlists)
