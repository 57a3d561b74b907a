"""The person's listening, kept in the store (table `plays`, schema 4) and nowhere else.

The rule, applied once when a play ends (stopped, "next", or the song's end), to the seconds actually heard
(the time it played, not where it was left: a seek is not listening):
- a play **counts** once half the song, or 4 minutes of it, was heard;
- a play is a **skip** when it ends before 30 s were heard and does not count (a song shorter than a minute heard
  to its end counts; one moved to its end and hardly heard is a skip).
Plays survive re-analysis (they refer to the song, not its analysis) and go with the song when its file leaves
the library.
"""
from __future__ import annotations

import math
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from likewise.index.migrations import stored_version
from likewise.index.store import APP_ID, LibraryStore, StoreError, copies_aside, sqlite_uri

COUNT_FRACTION = 0.5  # a play counts after this fraction of the song...
COUNT_SECONDS = 240.0  # ... or after this many seconds of it
SKIP_SECONDS = 30.0  # a play that ends before this many seconds (and does not count) is a skip
SESSION_GAP = 30 * 60.0  # seconds between one play's end and the next play's start that end a listening session
PLAYS_SCHEMA = 4  # the first schema with the plays table
FORGOTTEN_KEY = "plays_forgotten"  # meta: a new random mark each time the listening history is erased


@dataclass(frozen=True)
class Play:
    """One recorded play."""

    track_id: int
    started_at: float  # unix time
    heard: float  # seconds heard
    fraction: float  # of the song, 0..1 (0 when its duration is unknown)
    counted: bool
    skipped: bool


def judge_play(track_id: int, started_at: float, heard_seconds: float, duration: float | None) -> Play:
    """The play as the rule sees it; ValueError for a time or length that is not a finite number >= 0."""
    if not all(math.isfinite(value) and value >= 0 for value in (started_at, heard_seconds)):
        raise ValueError(f"a play needs a start time and seconds heard >= 0, not {started_at!r}, {heard_seconds!r}")
    known = duration is not None and math.isfinite(duration) and duration > 0
    heard = min(heard_seconds, duration) if known else heard_seconds
    counted = heard >= COUNT_SECONDS or (known and heard >= COUNT_FRACTION * duration)
    return Play(track_id, started_at, heard, heard / duration if known else 0.0, counted,
                skipped=not counted and heard < SKIP_SECONDS)


def record_play(store: LibraryStore, track_id: int, started_at: float, heard_seconds: float,
                duration: float | None) -> Play:
    """Record that `track_id` was played from `started_at` (unix time) for `heard_seconds` of its `duration`
    seconds, counted and skipped as the rule says. StoreError for a song not in the store or a store that cannot
    be written; ValueError for a negative or non-finite time."""
    play = judge_play(track_id, started_at, heard_seconds, duration)
    if store.track(track_id) is None:
        raise StoreError(f"no song with id {track_id} in the library store")
    with store.transaction():
        store.db.execute("INSERT INTO plays (track_id, started_at, heard, fraction, counted, skipped) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (play.track_id, play.started_at, play.heard, play.fraction, int(play.counted),
                          int(play.skipped)))
    return play


def has_plays_table(store: LibraryStore) -> bool:
    """Whether the store has the plays table (a store read without migrating may be older)."""
    return stored_version(store.db) >= PLAYS_SCHEMA


def play_counts(store: LibraryStore) -> dict[int, tuple[int, float]]:
    """track id -> (plays that counted, when the last of them started, unix time), for songs with a counted play."""
    if not has_plays_table(store):
        return {}
    rows = store.db.execute("SELECT track_id, COUNT(*), MAX(started_at) FROM plays WHERE counted = 1 "
                            "GROUP BY track_id")
    return {track_id: (count, last) for track_id, count, last in rows}


def listening_sessions(store: LibraryStore, gap: float = SESSION_GAP) -> list[list[int]]:
    """The songs heard one after another, as sessions in the order played: a session ends when the next play starts
    more than `gap` seconds after the end of the one before. Skips are left out, and a song repeated right after
    itself appears once. Sessions of one song are kept (they say nothing of co-listening; callers may drop them)."""
    if not has_plays_table(store):
        return []
    sessions: list[list[int]] = []
    previous_end = -math.inf
    for track_id, started_at, heard in store.db.execute(
            "SELECT track_id, started_at, heard FROM plays WHERE skipped = 0 ORDER BY started_at, id"):
        if started_at - previous_end > gap:
            sessions.append([])
        if not sessions[-1] or sessions[-1][-1] != track_id:
            sessions[-1].append(track_id)
        previous_end = max(previous_end, started_at + heard)
    return sessions


def count_plays(store: LibraryStore) -> int:
    """How many plays the listening history holds, skips and all."""
    return store.db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] if has_plays_table(store) else 0


def plays_stamp(store: LibraryStore) -> tuple:
    """What changes whenever a play is recorded or erased (forgotten, or gone with its song), without reading the
    plays (6 ms for 100,000): their count, the last one's id, and the mark of the last erasing (after which the ids
    start again)."""
    if not has_plays_table(store):
        return ()
    count, last = store.db.execute("SELECT COUNT(*), MAX(id) FROM plays").fetchone()
    return count, last, store.get_meta(FORGOTTEN_KEY)


@dataclass
class Forgotten:
    """What forget_plays erased, and where plays are left."""

    erased: int  # plays erased from the store
    kept_in: list[Path]  # copies likewise set aside beside the store whose plays could not be erased (damaged)


def forget_plays(store: LibraryStore) -> Forgotten:
    """Erase the listening history: every play, then what was learnt from it (the co-listening vectors, which
    playlists alone may build again), and the plays in the copies of the store likewise set aside beside it. StoreError
    when the store cannot be written or the file not removed."""
    from likewise.index.colisten import discard_colistening  # colisten learns from plays: it imports this module

    erased = 0
    if has_plays_table(store):
        store.db.execute("PRAGMA secure_delete = ON")  # the freed pages are zeroed, not left readable in the file
        try:
            with store.transaction():
                erased = store.db.execute("DELETE FROM plays").rowcount
                store.set_meta(FORGOTTEN_KEY, secrets.token_hex(8))
        finally:
            store.db.execute("PRAGMA secure_delete = OFF")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the old pages leave the write-ahead log
    discard_colistening(store)
    kept_in = []
    for copy in copies_aside(store.path):
        try:
            _erase_plays_of_copy(copy)
        except (sqlite3.Error, OSError):
            kept_in.append(copy)
    return Forgotten(erased, kept_in)


def _erase_plays_of_copy(path: Path) -> None:
    """Erase the plays of a copy of a likewise store, its pages zeroed; a file that is not one is left alone.
    sqlite3.Error or OSError when the copy cannot be read or written."""
    with closing(sqlite3.connect(sqlite_uri(path, "mode=rw"), uri=True, isolation_level=None)) as copy:
        tables = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "plays"} <= tables or copy.execute(
                "SELECT value FROM meta WHERE key = 'app'").fetchone() != (APP_ID,):
            return
        copy.execute("PRAGMA secure_delete = ON")
        copy.execute("DELETE FROM plays")
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
