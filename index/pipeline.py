"""The indexing run: scan a folder, prepare files in worker processes, embed in batches, store as we go."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from likewise.index.lock import IndexLock
from likewise.index.colisten import refresh_colistening
from likewise.index.playlist_store import sync_playlists
from likewise.index.prepare import Failed, Prepared, caused_by_environment
from likewise.index.scan import ScanCounts, scan_library
from likewise.index.store import Analysis, LibraryStore, StoreError
from likewise.index.workers import AnalysisPool
from likewise.model.mood import MoodModel, load_mood

BATCH_SLICES = 256  # embed at least this many slices at once
FLUSH_SECONDS = 0.5  # and store at least this often, so that songs appear in the app as they are analysed
MAX_WAITING = 64  # songs held while the model loads: bounds memory and the work a crash would lose


@dataclass
class Progress:
    """Where an indexing run stands, for a progress bar."""

    done: int
    total: int
    failed: int
    elapsed: float
    current: str = ""
    saved_ids: list[int] = field(default_factory=list)  # songs stored since the previous report
    model_loading: bool = False  # the analysis model is still loading: analysed songs wait to be stored

    @property
    def rate(self) -> float:
        """Songs analysed per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate."""
        return (self.total - self.done) / self.rate if self.rate > 0 else None


@dataclass
class Summary(ScanCounts):
    """What an indexing run did: the scan's counts, then what analysis made of the files it queued."""

    failed: int = 0
    analysed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    playlists_read: int = 0  # new or changed playlist files of the library folder
    playlist_problems: list[str] = field(default_factory=list)  # theirs, as 'name: line 7: ...'

    def line(self) -> str:
        """One-line human summary."""
        text = (
            f"added {self.added}, updated {self.updated}, moved {self.moved}, removed {self.removed}, "
            f"failed {self.failed}, unchanged {self.unchanged}"
        )
        if self.reanalysed:
            text += f", re-analysed for the new model {self.reanalysed}"
        if self.resumed:
            text += f", resumed {self.resumed}"
        if self.retried:
            text += f", retried {self.retried}"
        if self.unreadable:
            text += f", could not read {self.unreadable} folders or files (their songs were kept)"
        if self.playlists_read:
            text += f", playlists read {self.playlists_read}"
            if self.playlist_problems:
                text += f" (problems: {len(self.playlist_problems)})"
        text += f" in {self.seconds:.1f} s"
        if self.interrupted:
            text += " (interrupted: run again to finish)"
        return text


def check_library_folder(root: Path) -> Path:
    """The folder as an absolute path, or StoreError with a one-line reason."""
    root = Path(root).expanduser()
    if not root.exists():
        raise StoreError(f"folder not found: {root}")
    if not root.is_dir():
        raise StoreError(f"not a folder: {root} (give the folder that holds your music)")
    return root.resolve()


def fill_moods(store: LibraryStore, mood: MoodModel) -> None:
    """Give the analysed songs that have no mood one, from their stored tag probabilities and slices (no decoding)."""
    have = store.moods()
    found = {}
    for track in store.tracks("ok"):
        if track.id in have or track.model_id != mood.model_id:
            continue
        probs, vectors = store.genre_probs(track.id), store.slices_of(track.id)[0]
        if probs is None or not len(vectors):
            continue
        embedding = vectors.mean(axis=0)
        if mood.can_read(probs, embedding):
            valence, arousal = mood.estimate(probs, embedding)[0]
            found[track.id] = (float(valence), float(arousal))
    if found:
        store.set_moods(found)


def open_store_for(root: Path, db_path: Path) -> LibraryStore:
    """Open or create the store of `root`; refuse a store that belongs to another folder."""
    store = LibraryStore(db_path, library_root=root, create=True)
    owner = store.library_root
    if owner != root:
        store.close()
        raise StoreError(f"{db_path} is the store of {owner}, not of {root}: if that library moved here, run "
                         f"`likewise index {root} --db {db_path} --moved-from {owner}` (it keeps every analysis); "
                         "otherwise give another --db")
    return store


