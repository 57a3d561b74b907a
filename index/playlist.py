"""Song radio: a chain of songs, each similar to the one before it and to the seed; a sonic path from one song to
another; and M3U8 export."""
from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from likewise.index.recommend import DUPLICATE_DISTANCE, Options, Recommendation, Recommender, Seed, Selection
from likewise.index.store import Track
from likewise.index.text import printable

SEED_WEIGHT = 0.5  # how much the seed counts against the previous song when picking the next one
PATH_CANDIDATES = 50  # songs nearest each step's target that a sonic path first considers
PREVIOUS_WEIGHT = 0.5  # how much a path step's distance from the song before counts against that from its target
BACKSTEP_PENALTY = 10.0  # how much a path step that moves away from the end song counts against it
OFF_COURSE = 100.0  # added to a path step that moves away from the end song or leaves too few songs nearer it
PLAYLIST_SUFFIXES = (".m3u8", ".m3u")
STORE_FILES = ("", "-wal", "-shm", "-journal", ".tree", ".colisten", ".lock")  # a store, SQLite's and likewise's files


@dataclass
class Radio:
    """A song radio: the songs after the seed, and why there are fewer than asked for ("" when there are not)."""

    tracks: list[Track]
    short_because: str = ""


def song_radio(recommender: Recommender, seed: Seed, length: int, options: Options | None = None) -> list[Track]:
    """Up to `length` songs after the seed (see `build_radio`)."""
    return build_radio(recommender, seed, length, options).tracks


def build_radio(recommender: Recommender, seed: Seed, length: int, options: Options | None = None) -> Radio:
    """Up to `length` songs after the seed: no repeats, no seed, at most options.per_artist per artist and per_album
    per album (the seed counts), and (unless duplicates are kept) no second copy of a recording already played.

    The list is shorter only when the library runs out of eligible songs; `short_because` then says which rule
    (or the library's size) stopped it.
    """
    options = options or Options()
    pool = replace(options, count=max(50, length * 2))  # the candidates weighed for each next song
    from_seed = {item.track.id: item for item in  # every song's nearness to the seed, caps and copies aside
                 recommender.similar(seed, replace(pool, per_artist=None, per_album=None, suppress_duplicates=False))}
    used: set[int] = {seed.track.id} if seed.track is not None else set()
    played = Selection(options, search=recommender.search)  # the caps and the recordings played so far
    if seed.track is not None:
        played.add(seed.track)
    elif options.suppress_duplicates:  # copies of a seed from outside the library, known by their sound
        used.update(key for key, item in from_seed.items() if item.mean_distance < DUPLICATE_DISTANCE)
    chain: list[Track] = []
    previous = seed
    while len(chain) < length:
        # only songs that the caps admit after those played: the search looks further when the nearest are not
        nearby = recommender.similar(previous, pool, exclude=used, chosen=played, enough=1)
        candidates = _score({item.track.id: item for item in nearby}, from_seed, used)
        if not candidates:
            seed_copies = len(used) - len(chain) - (seed.track is not None)
            return Radio(chain, _why_short(recommender, played, used, seed_copies))
        chain.append(candidates[0].track)
        used.add(candidates[0].track.id)
        played.add(candidates[0].track)
        previous = recommender.seed_for_track(candidates[0].track.id)
    return Radio(chain)


def _why_short(recommender: Recommender, played: Selection, used: set[int], seed_copies: int) -> str:
    """Why a radio stopped, the whole library searched: every song left is by an artist or from an album at its
    cap, or a copy of a song played (`seed_copies`: of a seed from outside the library), or none is left."""
    left = recommender.store.tracks_by_id([i for i in recommender.search.song_ids.tolist() if i not in used])
    options = played.options
    copies = {i for i, track in left.items() if options.suppress_duplicates and played.repeats(track)}
    caps = {played.cap(track) for i, track in left.items() if i not in copies}
    if "artist" in caps:
        return f"the songs left are by artists already played {options.per_artist} times (the “Per artist” limit)"
    if "album" in caps:
        return f"the songs left are from albums already played {options.per_album} times (the “Per album” limit)"
    reason = "the library has no other analysed song left"
    if copies or seed_copies:
        reason += f" ({len(copies) + seed_copies} left out as copies of songs already played)"
    return reason


