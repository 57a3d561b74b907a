"""The play queue kept in the store (index/queue.py): saved and loaded, songs removed since, older stores."""
from __future__ import annotations

import shutil
from pathlib import Path

from likewise.index.queue import SavedQueue, load_queue, save_queue
from likewise.index.store import LibraryStore


def test_the_queue_survives_closing_the_store(demo_store_copy: Path) -> None:
    with LibraryStore(demo_store_copy) as store:
        ids = [track.id for track in store.tracks("ok")]
        assert load_queue(store) == SavedQueue()  # nothing saved yet: empty, autoplay on
        queue = SavedQueue([ids[4], ids[1], ids[4], ids[9]], current=2, autoplay=False)
        save_queue(store, queue)
    with LibraryStore(demo_store_copy, read_only=True) as store:
        assert load_queue(store) == queue
    with LibraryStore(demo_store_copy) as store:
        save_queue(store, SavedQueue([ids[0]], current=0))
        assert load_queue(store) == SavedQueue([ids[0]], current=0, autoplay=True)


def test_a_song_removed_from_the_library_leaves_the_queue_and_the_next_one_is_current(demo_store_copy: Path) -> None:
    with LibraryStore(demo_store_copy) as store:
        ids = [track.id for track in store.tracks("ok")]
        save_queue(store, SavedQueue([ids[0], ids[1], ids[2]], current=1))
        store.remove_tracks([ids[1]])
        assert load_queue(store) == SavedQueue([ids[0], ids[2]], current=1)
        store.remove_tracks([ids[2]])
        assert load_queue(store) == SavedQueue([ids[0]], current=-1)  # nothing after it: none current
        save_queue(store, SavedQueue([ids[0], ids[1], ids[3]], current=2))  # an id gone meanwhile is not saved
        assert load_queue(store) == SavedQueue([ids[0], ids[3]], current=1)


def test_a_damaged_current_position_means_none(demo_store_copy: Path) -> None:
    with LibraryStore(demo_store_copy) as store:
        ids = [track.id for track in store.tracks("ok")]
        save_queue(store, SavedQueue([ids[0], ids[1]], current=1))
        with store.transaction() as db:
            db.execute("UPDATE queue_state SET value = 'x' WHERE key = 'current'")
        assert load_queue(store) == SavedQueue([ids[0], ids[1]], current=-1)


def test_an_older_store_read_as_it_stands_has_an_empty_queue(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "stores" / "v3-2bafa02.sqlite"
    copy = shutil.copy(fixture, tmp_path / "old.sqlite")
    with LibraryStore(copy, read_only=True) as store:
        assert load_queue(store) == SavedQueue()
