"""Playlists in the library store: those found in the library folder (kept in step by every scan), those opened by
hand, and those likewise made; each entry matched to a song, or noted with why it matches none.

A store older than schema 5 (opened read-only) has no playlists: readers then see none.
"""
from __future__ import annotations

import errno
import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from likewise.audio.discover import FoundFile
from likewise.index.migrations import stored_version
from likewise.index.paths import decode_relpath, display_path, encode_relpath
from likewise.index.playlist_files import Entry, ParsedPlaylist, read_playlist
from likewise.index.playlist_match import LibrarySong, SongMatcher
from likewise.index.store import TRACK_COLUMNS, LibraryStore, Track
from likewise.index.text import printable

log = logging.getLogger("likewise")

PLAYLISTS_SCHEMA = 5  # the schema that added the playlist tables
PROBLEMS_LOGGED = 3  # per playlist: the rest are counted
PROBLEMS_KEPT = 100  # per playlist, in the store (a text file renamed .m3u can have a problem on every line)


@dataclass
class Playlist:
    """A stored playlist: where it is, who made it, how many of its entries are songs of the library, its problems."""

    id: int
    name: str
    path: Path | None  # absolute; None for one likewise made without writing it
    origin: str  # 'file' (found in the library folder or opened by hand) or 'likewise'
    entries: int
    songs: int  # entries matched to a song of the library
    problems: list[str]  # "line 7: not a path or URL", the unmatched entries' included


def has_playlists(store: LibraryStore) -> bool:
    """Whether the store has the playlist tables (a read-only older store has not)."""
    return stored_version(store.db) >= PLAYLISTS_SCHEMA


def library_songs(store: LibraryStore) -> list[LibrarySong]:
    """Every song of the store, as matching needs them."""
    rows = store.db.execute("SELECT id, path, title, artist, duration FROM tracks")
    return [LibrarySong(track_id, decode_relpath(path), title, artist, duration)
            for track_id, path, title, artist, duration in rows]


def _matcher(store: LibraryStore) -> SongMatcher:
    return SongMatcher(library_songs(store), store.library_root)


def _stored_path(store: LibraryStore, path: Path) -> bytes:
    """A playlist's stored path: relative to the library folder when inside it, else absolute."""
    path = Path(os.path.abspath(path))
    root = store.library_root
    for base in (root, root.resolve()):
        if path.is_relative_to(base):
            return encode_relpath(str(path.relative_to(base)))
    return encode_relpath(str(path))


def _absolute(store: LibraryStore, stored: bytes | None) -> Path | None:
    if stored is None:
        return None
    path = Path(decode_relpath(stored))
    return path if path.is_absolute() else store.library_root / path


def _folder(store: LibraryStore, stored: bytes | None) -> Path:
    """Where a stored playlist's relative locations start: its folder, or the library folder."""
    path = _absolute(store, stored)
    return path.parent if path is not None else store.library_root


def _save(store: LibraryStore, stored: bytes | None, parsed: ParsedPlaylist, origin: str,
          stat: os.stat_result | None, matches: list[tuple[int | None, str]]) -> int:
    """Insert or replace (by path) a playlist and its entries, in the caller's transaction; its id."""
    db = store.db
    size, mtime = (stat.st_size, stat.st_mtime) if stat is not None else (None, None)
    row = db.execute("SELECT id FROM playlists WHERE path = ?", (stored,)).fetchone() if stored is not None else None
    problems = parsed.problems[:PROBLEMS_KEPT]
    if len(parsed.problems) > PROBLEMS_KEPT:
        problems.append(f"and {len(parsed.problems) - PROBLEMS_KEPT} more problems")
    values = (parsed.name, size, mtime, time.time(), "\n".join(problems))
    if row is None:
        playlist_id = db.execute("INSERT INTO playlists (name, size, mtime, imported_at, problems, path, origin) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)", (*values, stored, origin)).lastrowid
    else:  # the origin stays: a playlist likewise wrote and the person then edited is still the one it made
        playlist_id = row[0]
        db.execute("UPDATE playlists SET name = ?, size = ?, mtime = ?, imported_at = ?, problems = ? WHERE id = ?",
                   (*values, playlist_id))
        db.execute("DELETE FROM playlist_entries WHERE playlist_id = ?", (playlist_id,))
    db.executemany("INSERT INTO playlist_entries (playlist_id, position, track_id, line, location, artist, title, "
                   "duration, unmatched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(playlist_id, position, track_id, entry.line or None, entry.location, entry.artist, entry.title,
                     entry.duration, reason or None)
                    for position, (entry, (track_id, reason)) in enumerate(zip(parsed.entries, matches))])
    return playlist_id


