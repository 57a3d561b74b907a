"""What several subcommands share: argparse types, the result and playlist options, writing -o, JSON of songs."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.index.paths import display_path
from likewise.index.text import printable

log = logging.getLogger("likewise")

PROBLEMS_SHOWN = 5  # playlist problems listed at once; the rest are counted


# --- argparse types and options -------------------------------------------------------------------------------


def at_least(minimum: int):
    """An argparse type: a whole number no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value

    return parse


def add_db_option(parser: argparse.ArgumentParser, help: str = "library store (default: the library indexed last)",
                  **settings: object) -> None:
    """--db, with `settings` (e.g. a default) passed on to argparse."""
    parser.add_argument("--db", type=Path, help=help, **settings)


def add_result_options(parser: argparse.ArgumentParser, count: int, what: str, blend: bool = True) -> None:
    """-n, the per-artist and per-album caps, --keep-duplicates, --audio-only (where co-listening is blended in,
    `blend`) and --db: what a list of results holds."""
    from likewise.index.recommend import Options

    defaults = Options()
    parser.add_argument("-n", "--count", type=at_least(1), default=count, help=f"number of {what} (default {count})")
    parser.add_argument("--per-artist", type=at_least(0), default=defaults.per_artist or 0, metavar="N",
                        help=f"at most N songs per artist (default {defaults.per_artist or 'no cap'}; 0 for no cap)")
    parser.add_argument("--per-album", type=at_least(0), default=defaults.per_album or 0, metavar="N",
                        help=f"at most N songs per album (default {defaults.per_album or 'no cap'}; 0 for no cap)")
    parser.add_argument("--keep-duplicates", action="store_true",
                        help="keep other copies of the same recording (same artist and title, or identical sound)")
    if blend:
        parser.add_argument("--audio-only", action="store_true",
                            help="by sound alone: leave out what playlists and listening history taught")
    add_db_option(parser)


def add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    """--json, and -o with --absolute and --force: how `what` is printed and where it is saved."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_playlist_options(parser, what)


def add_playlist_options(parser: argparse.ArgumentParser, what: str) -> None:
    """-o with --absolute and --force: where `what` is saved as a playlist."""
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help=f"write {what} as an M3U8 playlist here")
    parser.add_argument("--absolute", action="store_true", help="absolute paths in the playlist (default relative)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it is an existing playlist")


def result_options(args: argparse.Namespace):
    """The recommender's Options from the result options."""
    from likewise.index.recommend import Options

    return Options(
        count=args.count,
        per_artist=args.per_artist or None,
        per_album=args.per_album or None,
        suppress_duplicates=not args.keep_duplicates,
        audio_only=getattr(args, "audio_only", False),  # a command without the blend has no --audio-only
    )


# --- the playlist asked for with -o ---------------------------------------------------------------------------


def check_output(args: argparse.Namespace, library: Library) -> None:
    """CommandError unless the playlist asked for with -o may be written (before any work is done)."""
    from likewise.index.playlist import check_playlist_output

    if args.output:
        try:
            check_playlist_output(args.output, library.db, library.store.library_root, args.force)
        except ValueError as error:
            raise CommandError(str(error)) from error


def write_output(args: argparse.Namespace, library: Library, tracks: list, what: str | None = None,
                 record: bool = True) -> None:
    """Write the playlist asked for with -o, if any; `what` says what it holds in the log line. With `record`, the
    playlist is kept in the library store too, as one likewise made (a store that cannot be written: a warning)."""
    from likewise.index.playlist import write_m3u8

    if args.output:
        try:
            write_m3u8(tracks, library.store.library_root, Path(args.output), absolute=args.absolute)
        except OSError as error:
            raise CommandError(f"cannot write {printable(args.output)}: {error.strerror or error}") from error
        log.info("wrote %s to %s", what or f"{len(tracks)} songs", printable(args.output))
        if record:
            _record_made(library, Path(args.output), tracks)


def _record_made(library: Library, path: Path, tracks: list) -> None:
    """Keep a written playlist in the store, named as a scan would name its file; a warning when it cannot be."""
    from likewise.index.playlist_store import has_playlists, save_made_playlist
    from likewise.index.store import StoreError

    if not has_playlists(library.store):
        log.warning("the playlist is not kept in the library store, which predates playlists: `likewise index` "
                    "upgrades it")
        return
    try:
        with library.writable_store() as store:
            save_made_playlist(store, printable(path.stem), [track.id for track in tracks], path)
    except (StoreError, OSError) as error:
        log.warning("the playlist is written but not kept in the library store: %s", printable(error))


def problem_lines(problems: list[str], more: str) -> list[str]:
    """The first playlist problems, indented and printable, then how many more there are and where (`more`)."""
    lines = [f"  {printable(problem)}" for problem in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(problems) - PROBLEMS_SHOWN} more: {more}")
    return lines


# --- songs as JSON --------------------------------------------------------------------------------------------


def song_tags(probabilities, names: list[str]) -> list[tuple[str, float]]:
    """A song's top tags; none when its probabilities are missing or were made for another model's tag names."""
    from likewise.model.info import top_tags

    if probabilities is None or len(probabilities) != len(names):
        return []
    return top_tags(probabilities, names)


def tags_json(tags: list[tuple[str, float]]) -> list[dict]:
    return [{"tag": tag, "p": round(p, 3)} for tag, p in tags]


def track_json(track, moods: dict[int, tuple[float, float]]) -> dict:
    """A library song in JSON output: where it is, its tags, and its mood (null when it has none yet)."""
    valence, arousal = moods.get(track.id, (None, None))
    return {"path": display_path(track.relpath), "artist": track.artist, "title": track.title, "album": track.album,
            "valence": valence, "arousal": arousal}


def result_json(item, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]]) -> dict:
    """A recommended song in JSON output: the song, its score and votes, its tags, how often it was played together
    with the seeds (0 when that did not count), and the slices that matched."""
    return {
        **track_json(item.track, moods),
        "score": round(item.score, 4), "votes": item.votes, "mean_distance": round(item.mean_distance, 4),
        "tags": tags_json(tags), "together": item.together,
        "matched_slices": [
            {"seed_time": round(m.seed_time, 2), "time": round(m.time, 2), "distance": round(m.distance, 4)}
            for m in item.matches
        ],
    }
