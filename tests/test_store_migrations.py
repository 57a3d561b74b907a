"""Store migrations: every released schema's fixture store is upgraded, in place, keeping its data, with a copy
kept aside; read-only opening reads it as it stands; a failed migration changes nothing."""
from __future__ import annotations

import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from likewise.index import migrations
from likewise.index.migrations import SCHEMA_VERSION
from likewise.index.store import LibraryStore, StoreError

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "stores").glob("v*.sqlite"))


def _reader(db: Path) -> sqlite3.Connection:
    """A connection that reads `db` and makes no -wal or -shm beside it (the fixtures stay as committed)."""
    return sqlite3.connect(f"file:{db}?immutable=1", uri=True)


def _contents(db: Path) -> dict[str, list]:
    """What a store holds that a migration must keep: songs, failures, vectors and settings."""
    with closing(_reader(db)) as connection:
        return {
            "tracks": connection.execute("SELECT id, path, size, mtime, fingerprint, title, artist, status, reason, "
                                         "model_id, genre, genre_probs FROM tracks ORDER BY id").fetchall(),
            "slices": connection.execute("SELECT * FROM slices ORDER BY track_id").fetchall(),
            "meta": connection.execute("SELECT key, value FROM meta WHERE key NOT IN ('schema_version', 'store_id') "
                                       "ORDER BY key").fetchall(),
        }


def _stored_version(db: Path) -> int:
    with closing(_reader(db)) as connection:
        return int(connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])


def _schema(db: Path) -> set[str]:
    with closing(_reader(db)) as connection:
        return {row[0] for row in connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")}


@pytest.fixture(params=FIXTURES, ids=[fixture.stem for fixture in FIXTURES])
def old_store(request, tmp_path: Path) -> Path:
    """A copy of one released schema's fixture store."""
    return Path(shutil.copy(request.param, tmp_path / "library.sqlite"))


def test_every_released_schema_has_a_fixture() -> None:
    assert {_stored_version(fixture) for fixture in FIXTURES} == set(range(1, SCHEMA_VERSION))


def test_an_old_store_is_migrated_keeping_its_data_and_a_copy(old_store: Path) -> None:
    before, version = _contents(old_store), _stored_version(old_store)
    with LibraryStore(old_store) as store:
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert [track.status for track in store.tracks()] == ["ok", "ok", "failed"]
        assert store.all_slices()[0].shape == (6, 8)
        assert store.get_meta("store_id")
    assert _contents(old_store) == before
    aside = old_store.with_name(f"library.sqlite.before-v{version}")
    assert _contents(aside) == before and _stored_version(aside) == version


def test_a_migrated_store_has_the_schema_of_a_new_one(old_store: Path, tmp_path: Path) -> None:
    LibraryStore(old_store).close()
    fresh = tmp_path / "fresh.sqlite"
    LibraryStore(fresh, library_root=tmp_path, create=True).close()
    assert _schema(old_store) == _schema(fresh)


def test_a_store_id_is_kept_and_a_missing_one_is_made(old_store: Path) -> None:
    with closing(_reader(old_store)) as connection:
        had = connection.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    with LibraryStore(old_store) as store:
        made = store.get_meta("store_id")
    assert made == had[0] if had else re.fullmatch("[0-9a-f]{32}", made)


def test_read_only_opening_reads_an_old_store_as_it_stands(old_store: Path) -> None:
    original, version = old_store.read_bytes(), _stored_version(old_store)
    with LibraryStore(old_store, read_only=True) as store:
        assert store.get_meta("schema_version") == str(version)
        assert store.counts() == {"ok": 2, "pending": 0, "failed": 1}
        assert store.all_slices()[0].shape == (6, 8)
    assert old_store.read_bytes() == original
    assert not list(old_store.parent.glob("*.before-v*"))


def test_read_only_opening_of_a_store_too_old_to_read_says_to_index_once(old_store: Path, monkeypatch) -> None:
    monkeypatch.setattr("likewise.index.store.OLDEST_READABLE", SCHEMA_VERSION)
    version = _stored_version(old_store)
    with pytest.raises(StoreError, match=rf"older likewise \(schema {version}\).*run `likewise index` once to upgrade"):
        LibraryStore(old_store, read_only=True)


def test_a_failed_migration_changes_nothing(old_store: Path, monkeypatch) -> None:
    before, version = _contents(old_store), _stored_version(old_store)

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', '99')")
        raise sqlite3.OperationalError("disk I/O error")

    patched = list(migrations.MIGRATIONS)
    patched[version - 1] = half_done
    monkeypatch.setattr(migrations, "MIGRATIONS", patched)
    with pytest.raises(StoreError, match="disk I/O error"):
        LibraryStore(old_store)
    assert _contents(old_store) == before and _stored_version(old_store) == version


def test_the_copy_aside_never_overwrites_a_file(old_store: Path) -> None:
    before, mine = _contents(old_store), old_store.with_name(f"library.sqlite.before-v{_stored_version(old_store)}")
    mine.write_text("my notes")
    LibraryStore(old_store).close()
    assert mine.read_text() == "my notes"
    assert _contents(mine.with_name(f"{mine.name}-2")) == before