def _import(store: LibraryStore, path: Path, stored: bytes, matcher: SongMatcher) -> tuple[int, ParsedPlaylist]:
    """Read one playlist file and store it with its entries matched (one transaction). A playlist that reading or
    matching fails on is stored with that failure as its problem, so that it stops neither a scan nor an import."""
    stat = os.stat(path)
    try:
        parsed = read_playlist(path)
        matches = [matcher.match(entry, path.parent) for entry in parsed.entries]
    except (ValueError, LookupError) as error:  # what int(), urllib and the codecs raise on input they refuse
        parsed = ParsedPlaylist(printable(path.stem), problems=[f"cannot be read: {printable(error)}"])
        matches = []
    with store.transaction():
        playlist_id = _save(store, stored, parsed, "file", stat, matches)
    return playlist_id, parsed


def import_playlist(store: LibraryStore, path: Path) -> Playlist:
    """Read a playlist file opened by hand (anywhere) into the store, or read it again; a bad playlist is stored
    with its problems. OSError when the file cannot be found, or is not a file (a folder, a pipe, a device)."""
    path = Path(os.path.abspath(path))
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a playlist file (a folder, a pipe or a device)")
    playlist_id, _ = _import(store, path, _stored_path(store, path), _matcher(store))
    return playlist(store, playlist_id)


def save_made_playlist(store: LibraryStore, name: str, track_ids: list[int], path: Path | None) -> Playlist:
    """Record a playlist likewise made (a mix, a radio, a path) with its songs in order, and where it was written
    (None: nowhere). Call it after writing the file, so that a later scan finds that file unchanged."""
    tracks = store.tracks_by_id(list(track_ids))
    root = store.library_root
    parsed = ParsedPlaylist(name, [Entry(0, display_path(str(root / tracks[i].relpath)), tracks[i].artist,
                                         tracks[i].title, tracks[i].duration) for i in track_ids if i in tracks])
    stored = None if path is None else _stored_path(store, Path(path))
    stat = None if path is None else os.stat(path)
    with store.transaction():
        playlist_id = _save(store, stored, parsed, "likewise", stat, [(i, "") for i in track_ids if i in tracks])
    return playlist(store, playlist_id)


def sync_playlists(store: LibraryStore, found: list[FoundFile], songs_changed: bool = True) -> tuple[int, list[str]]:
    """After a scan of the library folder: read its new and changed playlists (by size and mtime), forget those
    gone, and (when songs were added, moved, removed or analysed) match again the entries that match no song.
    Returns (playlists read, their problems as 'name: line 7: ...'); a bad playlist is reported and stored with
    its problems, never raised."""
    if not has_playlists(store):
        return 0, []
    known = {decode_relpath(path): (size, mtime)
             for path, size, mtime in store.db.execute("SELECT path, size, mtime FROM playlists WHERE path IS NOT NULL")
             if not Path(decode_relpath(path)).is_absolute()}
    changed = [item for item in found if known.get(item.relpath) != (item.size, item.mtime)]
    gone = set(known) - {item.relpath for item in found}
    rematch = songs_changed and _has_unmatched(store)
    matcher = _matcher(store) if changed or rematch else None
    problems: list[str] = []
    for item in changed:
        try:
            _, parsed = _import(store, store.library_root / item.relpath, encode_relpath(item.relpath), matcher)
        except OSError as error:  # vanished since the walk: the next scan forgets it
            parsed = ParsedPlaylist(item.relpath, problems=[f"cannot be read: {error.strerror or error}"])
        problems += _report(item.relpath, parsed)
    if gone:
        with store.transaction():
            store.db.executemany("DELETE FROM playlists WHERE path = ?", [(encode_relpath(p),) for p in gone])
    if rematch:
        _match_again(store, matcher)
    return len(changed), problems


def _report(shown: str, parsed: ParsedPlaylist) -> list[str]:
    """A playlist's parse problems as lines naming it (control characters escaped), the first few logged."""
    lines = [f"{printable(shown)}: {problem}" for problem in parsed.problems]
    for line in lines[:PROBLEMS_LOGGED]:
        log.warning("playlist %s", line)
    if len(lines) > PROBLEMS_LOGGED:
        log.warning("playlist %s: %d more problems", printable(shown), len(lines) - PROBLEMS_LOGGED)
    return lines


