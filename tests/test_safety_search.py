"""The search cache holds only data: no code runs from it, a stale or foreign one is never served, and a FIFO or a
link in its place neither hangs a query nor gets written through."""
from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import numpy as np

from likewise.index.search import build_index, cache_path, load_index
from likewise.index.store import LibraryStore
from tests.corpus import synthetic_store


class _Payload:
    """A pickle that, when loaded, creates a file: the proof that loading the cache ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_crafted_pickle_beside_the_store_runs_nothing(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    marker = tmp_path / "pwned"
    for version in range(10):  # whatever cache version the reader expects
        cache_path(db).write_bytes(pickle.dumps((version, _Payload(marker))))
        with LibraryStore(db) as store:
            assert load_index(store).size == 24
        assert not marker.exists(), "loading the search cache executed code from disk"


def test_a_store_rebuilt_to_the_same_generation_does_not_reuse_the_old_cache(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path, songs=6)
    with LibraryStore(db) as store:
        old = load_index(store)
    saved_cache = cache_path(db).read_bytes()
    for sibling in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), cache_path(db)):
        sibling.unlink(missing_ok=True)
    synthetic_store(db, tmp_path, songs=6, dim=8)  # another library, same generation and model id
    cache_path(db).write_bytes(saved_cache)  # e.g. a cache left beside a store that was deleted and rebuilt
    with LibraryStore(db) as store:
        assert store.generation == old.generation
        index = load_index(store)
        assert index.vectors.shape[1] == 8 and np.array_equal(index.vectors, build_index(store).vectors)


def test_a_cache_whose_vectors_were_altered_is_not_served(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    with LibraryStore(db) as store:
        truth = load_index(store).vectors.copy()
    with np.load(cache_path(db), allow_pickle=False) as cached:
        arrays = dict(cached)
    arrays["vectors"] = arrays["vectors"][::-1].copy()
    with open(cache_path(db), "wb") as handle:
        np.savez(handle, **arrays)
    with LibraryStore(db) as store:
        assert np.array_equal(load_index(store).vectors, truth)


def test_a_fifo_in_place_of_the_cache_does_not_hang(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    os.mkfifo(cache_path(db))
    sizes: list[int] = []

    def query() -> None:
        with LibraryStore(db) as store:
            sizes.append(load_index(store).size)

    worker = threading.Thread(target=query, daemon=True)
    worker.start()
    worker.join(timeout=20)
    hung = worker.is_alive()
    if hung:  # release the reader blocked in open() so the test process can end
        os.close(os.open(cache_path(db), os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
    assert not hung, "load_index blocked on a FIFO named like the cache"
    assert sizes == [24]


def test_a_link_in_place_of_the_cache_is_not_written_through(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    cache_path(db).symlink_to(victim)
    with LibraryStore(db) as store:
        assert load_index(store).size == 24
    assert victim.read_text() == "keep me"


def test_a_valid_cache_is_served_without_reading_the_store_vectors(tmp_path: Path) -> None:
    """The cache still saves work: a current one is loaded, not rebuilt (the store's vectors are not read)."""
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    with LibraryStore(db) as store:
        built = load_index(store)
    before = cache_path(db).stat().st_mtime_ns
    with LibraryStore(db) as store:
        store.all_slices = None  # reading the vectors again would fail
        loaded = load_index(store)
    assert np.array_equal(loaded.vectors, built.vectors) and np.array_equal(loaded.song_ids, built.song_ids)
    assert cache_path(db).stat().st_mtime_ns == before