def _score(from_previous: dict[int, Recommendation], from_seed: dict[int, Recommendation], used: set[int]) -> list[Recommendation]:
    scored = []
    for track_id, item in from_previous.items():
        if track_id in used:
            continue
        seed_score = from_seed[track_id].score if track_id in from_seed else 0.0
        scored.append((item.score + SEED_WEIGHT * seed_score, item))
    scored.sort(key=lambda pair: (-pair[0], pair[1].track.id))
    return [item for _, item in scored]


def sonic_path(recommender: Recommender, start: Track, end: Track, steps: int,
               options: Options | None = None) -> list[Track]:
    """From `start` to `end` in `steps` steps: `start`, up to steps - 1 songs, then `end`. Each song lies near a point
    a step of the way from the song before towards `end`, and near that song; no song repeats, at most
    options.per_artist per artist and per_album per album (the endpoints count), and (unless duplicates are kept) no
    copy of a recording on the path. Fewer songs only when the library runs out of eligible ones; ValueError when
    `start` is `end`.

    Songs are compared by their song vectors, found through the search index's tree (no scan of the library).
    """
    if start.id == end.id:
        raise ValueError("a path needs two different songs, not the same song twice")
    search = recommender.search
    vectors = search.song_vectors()
    goal, previous = vectors[search.song_row(end.id)], vectors[search.song_row(start.id)]
    to_goal = np.sort(np.linalg.norm(vectors - goal, axis=1))  # one pass over the song vectors, for the reserve
    selection = Selection(options or Options(), search=search)  # copies known by their sound too
    selection.add(start)
    selection.add(end)
    path, used = [start], {start.id, end.id}
    for step in range(steps - 1):
        target = previous + (goal - previous) / (steps - step)
        reserve = _Reserve(to_goal, [vectors[search.song_row(i)] for i in used], goal, steps - 2 - step)
        pick = _path_step(recommender, target, previous, goal, selection, used, reserve)
        if pick is None:
            break
        path.append(pick)
        selection.add(pick)
        used.add(pick.id)
        previous = vectors[search.song_row(pick.id)]
    return path + [end]


@dataclass
class _Reserve:
    """Whether a path step leaves enough songs nearer the end for the steps after it."""

    to_goal: np.ndarray  # every song's distance to the end song, sorted
    used: list[np.ndarray]  # vectors of the songs already on the path (and the end)
    goal: np.ndarray
    after: int  # songs still to pick after this step

    def keeps(self, distances: np.ndarray) -> np.ndarray:
        """For candidates at these distances to the end: are at least `after` unused songs nearer the end?"""
        used = np.linalg.norm(np.asarray(self.used) - self.goal, axis=1)
        nearer = np.searchsorted(self.to_goal, distances) - (used[None, :] < distances[:, None]).sum(axis=1)
        return nearer >= self.after


def _path_step(recommender: Recommender, target: np.ndarray, previous: np.ndarray, goal: np.ndarray,
               selection: Selection, used: set[int], reserve: _Reserve) -> Track | None:
    """The eligible song that best balances nearness to `target` and to the `previous` song, among those no further
    from `goal` than the previous song that leave enough songs nearer `goal` for the steps after; when none is
    eligible, the least further or least short of the reserve. None if there is no eligible song at all. Looks
    among the songs nearest the target, further each time none of them is eligible."""
    search = recommender.search
    vectors = search.song_vectors()
    count = PATH_CANDIDATES
    while True:
        rows = search.nearest_songs(target, count, used)
        near = vectors[rows]
        to_goal = np.linalg.norm(near - goal, axis=1)
        back = np.maximum(to_goal - np.linalg.norm(previous - goal), 0.0)
        cost = np.linalg.norm(near - target, axis=1) + PREVIOUS_WEIGHT * np.linalg.norm(near - previous, axis=1)
        cost += np.where((back == 0) & reserve.keeps(to_goal), 0.0, OFF_COURSE + BACKSTEP_PENALTY * back)
        order = np.lexsort((search.song_ids[rows], cost))
        tracks = recommender.store.tracks_by_id(search.song_ids[rows].tolist())
        for n in order.tolist():
            track = tracks.get(int(search.song_ids[rows[n]]))
            if track is not None and selection.admits(track):  # copies of any song on the path: by their sound too
                return track
        if count + len(used) >= len(search.song_ids):
            return None
        count *= 4


