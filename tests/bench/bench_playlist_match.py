"""Playlist matching speed at 100,000 songs: building the matcher, then matching entries of each kind (relative path,
moved library, other drive, tags). Baseline: finding the longest trailing run by scanning every song's path.

    python -m tests.bench.bench_playlist_match [--songs 100000] [--entries 10000]
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from likewise.index.playlist_files import Entry
from likewise.index.playlist_match import LibrarySong, SongMatcher

ROOT = Path("/home/me/Music")


def library(count: int) -> list[LibrarySong]:
    """Songs in Artist/Album/NN title.mp3 folders, 10 per album and 10 albums per artist."""
    return [LibrarySong(n, f"Artist {n // 100}/Album {n // 10}/{n % 10:02d} Song {n}.mp3", f"Song {n}",
                        f"Artist {n // 100}", 200.0) for n in range(count)]


def entries(songs: list[LibrarySong], count: int, kind: str) -> list[Entry]:
    picked = random.Random(7).sample(songs, count)
    if kind == "relative":
        return [Entry(1, song.relpath) for song in picked]
    if kind == "moved":
        return [Entry(1, f"/mnt/old disk/music/{song.relpath}") for song in picked]
    if kind == "drive":
        return [Entry(1, "E:\\Music\\" + song.relpath.replace("/", "\\").upper()) for song in picked]
    return [Entry(1, "", song.artist, song.title) for song in picked]


def brute_force_trailing(songs: list[LibrarySong], entry: Entry) -> int | None:
    """The baseline: the song whose path shares the longest trailing run with the entry's, by a scan of all."""
    wanted = [part.casefold() for part in reversed(entry.location.replace("\\", "/").split("/"))]
    best, found = 0, None
    for song in songs:
        parts = [part.casefold() for part in reversed(song.relpath.split("/"))]
        run = 0
        while run < min(len(parts), len(wanted)) and parts[run] == wanted[run]:
            run += 1
        if run > best:
            best, found = run, song.id
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    songs = library(args.songs)
    started = time.perf_counter()
    matcher = SongMatcher(songs, ROOT)
    print(f"build for {args.songs} songs: {time.perf_counter() - started:.3f} s")
    for kind in ("relative", "moved", "drive", "tags"):
        batch = entries(songs, args.entries, kind)
        started = time.perf_counter()
        matched = sum(matcher.match(entry, ROOT)[0] is not None for entry in batch)
        seconds = time.perf_counter() - started
        print(f"{kind:8s}: {args.entries} entries in {seconds:.3f} s ({seconds / args.entries * 1e6:.1f} µs each), "
              f"{matched} matched")
    batch = entries(songs, 20, "moved")
    started = time.perf_counter()
    matched = sum(brute_force_trailing(songs, entry) is not None for entry in batch)
    seconds = time.perf_counter() - started
    print(f"baseline (scan of every path), moved: 20 entries in {seconds:.3f} s "
          f"({seconds / 20 * 1e6:.1f} µs each), {matched} matched")


if __name__ == "__main__":
    main()
