"""Store and cache versioning: old, new, corrupt and foreign store files are refused untouched; bad caches rebuilt."""
from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from tests.corpus import one_line_error, run_likewise, synthetic_store
from likewise.index.pipeline import open_store_for
from likewise.index.store import LibraryStore, StoreError
from likewise.index.search import CACHE_VERSION, SearchIndex, _cache_key, _read_cache, cache_path, load_index


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A closed, checkpointed store of six analysed songs (no -wal file left)."""
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    assert not Path(str(db) + "-wal").exists()
    return db


def _set_meta(db: Path, key: str, value: str) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    connection.close()


def _assert_refused(db: Path, root: Path, message: str) -> None:
    """Opening for reading, for indexing and through the CLI all refuse `db` with `message`; its bytes stay."""
    before = db.read_bytes()
    with pytest.raises(StoreError, match=message):
        LibraryStore(db)
    with pytest.raises(StoreError, match=message):
        open_store_for(root, db)
    assert re.search(message, one_line_error(["info", "--db", str(db)], root / "data"))
    assert db.read_bytes() == before, "a refused store file must never be modified"
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0


@pytest.mark.parametrize("version", ["0", "-1", "two"])
def test_a_schema_no_likewise_wrote_is_refused(store_file: Path, version: str) -> None:
    _set_meta(store_file, "schema_version", version)
    _assert_refused(store_file, store_file.parent, rf"unknown schema \({version}\)")


def test_newer_schema_is_refused_with_an_upgrade_message(store_file: Path) -> None:
    _set_meta(store_file, "schema_version", "99")
    _assert_refused(store_file, store_file.parent, r"newer likewise \(schema 99\).*upgrade")


@pytest.mark.parametrize("content", [
    np.random.default_rng(0).bytes(50_000),
    b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(5000),
    b"just some notes, not a database\n" * 100,
], ids=["random-bytes", "jpeg", "text"])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "library.sqlite"
    db.write_bytes(content)
    _assert_refused(db, tmp_path, "not a likewise library store")


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "contacts.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE people (name TEXT, phone TEXT)")
        connection.execute("INSERT INTO people VALUES ('Ada', '555-0100')")
    connection.close()
    _assert_refused(db, tmp_path, "SQLite database but not a likewise library store")


def test_a_likewise_lookalike_with_another_app_id_is_refused(store_file: Path) -> None:
    _set_meta(store_file, "app", "some-other-app")
    _assert_refused(store_file, store_file.parent, "not a likewise library store")


def _table_page(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        page = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    connection.close()
    return page


@pytest.mark.parametrize("damage", ["garbage-pages", "truncated", "tracks-page"])
def test_a_damaged_store_gives_a_one_line_error_not_a_traceback(store_file: Path, damage: str) -> None:
    page_size = 4096
    tracks_page = _table_page(store_file, "tracks")
    data = bytearray(store_file.read_bytes())
    assert len(data) >= 4 * page_size
    if damage == "truncated":
        data = data[: len(data) // 2 + 100]
    elif damage == "garbage-pages":
        data[page_size:] = np.random.default_rng(1).bytes(len(data) - page_size)  # keep page 1: header and schema
    else:  # only the tracks table: the store opens and its metadata reads fine
        start = (tracks_page - 1) * page_size
        data[start : start + page_size] = np.random.default_rng(2).bytes(page_size)
    store_file.write_bytes(bytes(data))
    before = store_file.read_bytes()
    commands = [["similar", "Song 1"]]  # searches the tracks table row by row
    if damage != "tracks-page":  # these two are answered from intact indexes when only the table page is hit
        commands += [["info"], ["index", "--failures"]]
    for command in commands:
        assert "damaged" in one_line_error([*command, "--db", str(store_file)], store_file.parent / "data")
    assert store_file.read_bytes() == before


def test_a_folder_given_as_the_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        LibraryStore(tmp_path, library_root=tmp_path, create=True)


def test_a_named_pipe_where_the_store_goes_is_refused_at_once(tmp_path: Path) -> None:
    """Reading it would wait for a writer for ever (and replacing it, as an empty file is, would remove what likewise
    did not make)."""
    import os

    from tests.corpus import make_songs

    pipe = tmp_path / "library.sqlite"
    os.mkfifo(pipe)
    make_songs(tmp_path / "music", 1)
    finished = run_likewise(["index", str(tmp_path / "music"), "--db", str(pipe)], tmp_path / "data", timeout=60)
    assert finished.returncode == 1 and "Traceback" not in finished.stderr, finished.stderr
    assert "is not a file" in finished.stderr.splitlines()[-1], finished.stderr
    assert pipe.is_fifo()


def test_a_store_restored_from_a_copy_is_never_served_the_search_cache_of_the_store_it_replaced(
        tmp_path: Path) -> None:
    """The copy and the store it was made from each gain a song of their own: the same number of changes, so the
    same generation, and SQLite gives both new songs the same id."""
    import shutil

    from likewise.audio.tags import Tags
    from likewise.index.search import build_index
    from likewise.index.store import Analysis

    def add_song(db: Path, name: str, seed: int) -> int:
        vectors = np.random.default_rng(seed).standard_normal((4, 16)).astype(np.float32)
        with LibraryStore(db, writing=True) as store:
            [track_id] = store.add_pending([(name, 1, 1.0, name)])
            store.save_results([(track_id, Analysis(Tags(title=name).as_dict(), name, 0.0, vectors / np.linalg.norm(
                vectors, axis=1, keepdims=True), np.arange(4) * 3.0, "rock", np.array([0.5, 0.5], np.float32)))],
                [], "synthetic-model")
        return track_id

    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path, songs=6)
    shutil.copy(db, tmp_path / "backup.sqlite")
    first = add_song(db, "G.mp3", 1)
    with LibraryStore(db) as store:
        load_index(store)  # cached beside the store
    shutil.copy(tmp_path / "backup.sqlite", db)  # restored
    assert add_song(db, "H.mp3", 2) == first
    with LibraryStore(db) as store:
        served, truth = load_index(store), build_index(store)
        assert np.array_equal(served.vectors, truth.vectors)


def _cached_generation(db: Path) -> int:
    with LibraryStore(db) as store:
        cached = _read_cache(cache_path(db), _cache_key(store))
    assert cached is not None, "load_index must leave a valid cache behind"
    return cached.generation


def _npz(**arrays: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("bad_cache", [
    b"",
    b"PK\x03\x04garbage that is not an npz",
    _npz(key=np.array(f"[{CACHE_VERSION + 1}]"), digest=np.array("")),
    _npz(key=np.array("[]"), vectors=np.array([{"not": "plain data"}], dtype=object)),
], ids=["empty", "corrupt", "other-version", "objects"])
def test_a_corrupt_tree_cache_is_rebuilt(store_file: Path, bad_cache: bytes) -> None:
    cache_path(store_file).write_bytes(bad_cache)
    with LibraryStore(store_file) as store:
        tree = load_index(store)
        assert isinstance(tree, SearchIndex) and tree.size == 6 * 4 and tree.generation == store.generation
        assert _cached_generation(store_file) == store.generation


def test_a_truncated_tree_cache_is_rebuilt(store_file: Path) -> None:
    with LibraryStore(store_file) as store:
        load_index(store)
    whole = cache_path(store_file).read_bytes()
    cache_path(store_file).write_bytes(whole[: len(whole) // 2])
    with LibraryStore(store_file) as store:
        assert load_index(store).size == 24
        assert cache_path(store_file).read_bytes() != whole[: len(whole) // 2]


def test_a_stale_tree_cache_is_rebuilt_after_the_store_changed(store_file: Path) -> None:
    with LibraryStore(store_file) as store:
        assert load_index(store).size == 24
        old_generation = store.generation
        store.remove_tracks([store.tracks()[0].id])
        assert store.generation > old_generation
        tree = load_index(store)
        assert tree.size == 20 and tree.generation == store.generation
        assert _cached_generation(store_file) == store.generation
