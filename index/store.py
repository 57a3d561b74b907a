"""The library store: one SQLite file (WAL) holding tracks, their slice vectors and the analysis settings.

The store is the single source of truth; the nearest-neighbour tree is a cache derived from it.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from index.paths import decode_relpath, display_path, encode_relpath

SCHEMA_VERSION = 1
APP_ID = "likewise-library"
SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tracks (
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    fingerprint TEXT,
    title TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    album_artist TEXT NOT NULL DEFAULT '',
    track_number INTEGER,
    year INTEGER,
    genre_tag TEXT NOT NULL DEFAULT '',
    duration REAL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'failed')),
    reason TEXT,
    model_id TEXT,
    excerpt_start REAL,
    genre TEXT,
    genre_probs BLOB,
    analysed_at REAL
);
CREATE INDEX tracks_fingerprint ON tracks (fingerprint);
CREATE INDEX tracks_status ON tracks (status);
CREATE TABLE slices (
    track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
    count INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    vectors BLOB NOT NULL,
    starts BLOB NOT NULL
);
"""

TRACK_COLUMNS = (
    "id, path, size, mtime, fingerprint, title, artist, album, album_artist, track_number, year, "
    "genre_tag, duration, status, reason, model_id, excerpt_start, genre"
)


def format_duration(seconds: float | None) -> str:
    """m:ss (or h:mm:ss), empty when unknown."""
    if seconds is None or seconds < 0:
        return ""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StoreError(Exception):
    """A store that cannot be used; the message says why and what to do."""


@dataclass
class Track:
    """One song of the library as the store knows it."""

    id: int
    relpath: str
    size: int
    mtime: float
    fingerprint: str | None
    title: str
    artist: str
    album: str
    album_artist: str
    track_number: int | None
    year: int | None
    genre_tag: str
    duration: float | None
    status: str
    reason: str | None
    model_id: str | None
    excerpt_start: float | None
    genre: str | None

    @property
    def display_title(self) -> str:
        """The title to show: the tag, else the file name."""
        return self.title or os.path.basename(display_path(self.relpath))

    @property
    def label(self) -> str:
        """'Artist - Title', or just the title."""
        return f"{self.artist} - {self.display_title}" if self.artist else self.display_title

    @classmethod
    def from_row(cls, row: tuple) -> "Track":
        """Build from a row selected with TRACK_COLUMNS."""
        values = list(row)
        values[1] = decode_relpath(values[1])
        return cls(*values)


@dataclass
class Analysis:
    """What the pipeline learnt about one file."""

    tags: dict  # audio.tags.Tags.as_dict()
    fingerprint: str
    excerpt_start: float
    vectors: np.ndarray  # (n_slices, dim) float32, L2-normalised
    slice_starts: np.ndarray  # (n_slices,) seconds from the start of the song
    genre: str
    genre_probs: np.ndarray  # (n_genres,) float32, mean over slices


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a library store")
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a likewise library store (not an SQLite database); refusing to touch it")


