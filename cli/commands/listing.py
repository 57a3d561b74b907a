"""`likewise info` and `likewise list`: what a library holds."""
from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from likewise.cli.library import Library
from likewise.cli.options import add_db_option, problem_lines, song_tags, tags_json, track_json
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path
from likewise.index.store import format_duration
from likewise.index.text import printable

STATUS_WORDS = {"ok": "ok", "pending": "waiting", "failed": "failed"}


def run_info(library: Library, args: argparse.Namespace) -> int:
    store = library.store
    counts = store.counts()
    model_id, _params = store.analysis_settings()
    lines = [
        f"library:  {printable(display_path(str(store.library_root)))}",
        f"store:    {printable(library.db)} ({store.disk_size() / 1e6:.1f} MB)",
        f"songs:    {counts['ok']} analysed, {counts['pending']} waiting, {counts['failed']} failed",
        f"model:    {printable(model_id or 'none yet')}",
    ]
    print("\n".join(lines + _playlist_lines(store)))
    return 0


def _playlist_lines(store) -> list[str]:
    """How many playlists the store keeps, and the first of their problems with the total."""
    from likewise.index.playlist_store import list_playlists, playlist_problems

    playlists = list_playlists(store)
    problems = playlist_problems(store)
    lines = [f"playlists: {len(playlists)}" + (f", {len(problems)} problems:" if problems else "")]
    return lines + problem_lines(problems, "`likewise playlists show NAME` lists a playlist's")


def _local_time(unix_time: float | None) -> str | None:
    """A unix time as ISO 8601 in local time, to the second (None stays None)."""
    return None if unix_time is None else datetime.fromtimestamp(unix_time).astimezone().isoformat(timespec="seconds")


def _listed_json(track, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]],
                 played: tuple[int, float | None]) -> dict:
    """A track as `list --json` gives it: `track_json` with its status, tags, analysis fields, its plays that counted
    and when the last of them started."""
    plays, last_played = played
    return {
        **track_json(track, moods),
        "duration": None if track.duration is None else round(track.duration, 2),
        "status": STATUS_WORDS[track.status], "reason": track.reason, "tags": tags_json(tags),
        "model_id": track.model_id,
        "excerpt_start": None if track.excerpt_start is None else round(track.excerpt_start, 2),
        "plays": plays, "last_played": _local_time(last_played),
    }


def _listed_line(track, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]], plays: int) -> str:
    """A track as `list` prints it: status, duration, label, then its tags and mood, or why it failed, and its
    plays."""
    from likewise.model.info import format_tags

    details = [track.reason or ""] if track.status == "failed" else [format_tags(tags)]
    if track.id in moods:
        details.append("valence {:+.2f} arousal {:+.2f}".format(*moods[track.id]))
    if plays:
        details.append(f"played {plays} time{'s' if plays > 1 else ''}")
    shown = "  ".join(detail for detail in details if detail)
    return printable(f"{STATUS_WORDS[track.status]:<7}  {format_duration(track.duration):>7}  {track.label}  {shown}"
                     ).rstrip()


def run_list(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.plays import play_counts

    store = library.store
    tracks = store.search(args.query, status=None) if args.query else store.tracks()
    names, moods, counts = store.genres(), store.moods(), play_counts(store)
    for track in tracks:
        tags = song_tags(store.genre_probs(track.id), names) if track.status == "ok" else []
        played = counts.get(track.id, (0, None))
        if args.json:
            print(json.dumps(_listed_json(track, tags, moods, played), ensure_ascii=False))
        else:
            print(_listed_line(track, tags, moods, played[0]))
    return 0


def _add_info_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="the music folder (default: the last)")
    add_db_option(parser, "library store")


def _add_list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", default="", metavar="QUERY", help="search words (default: all songs)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per song and line: path, artist, title, album, duration, "
                             "status, reason, tags, valence, arousal, model_id, excerpt_start, plays (that counted), "
                             "last_played (local time)")
    add_db_option(parser)


INFO = Subcommand(
    "info", help="show a library's size, model, failures and playlist problems",
    description="Show a library store: songs, failures, model, size on disk, and how many playlists it keeps with "
                "the first of their problems.",
    add_arguments=_add_info_arguments, run=run_info)

LIST = Subcommand(
    "list", help="list the songs with their tags, mood, status and plays",
    description="List every song of the library (those matching QUERY: words from artist, title, album or file "
                "name) with its status (ok, waiting or failed, and why), duration, the model's top tags, its mood and "
                "how often it was played.",
    add_arguments=_add_list_arguments, run=run_list)
