"""Forward-only store migrations: MIGRATIONS[N - 1] takes a store from schema N to N + 1.

A new store is made with schema 1 (store.SCHEMA) and every migration, so the two never disagree. An older store
is copied aside (`<store>.before-v<N>`), then upgraded one migration per transaction (LibraryStore does this
when it opens a store for writing), each recording its new version; a failure leaves the store at the last
version reached. Adding a table (plays, playlists, mood) is one
function appended here plus a fixture store of the schema before it (tests/fixtures/make_stores.py).
"""
from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable

Migration = Callable[[sqlite3.Connection], None]


def _add_store_id(db: sqlite3.Connection) -> None:
    """1 → 2: stores made before the search cache (fbf8418) have no store_id, which tells their caches apart."""
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)", (secrets.token_hex(16),))


def _add_moods(db: sqlite3.Connection) -> None:
    """2 → 3: each analysed song's valence and arousal (model/mood.py); `likewise index` fills them in."""
    db.execute("CREATE TABLE moods (track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE, "
               "valence REAL NOT NULL, arousal REAL NOT NULL)")


def _add_plays_and_queue(db: sqlite3.Connection) -> None:
    """3 → 4: the person's listening (index/plays.py) and the app's play queue (index/queue.py)."""
    for statement in (  # one by one: executescript would commit the caller's transaction first
            "CREATE TABLE plays (id INTEGER PRIMARY KEY, "
            "track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE, started_at REAL NOT NULL, "
            "heard REAL NOT NULL, fraction REAL NOT NULL, counted INTEGER NOT NULL, skipped INTEGER NOT NULL)",
            "CREATE INDEX plays_track ON plays (track_id)",
            "CREATE INDEX plays_started ON plays (started_at)",
            "CREATE TABLE queue (position INTEGER PRIMARY KEY, "
            "track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE)",
            "CREATE TABLE queue_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"):
        db.execute(statement)


def _add_playlists(db: sqlite3.Connection) -> None:
    """4 → 5: playlists found in the library folder, opened by hand or made by likewise (index/playlist_store.py).
    A playlist's path is relative to the library folder when it lies inside it (the scan keeps those in step),
    absolute otherwise, NULL for one never written; each entry keeps its location and tags as written, so that it
    can be matched again when the library changes, and why it matches no song (NULL once it does)."""
    for statement in (
            "CREATE TABLE playlists (id INTEGER PRIMARY KEY, name TEXT NOT NULL, path BLOB UNIQUE, "
            "origin TEXT NOT NULL CHECK (origin IN ('file', 'likewise')), size INTEGER, mtime REAL, "
            "imported_at REAL NOT NULL, problems TEXT NOT NULL DEFAULT '')",
            "CREATE TABLE playlist_entries ("
            "playlist_id INTEGER NOT NULL REFERENCES playlists (id) ON DELETE CASCADE, position INTEGER NOT NULL, "
            "track_id INTEGER REFERENCES tracks (id) ON DELETE SET NULL, line INTEGER, location TEXT NOT NULL, "
            "artist TEXT NOT NULL, title TEXT NOT NULL, duration REAL, unmatched TEXT, "
            "PRIMARY KEY (playlist_id, position))",
            "CREATE INDEX playlist_entries_track ON playlist_entries (track_id)"):
        db.execute(statement)


MIGRATIONS: list[Migration] = [_add_store_id, _add_moods, _add_plays_and_queue, _add_playlists]
SCHEMA_VERSION = 1 + len(MIGRATIONS)
OLDEST_READABLE = 1  # the oldest schema read-only commands read as it stands; raise it when readers need a migration


def stored_version(db: sqlite3.Connection) -> int:
    """The store's schema version; 0 when it holds none or not a positive number."""
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row and isinstance(row[0], str) and row[0].isdigit() else 0


def apply(db: sqlite3.Connection, version: int) -> None:
    """Run the migration from `version` and record `version + 1`, inside the caller's transaction."""
    MIGRATIONS[version - 1](db)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),))


def copy_aside(source: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the store read on `source` (a consistent snapshot, -wal included) to `<store>.before-v<version>`, or
    `-2`, `-3`... when that name is taken: a file already there is never written."""
    number = 1
    while True:
        target = path.with_name(f"{path.name}.before-v{version}" + (f"-{number}" if number > 1 else ""))
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
            break
        except FileExistsError:
            number += 1
    with closing(sqlite3.connect(target)) as copy:  # one transaction: a crash leaves it empty, never half made
        source.backup(copy)
    return target