def _has_unmatched(store: LibraryStore) -> bool:
    return store.db.execute("SELECT 1 FROM playlist_entries WHERE track_id IS NULL LIMIT 1").fetchone() is not None


def _match_again(store: LibraryStore, matcher: SongMatcher) -> None:
    """Match the entries that match no song (new songs may fit them, or their song was removed)."""
    rows = store.db.execute("SELECT e.playlist_id, e.position, e.line, e.location, e.artist, e.title, e.duration, "
                            "p.path FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id "
                            "WHERE e.track_id IS NULL").fetchall()
    updates = []
    for playlist_id, position, line, location, artist, title, duration, path in rows:
        track_id, reason = matcher.match(Entry(line or 0, location, artist, title, duration), _folder(store, path))
        updates.append((track_id, reason or None, playlist_id, position))
    with store.transaction():
        store.db.executemany("UPDATE playlist_entries SET track_id = ?, unmatched = ? "
                             "WHERE playlist_id = ? AND position = ?", updates)


def _problems(store: LibraryStore, playlist_id: int, stored: str) -> list[str]:
    """A playlist's parse problems, then its entries that match no song, by line."""
    problems = [line for line in stored.split("\n") if line]
    rows = store.db.execute("SELECT position, line, unmatched FROM playlist_entries WHERE playlist_id = ? AND "
                            "track_id IS NULL ORDER BY position", (playlist_id,))
    for position, line, reason in rows:
        where = f"line {line}" if line is not None else f"song {position + 1}"
        problems.append(f"{where}: {reason or 'its song was removed from the library'}")
    return problems


_PLAYLIST_QUERY = ("SELECT p.id, p.name, p.path, p.origin, p.problems, COUNT(e.position), COUNT(e.track_id) "
                   "FROM playlists p LEFT JOIN playlist_entries e ON e.playlist_id = p.id")


def _playlist(store: LibraryStore, row: tuple) -> Playlist:
    playlist_id, name, path, origin, problems, entries, songs = row
    return Playlist(playlist_id, name, _absolute(store, path), origin, entries, songs,
                    _problems(store, playlist_id, problems))


def playlist(store: LibraryStore, playlist_id: int) -> Playlist | None:
    """One stored playlist, or None."""
    if not has_playlists(store):
        return None
    row = store.db.execute(_PLAYLIST_QUERY + " WHERE p.id = ? GROUP BY p.id", (playlist_id,)).fetchone()
    return _playlist(store, row) if row else None


def list_playlists(store: LibraryStore) -> list[Playlist]:
    """Every stored playlist, by name."""
    if not has_playlists(store):
        return []
    rows = store.db.execute(_PLAYLIST_QUERY + " GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id").fetchall()
    return [_playlist(store, row) for row in rows]


def playlist_tracks(store: LibraryStore, playlist_id: int) -> list[Track]:
    """The songs of a playlist in order (a song listed twice comes twice); entries matching no song are left out."""
    if not has_playlists(store):
        return []
    columns = ", ".join(f"t.{column.strip()}" for column in TRACK_COLUMNS.split(","))
    rows = store.db.execute(f"SELECT {columns} FROM playlist_entries e JOIN tracks t ON t.id = e.track_id "
                            "WHERE e.playlist_id = ? ORDER BY e.position", (playlist_id,))
    return [Track.from_row(row) for row in rows]


def playlist_sequences(store: LibraryStore) -> list[list[int]]:
    """The person's playlists (not those likewise made: they follow the sound already, and learning from them
    would feed likewise's own guesses back as evidence) as their songs' track ids in order, entries matching no song
    dropped: what co-listening learns from."""
    if not has_playlists(store):
        return []
    sequences: dict[int, list[int]] = {}
    rows = store.db.execute("SELECT e.playlist_id, e.track_id FROM playlist_entries e JOIN playlists p "
                            "ON p.id = e.playlist_id WHERE e.track_id IS NOT NULL AND p.origin = 'file' "
                            "ORDER BY e.playlist_id, e.position")
    for playlist_id, track_id in rows:
        sequences.setdefault(playlist_id, []).append(track_id)
    return list(sequences.values())


def playlist_problems(store: LibraryStore) -> list[str]:
    """Every stored playlist's problems, as 'path: line 7: ...' (for `likewise info` and the app)."""
    return [f"{display_path(str(item.path or item.name))}: {problem}"
            for item in list_playlists(store) for problem in item.problems]
