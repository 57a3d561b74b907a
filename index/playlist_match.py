"""Matching playlist entries to library songs, tolerantly: the exact path under the library folder, then the longest
trailing run of path components (a moved library, another drive letter, other case), then the tags."""
from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

from likewise.index.playlist_files import Entry, entry_path
from likewise.index.text import printable

DURATION_SLACK = 3.0  # seconds: a playlist's duration that tells apart songs with the same tags
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class LibrarySong:
    """What matching knows of a song: its id, path relative to the library folder, tags and duration."""

    id: int
    relpath: str
    title: str
    artist: str
    duration: float | None


def tag_key(text: str) -> str:
    """Tags compared loosely: Unicode-normalised, case-folded, punctuation and spacing ignored."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _parts(path: str) -> list[str]:
    """Components of a '/'-separated path, `.` and `..` resolved."""
    return [part for part in posixpath.normpath(path).split("/") if part and part != ".."]


class SongMatcher:
    """The songs of one library, indexed once for matching any number of playlist entries."""

    def __init__(self, songs: Iterable[LibrarySong], root: Path):
        root = Path(root)
        self.roots = {tuple(_parts(root.as_posix())), tuple(_parts(root.resolve().as_posix()))}
        self.songs = list(songs)
        self.by_path: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)  # file name -> (id, relpath)
        for song in self.songs:
            relpath = song.relpath.replace("\\", "/")
            self.by_path[relpath] = song.id
            self.by_name[relpath.rpartition("/")[2].casefold()].append((song.id, relpath))

    @cached_property
    def by_tags(self) -> dict[tuple[str, str], list[LibrarySong]]:
        """(artist, title) keys -> songs; made when an entry first needs its tags."""
        found: dict[tuple[str, str], list[LibrarySong]] = defaultdict(list)
        for song in self.songs:
            if song.title:
                found[tag_key(song.artist), tag_key(song.title)].append(song)
        return found

    def match(self, entry: Entry, folder: Path | None) -> tuple[int | None, str]:
        """(song id, '') for an entry of a playlist in `folder` (its relative paths start there), or (None, why)."""
        by_path = self._by_path(self._entry_parts(entry.location, folder)) if entry.location else None
        if by_path is None or by_path[0] is None:  # not found by its path, or several songs fit it: the tags may tell
            by_tags = self._by_tags(entry)
            if by_tags is not None and by_tags[0] is not None:
                return by_tags
            by_path = by_path or by_tags
        if by_path is not None:
            return by_path
        shown = printable(entry.location[:120]) or printable(f"{entry.artist} - {entry.title}".strip(" -"))
        return None, f"no song of the library matches {shown}"

    @staticmethod
    def _entry_parts(location: str, folder: Path | None) -> list[str]:
        """The components of the file an entry names, relative paths taken from the playlist's folder."""
        parts, absolute = entry_path(location)
        if not absolute and folder is not None:
            return _parts(f"{Path(folder).absolute().as_posix()}/{'/'.join(parts)}")
        return _parts("/".join(parts))

    def _by_path(self, parts: list[str]) -> tuple[int | None, str] | None:
        for root in self.roots:
            if len(parts) > len(root) and tuple(parts[: len(root)]) == root:
                song = self.by_path.get("/".join(parts[len(root):]))
                if song is not None:
                    return song, ""
        if not parts:
            return None
        wanted = [part.casefold() for part in reversed(parts)]
        best, ids = 0, []
        for song, relpath in self.by_name.get(wanted[0], ()):
            reversed_parts = relpath.casefold().split("/")[::-1]
            run = 1
            while run < min(len(wanted), len(reversed_parts)) and wanted[run] == reversed_parts[run]:
                run += 1
            if run > best:
                best, ids = run, [song]
            elif run == best:
                ids.append(song)
        if len(ids) > 1:
            return None, f"{len(ids)} songs of the library end in {printable('/'.join(parts[-best:]))}"
        return (ids[0], "") if ids else None

    def _by_tags(self, entry: Entry) -> tuple[int | None, str] | None:
        if not entry.title:
            return None
        songs = self.by_tags.get((tag_key(entry.artist), tag_key(entry.title)), [])
        if len(songs) > 1 and entry.duration is not None:
            songs = [song for song in songs
                     if song.duration is not None and abs(song.duration - entry.duration) <= DURATION_SLACK]
        if len(songs) > 1:
            return None, f"{len(songs)} songs of the library are {printable(entry.artist)} - {printable(entry.title)}"
        return (songs[0].id, "") if songs else None
