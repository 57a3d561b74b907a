"""The library store: one SQLite file (WAL) holding tracks, their slice vectors and the analysis settings.

The store is the single source of truth; the nearest-neighbour tree is a cache derived from it.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import re
import secrets
import sqlite3
import stat
import time
import urllib.parse
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from likewise.audio.errors import LikewiseError
from likewise.index.migrations import OLDEST_READABLE, SCHEMA_VERSION, apply, copy_aside, stored_version
from likewise.index.paths import decode_relpath, display_path, encode_relpath, os_error_reason, stored_path
from likewise.index.text import printable

log = logging.getLogger("likewise")

APP_ID = "likewise-library"
SQLITE_HEADER = b"SQLite format 3\x00"
LEFT_OUT_KEY = "left_out"  # meta: JSON list of [relpath, size, mtime] of the files removed from the library by hand

# Schema 1, as first released: index/migrations.py takes new stores and older ones on to SCHEMA_VERSION.
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


class StoreError(LikewiseError):
    """A store that cannot be used; the message says why and what to do."""


def _disk_full(path: Path) -> bool:
    """Whether the drive of the store at `path` has (next to) no room left: SQLite reports a write that found the
    disk full as a disk I/O error when it happens in the journal or the -wal/-shm files."""
    try:
        stats = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no such folder, or no statvfs (Windows)
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def describe_error(error: BaseException, path: Path | str | None) -> str:
    """One line for an SQLite or OS error met on the store at `path`: only real damage is called damage."""
    where = display_path(str(path)) if path is not None else "the library store"
    text = " ".join(str(error).split())  # some SQLite reports span lines
    if isinstance(error, OSError):
        return f"cannot use {where}: {os_error_reason(error, Path(str(path or '.')))}"
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and path is not None and _disk_full(Path(path))):
        return (f"the disk is full (writing {where}): free some space and run `likewise index` again; "
                "the store is kept, and the run resumes where it stopped")
    if code == sqlite3.SQLITE_READONLY:
        return f"{where} cannot be written (a read-only store or folder); reading commands still work"
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return f"{where} is busy (another likewise is writing it): try again in a moment"
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_PERM):
        return f"cannot read or write {where} ({text}): is its drive still there?"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or type(error) is sqlite3.DatabaseError:
        repair = "`likewise repair`" if path is None else f"`likewise repair --db {where}`"
        return (f"the library store {where} is damaged ({text}): run {repair} to save what it holds "
                "(deleting it and indexing again is the last resort)")
    return f"cannot use {where}: {text}"


def valid_vectors(count: object, dim: object, vectors: object, starts: object) -> tuple[np.ndarray, np.ndarray] | None:
    """(vectors (count, dim), starts (count,)) of a slices row, or None if the row is damaged: blobs of the
    wrong size, NaN or inf, or vectors that are not unit length (they are stored L2-normalised)."""
    if not (isinstance(count, int) and isinstance(dim, int) and 0 < count < 1 << 20 and 0 < dim < 1 << 16):
        return None
    if not (isinstance(vectors, bytes) and isinstance(starts, bytes)):
        return None
    if len(vectors) != count * dim * 4 or len(starts) != count * 4:
        return None
    matrix = np.frombuffer(vectors, np.float32).reshape(count, dim)
    times = np.frombuffer(starts, np.float32)
    with np.errstate(all="ignore"):
        if not (np.isfinite(matrix).all() and np.isfinite(times).all()):
            return None
        if not np.allclose(np.linalg.norm(matrix, axis=1), 1.0, rtol=0.0, atol=1e-5):
            return None
    return matrix, times


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
    mood: tuple[float, float] | None = None  # (valence, arousal) in [-1, 1], None without a mood model


def _check_file(path: Path) -> None:
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a library store")
    if not stat.S_ISREG(path.stat().st_mode):  # a named pipe would make the read below wait for ever
        raise StoreError(f"{path} is not a file (a named pipe or a device?), so not a library store; refusing to "
                         "touch it")
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a likewise library store (not an SQLite database); refusing to touch it")


def sqlite_uri(path: Path, mode: str) -> str:
    """An SQLite URI for a local file (any bytes in its name) with `mode` ('mode=ro' or 'immutable=1')."""
    return f"file:{urllib.parse.quote(os.fsencode(os.path.abspath(path)))}?{mode}"


TEMPORARY_SUFFIXES = ("", "-journal", "-wal", "-shm")  # a temporary store and SQLite's files beside it


def copies_aside(db: Path) -> list[Path]:
    """The copies of the store that likewise set aside beside it, by the names it gives them: before each upgrade
    (`<store>.before-vN`, or `-2`, `-3`... after it: migrations.copy_aside) and when `likewise repair` replaced a
    damaged one (`<store>.damaged-YYYYmmdd-HHMMSS`); not SQLite's files beside them, nor a file of the person's."""
    db = Path(db)
    ours = re.compile(re.escape(db.name) + r"\.(before-v\d+(-\d+)?|damaged-\d{8}-\d{6})")
    return sorted(path for path in db.parent.glob(glob.escape(db.name) + ".*")
                  if ours.fullmatch(path.name) and path.is_file() and not path.is_symlink())


def open_elsewhere(db: Path) -> bool:
    """Whether another program that can write into the store has it open (to be asked while this one has not): the
    last connection to close removes SQLite's -wal and -shm files beside it (after writing the -wal back into the
    store), so they outlast ours only while another is open. Works on a damaged store too (it reads only the
    header). A store file this user cannot write is never open for writing by this user's programs."""
    beside = [Path(f"{db}{suffix}") for suffix in ("-wal", "-shm")]
    if not any(path.exists() for path in beside):  # a store open in WAL mode always has them
        return False
    if not os.access(db, os.W_OK):  # (not a descriptor of our own: closing one would drop SQLite's locks on it)
        return False  # a connection could not remove them either
    with closing(sqlite3.connect(sqlite_uri(db, "mode=rw"), uri=True)) as connection:
        connection.execute("PRAGMA schema_version").fetchone()
    return any(path.exists() for path in beside)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _remove_dead_temporaries(path: Path) -> None:
    """Remove the temporary stores (and their journals) that runs killed while creating `path` left beside it: only
    files named as likewise names them, and only when the process that named them is gone."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.new(-journal|-wal|-shm)?")
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.new*"):
        match = pattern.fullmatch(candidate.name)
        if match and not _process_alive(int(match.group(1))):
            candidate.unlink(missing_ok=True)


def _create_file(path: Path, root: Path) -> None:
    """Make a new, complete store at `path` atomically: built in a temporary file beside it, then linked into
    place, so a crash never leaves a half-made store there. A store that appears there meanwhile is kept."""
    _remove_dead_temporaries(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        with closing(sqlite3.connect(temporary, isolation_level=None)) as connection:
            # A rollback journal, not WAL, until it is in place: COMMIT has then written the file itself (or
            # failed, on a full disk), and no -wal holds part of it. Opening it for writing turns WAL on.
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("BEGIN")
            for statement in filter(str.strip, SCHEMA.split(";")):
                connection.execute(statement)
            meta = {"app": APP_ID, "schema_version": "1", "library_root": stored_path(root),
                    "generation": "0", "created_at": str(time.time())}
            connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            for version in range(1, SCHEMA_VERSION):
                apply(connection, version)
            connection.execute("COMMIT")
        _link_into_place(temporary, path)
    finally:
        for suffix in TEMPORARY_SUFFIXES:
            Path(str(temporary) + suffix).unlink(missing_ok=True)


def _link_into_place(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        if path.stat().st_size == 0:  # an empty file holds nothing to keep
            os.replace(temporary, path)
    except OSError:  # a file system without hard links (FAT, some network drives)
        if not path.exists():
            os.rename(temporary, path)


class LibraryStore:
    """Open (or create) a library store. Use one object per thread.

    `read_only` opens it for reading only (falling back to an immutable view when no -wal/-shm can be made
    beside it); `create` and `writing` start a write session, which first checks that the store can be written
    and that its structure is sound.
    """

    def __init__(self, path: Path, library_root: Path | None = None, create: bool = False, timeout: float = 30.0,
                 read_only: bool = False, writing: bool = False):
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"no library store at {display_path(str(self.path))}: run `likewise index FOLDER` first")
        if not exists and library_root is None:
            raise StoreError("a new store needs its library folder")
        self._new_stats: dict[int, tuple[int, float]] = {}
        try:
            _check_file(self.path)
            if not exists:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _create_file(self.path, Path(library_root).expanduser().resolve())
            self.db = self._connect(read_only, timeout)
            try:
                self._check_schema(read_only)  # before any pragma that writes: a file not ours stays byte-identical
                if not read_only:
                    self.db.execute("PRAGMA journal_mode = WAL")
                    self.db.execute("PRAGMA synchronous = NORMAL")
                    self.db.execute("PRAGMA foreign_keys = ON")
                outdated = not read_only and stored_version(self.db) < SCHEMA_VERSION
                if (create or writing or outdated) and exists:
                    self._check_writable()
                if outdated:
                    self._upgrade(timeout)
            except BaseException:
                self.db.close()
                raise
        except (sqlite3.Error, OSError) as error:
            raise StoreError(describe_error(error, self.path)) from error

    def _connect(self, read_only: bool, timeout: float) -> sqlite3.Connection:
        options: dict = dict(timeout=timeout, isolation_level=None, check_same_thread=False)
        if not read_only:
            db = sqlite3.connect(self.path, **options)
        else:
            db = sqlite3.connect(sqlite_uri(self.path, "mode=ro"), uri=True, **options)
            try:
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:  # a WAL store whose -shm cannot be made: read it as it stands
                db.close()
                db = sqlite3.connect(sqlite_uri(self.path, "immutable=1"), uri=True, **options)
        db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        return db

    def _check_writable(self) -> None:
        """Before a write session: the store can be written, and its structure is sound (a cheap quick_check)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:  # a write that changes nothing: SQLITE_READONLY here for a read-only store or folder
            self.db.execute("UPDATE meta SET value = value WHERE key = 'app'")
        finally:
            self.db.execute("ROLLBACK")
        problem = self.db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {problem}")

    # --- schema -----------------------------------------------------------------------------------------------

    def _check_schema(self, read_only: bool) -> None:
        """Refuse what this likewise cannot use: another file, a newer schema, or (`read_only`) one too old."""
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise StoreError(f"{self.path} is an SQLite database but not a likewise library store; refusing to touch it")
        if self.get_meta("app") != APP_ID:
            raise StoreError(f"{self.path} is not a likewise library store; refusing to touch it")
        version = stored_version(self.db)
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} was written by a newer likewise (schema {version}); please upgrade likewise")
        if version < 1:
            raise StoreError(f"{self.path} has an unknown schema ({self.get_meta('schema_version')}), which no "
                             "likewise wrote; refusing to touch it")
        if read_only and version < OLDEST_READABLE:
            raise StoreError(f"{self.path} was written by an older likewise (schema {version}): run `likewise index` "
                             "once to upgrade it (a copy of it is kept beside it)")

    def _upgrade(self, timeout: float) -> None:
        """Bring an older store to SCHEMA_VERSION: copy it aside, then one transaction per migration."""
        version = stored_version(self.db)
        with closing(self._connect(True, timeout)) as snapshot:
            copy_aside(snapshot, self.path, version)
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                if stored_version(self.db) == step:  # else another likewise made this step meanwhile
                    apply(self.db, step)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> "LibraryStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside lands, or nothing does. A full disk or a read-only store is a
        StoreError that says so; the store keeps what was committed before."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise StoreError(describe_error(error, self.path)) from error

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
        return Path(decode_relpath(self.get_meta("library_root") or "."))

    def move_library(self, old_root: Path, new_root: Path) -> None:
        """Re-root the store: the library moved from `old_root` to `new_root`. Paths are stored relative to the
        root, so every analysis is kept. StoreError if the store is not the one of `old_root`."""
        old = Path(os.path.abspath(Path(old_root).expanduser()))
        if self.library_root not in (old, old.resolve()):
            raise StoreError(f"{display_path(str(self.path))} is the store of {display_path(str(self.library_root))}, "
                             f"not of {display_path(str(old))} (given with --moved-from)")
        with self.transaction():
            self.set_meta("library_root", stored_path(new_root))

    @property
    def generation(self) -> int:
        """Counter bumped by every change to the slice vectors; caches compare against it."""
        return int(self.get_meta("generation") or 0)

    @property
    def contents_id(self) -> str:
        """A random id of the slice vectors as they are now, drawn anew with each generation: unlike the generation,
        it differs between a store and a copy of it that each changed as often since they parted (a backup
        restored, say); '' until the first change."""
        return self.get_meta("contents_id") or ""

    def _bump_generation(self) -> None:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        self.set_meta("contents_id", secrets.token_hex(8))

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
        """The model's genre labels, in the order of genre_probs ([] when unknown or damaged)."""
        try:
            names = json.loads(self.get_meta("genres") or "[]")
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            return []
        return names if isinstance(names, list) and all(isinstance(name, str) for name in names) else []

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

    def mark_pending(self, track_ids: list[int]) -> None:
        """Queue tracks for re-analysis (changed model, damaged vectors): they leave search until re-analysed."""
        with self.transaction():
            self.db.executemany("UPDATE tracks SET status = 'pending' WHERE id = ?", [(i,) for i in track_ids])

    def note_changed(self, track_ids: list[int], sizes_mtimes: list[tuple[int, float]]) -> None:
        """Files changed on disk: their rows, old analysis included, stay as they are (and keep being served)
        until save_results stores the new analysis with these sizes and mtimes, in the same transaction. Until
        then the stored size and mtime still differ from the file's, so an interrupted run queues them again."""
        self._new_stats.update(zip(track_ids, sizes_mtimes))

    def retry_failed(self, track_ids: list[int]) -> None:
        """Queue failed tracks for another try: the next indexing run analyses them again."""
        with self.transaction():
            self.db.executemany(
                "UPDATE tracks SET status = 'pending', reason = NULL WHERE id = ? AND status = 'failed'",
                [(track_id,) for track_id in track_ids],
            )

    def leave_out(self, track_ids: list[int]) -> None:
        """Remove tracks from the library and keep later scans from adding their files again, until a file
        changes (another size or time) and may be worth a try. The files themselves are never touched."""
        rows = self.tracks_by_id(track_ids).values()
        left_out = self.left_out()
        left_out.update({track.relpath: (track.size, track.mtime) for track in rows})
        with self.transaction():
            self._set_left_out(left_out)
            self.db.executemany("DELETE FROM tracks WHERE id = ?", [(track.id,) for track in rows])
            self._bump_generation()

    def let_back(self, relpaths: list[str]) -> None:
        """Forget that these files were removed by hand: they changed, and are part of the library again."""
        back = set(relpaths)
        with self.transaction():
            self._set_left_out({path: stat for path, stat in self.left_out().items() if path not in back})

    def _set_left_out(self, left_out: dict[str, tuple[int, float]]) -> None:
        self.set_meta(LEFT_OUT_KEY, json.dumps(sorted([path, *stat] for path, stat in left_out.items())))

    def left_out(self) -> dict[str, tuple[int, float]]:
        """relpath -> (size, mtime) of the files removed from the library by hand (see `leave_out`)."""
        try:
            entries = json.loads(self.get_meta(LEFT_OUT_KEY) or "[]")
            return {str(path): (int(size), float(mtime)) for path, size, mtime in entries}
        except (ValueError, TypeError):  # a damaged list leaves nothing out rather than stopping every scan
            return {}

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
                self.db.execute("DELETE FROM moods WHERE track_id = ?", (track_id,))
                if result.mood is not None:
                    self.db.execute("INSERT INTO moods (track_id, valence, arousal) VALUES (?, ?, ?)",
                                    (track_id, *map(float, result.mood)))
            for track_id, reason, fingerprint in failed:
                self.db.execute(
                    "UPDATE tracks SET status = 'failed', reason = ?, fingerprint = COALESCE(?, fingerprint), "
                    "model_id = ?, analysed_at = ? WHERE id = ?",
                    (reason, fingerprint, model_id, now, track_id),
                )
                self.db.execute("DELETE FROM slices WHERE track_id = ?", (track_id,))
                self.db.execute("DELETE FROM moods WHERE track_id = ?", (track_id,))
            for track_id in [track_id for track_id, _ in done] + [track_id for track_id, _, _ in failed]:
                if track_id in self._new_stats:
                    self.db.execute("UPDATE tracks SET size = ?, mtime = ? WHERE id = ?",
                                    (*self._new_stats[track_id], track_id))
            self._bump_generation()
        for track_id in [track_id for track_id, _ in done] + [track_id for track_id, _, _ in failed]:
            self._new_stats.pop(track_id, None)

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

    def search(self, text: str, status: str | None = "ok") -> list[Track]:
        """Tracks of `status` (analysed by default, all if None) whose 'artist title album' or file name contains
        every word of `text` (case-insensitive)."""
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
        if status:
            clauses += " AND status = ?"
            args.append(status)
        rows = self.db.execute(f"SELECT {TRACK_COLUMNS} FROM tracks WHERE {clauses} ORDER BY path", args)
        return [Track.from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of tracks per status."""
        counts = {"ok": 0, "pending": 0, "failed": 0}
        for status, count in self.db.execute("SELECT status, COUNT(*) FROM tracks GROUP BY status"):
            counts[status] = count
        return counts

    def genre_probs(self, track_id: int) -> np.ndarray | None:
        """Mean genre probabilities of an analysed track (None when unknown or damaged)."""
        row = self.db.execute("SELECT genre_probs FROM tracks WHERE id = ?", (track_id,)).fetchone()
        if not row or not isinstance(row[0], bytes) or not row[0] or len(row[0]) % 4:
            return None
        probs = np.frombuffer(row[0], dtype=np.float32)
        return probs if np.isfinite(probs).all() else None

    # --- moods ----------------------------------------------------------------------------------------------

    def moods(self) -> dict[int, tuple[float, float]]:
        """track id -> (valence, arousal) of every analysed song that has them (none in a store before schema 3)."""
        if stored_version(self.db) < 3:
            return {}
        rows = self.db.execute("SELECT m.track_id, m.valence, m.arousal FROM moods m JOIN tracks t "
                               "ON t.id = m.track_id WHERE t.status = 'ok'")
        return {track_id: (valence, arousal) for track_id, valence, arousal in rows}

    def set_moods(self, moods: dict[int, tuple[float, float]]) -> None:
        """Store the moods of analysed songs (computed again from their stored analysis)."""
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO moods (track_id, valence, arousal) VALUES (?, ?, ?)",
                                [(track_id, float(v), float(a)) for track_id, (v, a) in moods.items()])

    # --- slice vectors ----------------------------------------------------------------------------------------

    def slices_of(self, track_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(vectors (n, dim), start seconds (n,)) of one track; empty if it has none."""
        row = self.db.execute("SELECT count, dim, vectors, starts FROM slices WHERE track_id = ?", (track_id,)).fetchone()
        checked = valid_vectors(*row) if row else None
        if checked is None:
            if row:
                self._warn_damaged(track_id)
            return np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
        return checked

    def slice_starts(self, track_id: int) -> np.ndarray:
        """The start seconds (n,) of one track's slices (empty if it has none, or they are damaged), without
        reading its vectors: what a result's matching moments need."""
        row = self.db.execute("SELECT count, starts FROM slices WHERE track_id = ?", (track_id,)).fetchone()
        if not row or not isinstance(row[0], int) or not isinstance(row[1], bytes) or len(row[1]) != 4 * row[0]:
            return np.zeros(0, np.float32)
        starts = np.frombuffer(row[1], np.float32)
        return starts if np.isfinite(starts).all() else np.zeros(0, np.float32)

    def all_slices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored slice: (vectors (N, dim) float32, owning track ids (N,), slice index within track (N,))."""
        vectors, owners, positions = [], [], []
        query = "SELECT s.track_id, s.count, s.dim, s.vectors, s.starts FROM slices s JOIN tracks t ON t.id = s.track_id"
        for track_id, *row in self.db.execute(query + " WHERE t.status = 'ok' ORDER BY s.track_id"):
            checked = valid_vectors(*row)
            if checked is None or (vectors and checked[0].shape[1] != vectors[0].shape[1]):
                self._warn_damaged(track_id)
                continue
            vectors.append(checked[0])
            owners.append(np.full(len(checked[0]), track_id, np.int64))
            positions.append(np.arange(len(checked[0]), dtype=np.int32))
        if not vectors:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int32)
        return np.concatenate(vectors), np.concatenate(owners), np.concatenate(positions)

    def _warn_damaged(self, track_id: int) -> None:
        track = self.track(track_id)
        name = printable(track.relpath) if track else f"song {track_id}"
        log.warning("skipping %s: its analysis in the store is damaged (`likewise repair --db %s` re-analyses it)",
                    name, printable(self.path))

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
