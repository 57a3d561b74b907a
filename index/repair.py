"""`likewise repair`: salvage every row of a damaged store that still reads into a fresh store.

The damaged file is copied aside first and never deleted. Songs whose vectors are unreadable are kept as
pending, so the next `likewise index` analyses them again; rows that cannot be read at all are lost, and the
next `likewise index` finds their files again as new ones. The person's own rows (plays, the queue, playlists)
and the moods are kept with the songs they refer to; a playlist entry whose song was lost keeps its place and
is matched again.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from likewise.index.lock import IndexLock
from likewise.index.paths import display_path
from likewise.index.store import (APP_ID, LibraryStore, StoreError, describe_error, open_elsewhere, sqlite_uri,
                                  valid_vectors)

COLUMNS = ("id", "path", "size", "mtime", "fingerprint", "title", "artist", "album", "album_artist", "track_number",
           "year", "genre_tag", "duration", "status", "reason", "model_id", "excerpt_start", "genre", "genre_probs",
           "analysed_at")
TEXT = {"title", "artist", "album", "album_artist", "genre_tag"}
BESIDE_SONGS = ("moods", "plays", "queue", "queue_state", "playlists", "playlist_entries")  # referenced ones first
ID_SCANS = (  # several ways to reach the rows, so one damaged b-tree page does not hide the rest
    "SELECT id FROM tracks", "SELECT id FROM tracks ORDER BY id DESC", "SELECT track_id FROM slices",
    "SELECT id FROM tracks INDEXED BY tracks_status WHERE status IN ('ok', 'pending', 'failed')",
    "SELECT id FROM tracks INDEXED BY tracks_fingerprint WHERE fingerprint IS NOT NULL",
)


@dataclass
class RepairReport:
    """What a repair kept and lost."""

    problems: list[str]  # what integrity_check and the vector checks found; empty for a healthy store
    kept: int = 0  # songs kept with their analysis (or their failure)
    reanalyse: int = 0  # songs kept, marked pending: their vectors were unreadable
    lost: int = 0  # songs that could not be read
    beside: int = 0  # rows of plays, the queue, playlists and moods kept
    beside_lost: int = 0  # such rows that could be read but refer to a song (or playlist) that was lost
    aside: Path | None = None  # the damaged store, copied aside

    def line(self) -> str:
        """One line for the user."""
        if not self.problems:
            return "the store is healthy: nothing to repair"
        return (f"repaired ({self.problems[0]}): kept {self.kept} songs, {self.reanalyse} to analyse again and "
                f"{self.lost} unreadable rows lost (`likewise index` re-analyses them), and {self.beside} rows of "
                f"plays, queue, playlists and moods ({self.beside_lost} lost with their songs); the damaged store is "
                f"kept at {display_path(str(self.aside))}")


def _rows(source: sqlite3.Connection, sql: str, args: tuple = ()) -> list[tuple]:
    """The rows a query returns before it meets damage."""
    rows: list[tuple] = []
    try:
        for row in source.execute(sql, args):
            rows.append(row)
    except sqlite3.DatabaseError:
        pass
    return rows


def _integrity(source: sqlite3.Connection) -> list[str]:
    problems = [row[0] for row in _rows(source, "PRAGMA integrity_check(20)")]
    return [] if problems == ["ok"] else problems or ["integrity_check cannot run"]


def _clean_track(row: tuple) -> tuple | None:
    """A track row fit for the fresh store, or None when its identity (id, path) is unreadable."""
    values = dict(zip(COLUMNS, row))
    if not isinstance(values["id"], int) or not isinstance(values["path"], (bytes, str)) or not values["path"]:
        return None
    for name in TEXT:
        values[name] = values[name] if isinstance(values[name], str) else ""
    for name in ("size", "mtime"):
        values[name] = values[name] if isinstance(values[name], (int, float)) else -1
    if values["status"] not in ("ok", "pending", "failed"):
        values["status"] = "pending"
    return tuple(values[name] for name in COLUMNS)


def _salvage(source: sqlite3.Connection, target: LibraryStore, report: RepairReport) -> None:
    ids = sorted({row[0] for sql in ID_SCANS for row in _rows(source, sql) if isinstance(row[0], int)})
    report.lost = len(ids)
    with target.transaction():
        for track_id in ids:
            found = _rows(source, f"SELECT {', '.join(COLUMNS)} FROM tracks WHERE id = ?", (track_id,))
            row = _clean_track(found[0]) if found else None
            if row is None:
                continue
            values = dict(zip(COLUMNS, row))
            slices = _rows(source, "SELECT count, dim, vectors, starts FROM slices WHERE track_id = ?", (track_id,))
            good = values["status"] == "ok" and slices and valid_vectors(*slices[0]) is not None
            if values["status"] == "ok" and not good:
                values["status"] = "pending"
                report.reanalyse += 1
            cursor = target.db.execute(f"INSERT OR IGNORE INTO tracks ({', '.join(COLUMNS)}) VALUES "
                                       f"({', '.join('?' * len(COLUMNS))})", tuple(values.values()))
            if cursor.rowcount and good:
                target.db.execute("INSERT INTO slices (track_id, count, dim, vectors, starts) VALUES (?, ?, ?, ?, ?)",
                                  (track_id, *slices[0]))
            report.kept += cursor.rowcount
        report.lost -= report.kept


def _salvage_beside(source: sqlite3.Connection, target: LibraryStore, report: RepairReport) -> None:
    """The rows of the tables beside the songs (those the source's schema has), read by rowid both ways so that
    one damaged page hides as little as it can. A row that refers to a song not kept is lost, but a playlist
    entry, which keeps its place with its song's path and tags for matching again."""
    with target.transaction():
        for table in BESIDE_SONGS:
            columns = [row[1] for row in target.db.execute(f"PRAGMA table_info({table})")]
            listed = ", ".join(columns)
            rows = {row[0]: row[1:] for order in ("", " DESC")
                    for row in _rows(source, f"SELECT rowid, {listed} FROM {table} ORDER BY rowid{order}")}
            insert = f"INSERT OR IGNORE INTO {table} ({listed}) VALUES ({', '.join('?' * len(columns))})"
            for rowid in sorted(rows):
                values = dict(zip(columns, rows[rowid]))
                kept = _insert(target, insert, values)
                if not kept and table == "playlist_entries":
                    values.update(track_id=None, unmatched="its song was lost when the store was repaired")
                    kept = _insert(target, insert, values)
                report.beside += kept
                report.beside_lost += not kept


def _insert(target: LibraryStore, insert: str, values: dict) -> bool:
    """Whether the row went in (False when what it refers to, or a value it needs, was lost)."""
    try:
        return target.db.execute(insert, tuple(values.values())).rowcount == 1
    except sqlite3.IntegrityError:
        return False


def _bad_vectors(source: sqlite3.Connection) -> int:
    rows = _rows(source, "SELECT s.count, s.dim, s.vectors, s.starts FROM slices s JOIN tracks t ON t.id = s.track_id "
                         "WHERE t.status = 'ok'")
    return sum(valid_vectors(*row) is None for row in rows)


def repair_store(db: Path) -> RepairReport:
    """Check `db`; if it is damaged, salvage it into a fresh store swapped in atomically. StoreError if nothing
    of it can be salvaged."""
    db = Path(db)
    if not db.is_file():
        raise StoreError(f"no library store at {display_path(str(db))}")
    fresh = db.with_name(f".{db.name}.{os.getpid()}.repaired")
    with IndexLock(db):
        try:
            with closing(sqlite3.connect(sqlite_uri(db, "mode=ro"), uri=True, isolation_level=None)) as source:
                report = _salvage_into(source, db, fresh)
            if report.problems:
                report.aside = _swap_in(db, fresh)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(describe_error(error, db)) from error
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    return report


def _salvage_into(source: sqlite3.Connection, db: Path, fresh: Path) -> RepairReport:
    """The report of what is wrong with `source`; when something is, its readable rows are copied into `fresh`."""
    report = RepairReport(_integrity(source))
    bad = _bad_vectors(source)
    if bad:
        report.problems.append(f"{bad} songs with damaged vectors")
    if not report.problems:
        return report
    meta = {key: value for key, value in _rows(source, "SELECT key, value FROM meta") if isinstance(key, str)}
    if meta.get("app") != APP_ID or not meta.get("library_root"):
        raise StoreError(f"nothing of {display_path(str(db))} can be salvaged ({report.problems[0]}): move it "
                         "aside and run `likewise index FOLDER` to analyse the library again")
    generation = meta.get("generation")
    meta["generation"] = str(int(generation) + 1 if isinstance(generation, str) and generation.isdigit()
                             else int(time.time()))  # caches of the damaged store are never served
    with LibraryStore(fresh, library_root=Path("."), create=True) as target:
        with target.transaction():
            for key, value in meta.items():
                if key not in ("app", "schema_version"):
                    target.set_meta(key, value)
        _salvage(source, target, report)
        _salvage_beside(source, target, report)
    return report


def _swap_in(db: Path, fresh: Path) -> Path:
    """Copy the damaged store (and its -wal) aside, then put the fresh one in its place; returns the copy. StoreError
    when another program has the store open."""
    aside = db.with_name(f"{db.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.copyfile(db, aside)
    if Path(f"{db}-wal").exists() and Path(f"{db}-wal").stat().st_size:
        shutil.copyfile(f"{db}-wal", f"{aside}-wal")
    try:
        if open_elsewhere(db):  # asked last (the copies take seconds): the app would go on writing into it, lost
            raise StoreError(f"the store {display_path(str(db))} is open in another program (likewise desktop?): "
                             "close it, then run `likewise repair` again")
    except BaseException:  # that, or the question failed (a tool holds the store locked): no copy for nothing
        for made in (aside, Path(f"{aside}-wal")):
            made.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):  # SQLite's files of the old store (copied aside): they must not meet the new one
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, db)
    return aside