class LibraryStore:
    """Open (or create) a library store. Use one object per thread."""

    def __init__(self, path: Path, library_root: Path | None = None, create: bool = False, timeout: float = 30.0):
        self.path = Path(path)
        _check_file(self.path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"no library store at {self.path}: run `likewise index FOLDER` first")
        if not exists:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if exists:
                self._check_schema()  # before any pragma that writes: a file that is not ours stays byte-identical
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            if not exists:
                if library_root is None:
                    raise StoreError("a new store needs its library folder")
                self._create(Path(library_root))
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path} is damaged or not a likewise store ({error}); refusing to overwrite it") from error

    # --- schema -----------------------------------------------------------------------------------------------

    def _create(self, root: Path) -> None:
        with self.transaction():
            for statement in filter(str.strip, SCHEMA.split(";")):
                self.db.execute(statement)
            now = str(time.time())
            for key, value in {
                "app": APP_ID,
                "schema_version": str(SCHEMA_VERSION),
                "library_root": str(root.expanduser().resolve()),
                "generation": "0",
                "created_at": now,
                "store_id": secrets.token_hex(16),  # tells this store's search cache from another's
            }.items():
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _check_schema(self) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise StoreError(f"{self.path} is an SQLite database but not a likewise library store; refusing to touch it")
        if self.get_meta("app") != APP_ID:
            raise StoreError(f"{self.path} is not a likewise library store; refusing to touch it")
        version = int(self.get_meta("schema_version") or 0)
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer likewise (schema {version}); please upgrade likewise")
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has an old schema ({version}); delete it and run `likewise index` again to rebuild it"
            )

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> "LibraryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside lands, or nothing does."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- metadata ---------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A metadata value, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a metadata value (inside or outside a transaction)."""
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def library_root(self) -> Path:
        """The music folder this store describes."""
        return Path(self.get_meta("library_root") or ".")

    @property
    def generation(self) -> int:
        """Counter bumped by every change to the slice vectors; caches compare against it."""
        return int(self.get_meta("generation") or 0)

    def _bump_generation(self) -> None:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def analysis_settings(self) -> tuple[str | None, str | None]:
        """(model id, feature parameters JSON) the stored vectors were made with."""
        return self.get_meta("model_id"), self.get_meta("feature_params")

    def set_analysis_settings(self, model_id: str, feature_params_json: str) -> None:
        """Record the model and feature parameters new analyses use."""
        with self.transaction():
            self.set_meta("model_id", model_id)
            self.set_meta("feature_params", feature_params_json)

    def set_genres(self, genres: list[str]) -> None:
        """Record the model's genre labels (the order of genre_probs)."""
        with self.transaction():
            self.set_meta("genres", json.dumps(genres))

    def genres(self) -> list[str]:
        """The model's genre labels, in the order of genre_probs."""
        return json.loads(self.get_meta("genres") or "[]")

    # --- tracks -----------------------------------------------------------------------------------------------

    def track_states(self) -> dict[str, tuple[int, int, float, str | None, str, str | None]]:
        """relpath -> (id, size, mtime, fingerprint, status, model_id) for every track: what a scan diffs against."""
        rows = self.db.execute("SELECT path, id, size, mtime, fingerprint, status, model_id FROM tracks")
        return {decode_relpath(row[0]): tuple(row[1:]) for row in rows}

    def add_pending(self, files: list[tuple[str, int, float, str]]) -> list[int]:
        """Insert new files (relpath, size, mtime, title guess) waiting for analysis; returns their ids."""
        ids = []
        with self.transaction():
            for relpath, size, mtime, title in files:
                cursor = self.db.execute(
                    "INSERT INTO tracks (path, size, mtime, title, status) VALUES (?, ?, ?, ?, 'pending')",
                    (encode_relpath(relpath), size, mtime, title),
                )
                ids.append(cursor.lastrowid)
        return ids

    def mark_pending(self, track_ids: list[int], sizes_mtimes: list[tuple[int, float]] | None = None) -> None:
        """Queue tracks for re-analysis (changed file or changed model); their old vectors stay until replaced."""
        with self.transaction():
            for position, track_id in enumerate(track_ids):
                if sizes_mtimes:
                    size, mtime = sizes_mtimes[position]
                    self.db.execute(
                        "UPDATE tracks SET status = 'pending', size = ?, mtime = ? WHERE id = ?", (size, mtime, track_id)
                    )
                else:
                    self.db.execute("UPDATE tracks SET status = 'pending' WHERE id = ?", (track_id,))

    def move_track(self, track_id: int, relpath: str, size: int, mtime: float) -> None:
        """A file moved or renamed: keep its analysis under the new path."""
        with self.transaction():
            self.db.execute(
                "UPDATE tracks SET path = ?, size = ?, mtime = ? WHERE id = ?",
                (encode_relpath(relpath), size, mtime, track_id),
            )

    def remove_tracks(self, track_ids: list[int]) -> None:
        """Forget tracks whose files vanished (their vectors go with them)."""
        if not track_ids:
            return
        with self.transaction():
            self.db.executemany("DELETE FROM tracks WHERE id = ?", [(track_id,) for track_id in track_ids])
            self._bump_generation()

    def save_results(
        self, done: list[tuple[int, Analysis]], failed: list[tuple[int, str, str | None]], model_id: str
    ) -> None:
        """Store a batch of analyses and failures (track id, reason, fingerprint) in one transaction."""
        now = time.time()
        with self.transaction():
            for track_id, result in done:
                tags = result.tags
                self.db.execute(
                    "UPDATE tracks SET fingerprint = ?, title = ?, artist = ?, album = ?, album_artist = ?, "
                    "track_number = ?, year = ?, genre_tag = ?, duration = ?, status = 'ok', reason = NULL, "
                    "model_id = ?, excerpt_start = ?, genre = ?, genre_probs = ?, analysed_at = ? WHERE id = ?",
                    (
                        result.fingerprint, tags["title"], tags["artist"], tags["album"], tags["album_artist"],
                        tags["track_number"], tags["year"], tags["genre"], tags["duration"], model_id,
                        result.excerpt_start, result.genre, np.asarray(result.genre_probs, np.float32).tobytes(),
                        now, track_id,
                    ),
                )
                vectors = np.ascontiguousarray(result.vectors, dtype=np.float32)
                self.db.execute(
                    "INSERT OR REPLACE INTO slices (track_id, count, dim, vectors, starts) VALUES (?, ?, ?, ?, ?)",
                    (track_id, vectors.shape[0], vectors.shape[1], vectors.tobytes(),
                     np.asarray(result.slice_starts, np.float32).tobytes()),
                )
            for track_id, reason, fingerprint in failed:
                self.db.execute(
                    "UPDATE tracks SET status = 'failed', reason = ?, fingerprint = COALESCE(?, fingerprint), "
                    "model_id = ?, analysed_at = ? WHERE id = ?",
                    (reason, fingerprint, model_id, now, track_id),
                )
                self.db.execute("DELETE FROM slices WHERE track_id = ?", (track_id,))
            self._bump_generation()

    def tracks(self, status: str | None = None) -> list[Track]:
        """All tracks (optionally of one status), in path order."""
        query = f"SELECT {TRACK_COLUMNS} FROM tracks"
        args: tuple = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        return [Track.from_row(row) for row in self.db.execute(query + " ORDER BY path", args)]

    def track(self, track_id: int) -> Track | None:
        """One track by id."""
        row = self.db.execute(f"SELECT {TRACK_COLUMNS} FROM tracks WHERE id = ?", (track_id,)).fetchone()
        return Track.from_row(row) if row else None

    def tracks_by_id(self, track_ids: list[int]) -> dict[int, Track]:
        """Several tracks by id."""
        found: dict[int, Track] = {}
        for start in range(0, len(track_ids), 500):
            chunk = list(track_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT {TRACK_COLUMNS} FROM tracks WHERE id IN ({marks})", chunk):
                track = Track.from_row(row)
                found[track.id] = track
        return found

    def track_by_path(self, relpath: str) -> Track | None:
        """One track by its path relative to the library root."""
        row = self.db.execute(
            f"SELECT {TRACK_COLUMNS} FROM tracks WHERE path = ?", (encode_relpath(relpath),)
        ).fetchone()
        return Track.from_row(row) if row else None

    def search(self, text: str) -> list[Track]:
        """Analysed tracks whose 'artist title' or file name contains every word of `text` (case-insensitive)."""
        words = text.lower().split()
        if not words:
            return []
        like = "LIKE ? ESCAPE '\\'"
        clause = f"(lower(artist || ' ' || title || ' ' || album) {like} OR lower(CAST(path AS TEXT)) {like})"
        clauses = " AND ".join([clause] * len(words))
        args: list = []
        for word in words:  # % and _ are searched for, not wildcards
            literal = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args += [f"%{literal}%", f"%{literal}%"]
        rows = self.db.execute(f"SELECT {TRACK_COLUMNS} FROM tracks WHERE status = 'ok' AND {clauses} ORDER BY path", args)
        return [Track.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of tracks per status."""
        counts = {"ok": 0, "pending": 0, "failed": 0}
        for status, count in self.db.execute("SELECT status, COUNT(*) FROM tracks GROUP BY status"):
            counts[status] = count
        return counts

    def genre_probs(self, track_id: int) -> np.ndarray | None:
        """Mean genre probabilities of an analysed track."""
        row = self.db.execute("SELECT genre_probs FROM tracks WHERE id = ?", (track_id,)).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row and row[0] else None

    # --- slice vectors ----------------------------------------------------------------------------------------

    def slices_of(self, track_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(vectors (n, dim), start seconds (n,)) of one track; empty if it has none."""
        row = self.db.execute("SELECT count, dim, vectors, starts FROM slices WHERE track_id = ?", (track_id,)).fetchone()
        if not row:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
        count, dim, vectors, starts = row
        return np.frombuffer(vectors, np.float32).reshape(count, dim), np.frombuffer(starts, np.float32)

    def all_slices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored slice: (vectors (N, dim) float32, owning track ids (N,), slice index within track (N,))."""
        vectors, owners, positions = [], [], []
        query = "SELECT s.track_id, s.count, s.dim, s.vectors FROM slices s JOIN tracks t ON t.id = s.track_id"
        for track_id, count, dim, blob in self.db.execute(query + " WHERE t.status = 'ok' ORDER BY s.track_id"):
            vectors.append(np.frombuffer(blob, np.float32).reshape(count, dim))
            owners.append(np.full(count, track_id, np.int64))
            positions.append(np.arange(count, dtype=np.int32))
        if not vectors:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(vectors), np.concatenate(owners), np.concatenate(positions)

    def integrity_ok(self) -> bool:
        """True when SQLite's integrity check passes."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def disk_size(self) -> int:
        """Bytes on disk of the store and its WAL files."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(str(self.path) + suffix)
            if candidate.exists():
                total += candidate.stat().st_size
        return total