class Indexer:
    """Brings a store up to date with its folder. Cancel from another thread with `cancel()`."""

    def __init__(
        self,
        root: Path,
        db_path: Path,
        jobs: int | None = None,
        model_dir: Path | None = None,
        time_limit: float = 60.0,
        on_progress: Callable[[Progress], None] | None = None,
    ):
        self.root = check_library_folder(root)
        self.db_path = Path(db_path)
        self.jobs = jobs or os.cpu_count() or 1
        self.model_dir = model_dir
        self.time_limit = time_limit
        self.on_progress = on_progress or (lambda progress: None)
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        """Ask the run to stop after storing what is finished."""
        self.cancelled.set()

    def run(self) -> Summary:
        """Scan, analyse what is new or changed, and return the summary. Raises StoreError or StoreBusy."""
        started = time.monotonic()
        summary = self._run(started)
        summary.seconds = time.monotonic() - started
        return summary

    def _run(self, started: float) -> Summary:
        """The run, up to its summary's time: each way it can end returns here."""
        from likewise.model.info import read_model_info

        info = read_model_info(self.model_dir)
        mood = load_mood(self.model_dir)
        with IndexLock(self.db_path), open_store_for(self.root, self.db_path) as store:
            model_id, params_json = store.analysis_settings()
            if (model_id, params_json) != (info.model_id, info.params.to_json()):
                store.set_analysis_settings(info.model_id, info.params.to_json())
                store.set_genres(list(info.tags))
            scan = scan_library(store, self.root, info.model_id, self.cancelled)
            summary = Summary(**{count.name: getattr(scan, count.name) for count in fields(ScanCounts)})
            if scan.cancelled:  # stopped while walking the folder: the store is as it was, its playlists too
                summary.interrupted = True
                return summary
            if mood is not None:
                fill_moods(store, mood)
            try:
                self._analyse(store, scan.to_analyse, info, mood, summary, started)
            except KeyboardInterrupt:
                summary.interrupted = True
            summary.interrupted = summary.interrupted or self.cancelled.is_set()
            if summary.interrupted:  # stop now: the playlists and co-listening (seconds of work) wait for the next run
                return summary
            # after the analysis, so that the tags of new songs can match their entries
            songs_changed = bool(scan.added or scan.moved or scan.removed or summary.analysed)
            summary.playlists_read, summary.playlist_problems = sync_playlists(store, scan.playlist_files,
                                                                               songs_changed)
            refresh_colistening(store)  # learns again only when the playlists (or plays) changed
        return summary

    def _analyse(self, store: LibraryStore, todo: list[tuple[int, str]], info, mood: MoodModel | None,
                 summary: Summary, started: float) -> None:
        if not todo:
            return
        from likewise.model.embedder import load_embedder

        # TensorFlow takes seconds to load: let the workers decode meanwhile, and embed once it is there.
        loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="likewise-model")
        loading = loader.submit(load_embedder, self.model_dir)
        pool = AnalysisPool(self.jobs, info.params, self.time_limit)
        ready: list[Prepared] = []
        failures: list[Failed] = []
        last_flush = time.monotonic()
        done = 0

        def flush() -> list[int]:
            """Embed and store what is waiting; the ids stored."""
            nonlocal last_flush
            results = self._embed(loading.result(), ready, info.tags, mood) if ready else []
            store.save_results(results, [(f.track_id, f.reason, f.fingerprint) for f in failures], info.model_id)
            saved = [track_id for track_id, _ in results] + [f.track_id for f in failures]
            summary.failed += len(failures)
            ready.clear()
            failures.clear()
            last_flush = time.monotonic()
            return saved

        def flush_if_due() -> list[int]:
            """Store once enough waits and the model is there (or too much waits); the ids stored."""
            pending_slices = sum(len(item.slices) for item in ready)
            due = pending_slices >= BATCH_SLICES or time.monotonic() - last_flush >= FLUSH_SECONDS
            if (ready or failures) and ((due and loading.done()) or len(ready) >= MAX_WAITING):
                return flush()
            return []

        def report(current: str, saved: list[int]) -> None:
            self.on_progress(Progress(done, len(todo), summary.failed + len(failures), time.monotonic() - started,
                                      current, saved, model_loading=not loading.done()))

        def idle() -> None:
            """While the workers are busy: store what waits once the model has loaded, so songs appear."""
            if saved := flush_if_due():
                report("", saved)

        tasks = ((track_id, str(self.root), relpath) for track_id, relpath in todo)
        relpaths = dict(todo)
        blas = threadpool_limits(1, user_api="blas")  # small products here; the workers already fill every core
        try:
            for result in pool.run(tasks, self.cancelled, idle):
                self._check_root(result, len(todo) - done)
                done += 1
                (ready if isinstance(result, Prepared) else failures).append(result)
                report(relpaths.get(result.track_id, ""), flush_if_due())  # every song counts on the bar
                if self.cancelled.is_set():
                    break
        finally:
            pool.close()
            if self.cancelled.is_set() and not loading.done():
                ready.clear()  # no waiting for the model to load: these songs stay waiting for the next run
            if ready or failures:
                report("", flush())
            loader.shutdown(wait=False)
            blas.restore_original_limits()
            summary.analysed = done - summary.failed

    def _check_root(self, result: Prepared | Failed, left: int) -> None:
        """Stop the run when a file vanished with the whole library folder: its songs are not failures."""
        if isinstance(result, Failed) and caused_by_environment(result.reason) and not self.root.is_dir():
            raise StoreError(f"the library folder {self.root} disappeared during the run (unplugged or renamed?): "
                             f"run `likewise index` again once it is back, for the {left} songs left")

    @staticmethod
    def _embed(embedder, ready: list[Prepared], tags: list[str], mood: MoodModel | None) -> list[tuple[int, Analysis]]:
        from likewise.model.info import describe_tags

        vectors, probabilities = embedder.embed(np.concatenate([item.slices for item in ready]))
        results = []
        offset = 0
        for item in ready:
            count = len(item.slices)
            song_probs = probabilities[offset : offset + count].mean(axis=0)
            song_vectors = vectors[offset : offset + count]
            plane = mood.estimate(song_probs, song_vectors.mean(axis=0))[0] if mood is not None else None
            results.append((item.track_id, Analysis(
                tags=item.tags, fingerprint=item.fingerprint, excerpt_start=item.excerpt_start,
                vectors=song_vectors, slice_starts=item.slice_starts, genre=describe_tags(song_probs, tags),
                genre_probs=song_probs, mood=None if plane is None else (float(plane[0]), float(plane[1])),
            )))
            offset += count
        return results