def check_playlist_output(out: Path, db: Path, library_root: Path, force: bool = False) -> None:
    """ValueError (one line) unless a playlist may be written at `out`: never over the store or its files, over a
    file of the library that is not a playlist, or over any file that is not one; over a playlist only with force."""
    out = Path(out).absolute()
    shown = printable(out)
    if not out.parent.is_dir():
        raise ValueError(f"folder not found: {printable(out.parent)}" if not out.parent.exists()
                         else f"not a folder: {printable(out.parent)}")
    try:
        is_folder = out.is_dir()
    except OSError as error:  # a name too long for the file system, a folder that cannot be searched
        raise ValueError(f"cannot write {shown}: {error.strerror or error}") from error
    if is_folder:
        raise ValueError(f"{shown} is a folder: give the playlist a file name")
    targets = {Path(os.path.normpath(out)), out.resolve()}  # the name given, and the file a link there points to
    bases = (Path(db).absolute(), Path(db).resolve())
    store_files = {Path(os.path.normpath(f"{base}{suffix}")) for base in bases for suffix in STORE_FILES}
    if targets & store_files:
        raise ValueError(f"{shown} belongs to the library store: write the playlist somewhere else")
    if out.suffix.lower() not in PLAYLIST_SUFFIXES and out.resolve().is_relative_to(Path(library_root).resolve()):
        raise ValueError(f"{shown} is inside the library folder: a playlist there must end in .m3u8 or .m3u")
    if os.path.lexists(out):
        if not _is_playlist(out):
            raise ValueError(f"{shown} exists and is not a playlist: refusing to overwrite it")
        if not force:
            raise ValueError(f"{shown} exists: add --force to overwrite the playlist")


def _is_playlist(path: Path) -> bool:
    """A regular .m3u8/.m3u file that is empty or starts with #EXTM3U (read only after checking it is a file)."""
    try:
        if path.suffix.lower() not in PLAYLIST_SUFFIXES or not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            start = handle.read(16)
    except OSError:
        return False
    return start.removeprefix(b"\xef\xbb\xbf").startswith(b"#EXTM3U") or start == b""


def write_m3u8(tracks: list[Track], library_root: Path, out: Path, absolute: bool = False) -> None:
    """Write an extended M3U playlist in UTF-8; paths relative to the playlist's folder unless `absolute`.

    Every line is one entry's: tags are written with their control characters escaped, and a path that holds one
    (a newline in a file name, say) or ends in white space (which readers strip) as a file:// URI; a relative path
    that starts with '#' (a comment) or white space is written as './#1 Crush.mp3'. The file is written beside
    `out` and renamed over it (a link at `out` is replaced by the playlist; the file it pointed to is left as it was).
    """
    out = Path(out)
    folder = out.absolute().parent.resolve()  # where the file will be: a link at `out` is replaced, not followed
    lines = ["#EXTM3U"]
    for track in tracks:
        location = Path(library_root) / track.relpath
        lines.append(f"#EXTINF:{round(track.duration or -1)},{printable(track.label)}")
        lines.append(_entry_line(location if absolute else Path(os.path.relpath(location, folder)), location))
    _replace_file(out, ("\n".join(lines) + "\n").encode("utf-8", errors="surrogateescape"))


def _entry_line(path: Path, location: Path) -> str:
    """The line naming a song at `location` as `path` (relative or absolute), read back as that very file."""
    line = path.as_posix()
    if printable(line) != line or line != line.rstrip():
        return location.absolute().as_uri()  # percent-encoded: one line, and players still find the file
    return f"./{line}" if line != line.lstrip() or line.startswith("#") else line


def _replace_file(out: Path, data: bytes) -> None:
    """Write `data` to a new file beside `out`, then rename it over `out` (never writing through what is there)."""
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
