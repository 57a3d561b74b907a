"""The `likewise` command: index a folder, inspect it, ask for similar songs, make playlists.

Logs go to stderr, results to stdout. Exit codes: 0 ok, 1 failure, 2 usage.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from likewise.audio.errors import LikewiseError
from likewise.index.paths import default_db_path, display_path, last_library, remember_library
from likewise.index.store import LibraryStore, StoreError, describe_error, format_duration
from likewise.index.text import printable

log = logging.getLogger("likewise")


class CommandError(LikewiseError):
    """A failure to report as one line on stderr, exit code 1."""


def version() -> str:
    """The installed version of likewise."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("likewise")
    except PackageNotFoundError:
        return "unknown"


# --- resolving the library ------------------------------------------------------------------------------------


def resolve_db(db: Path | None, folder: Path | None = None) -> Path:
    """The store to use: --db, else the store of FOLDER, else the library used last."""
    if db is not None:
        return Path(db).expanduser()
    if folder is not None:
        return default_db_path(folder)
    last = last_library()
    if last is None:
        raise CommandError("no library yet: run `likewise index FOLDER` first (or give --db)")
    return last


def open_existing(db: Path) -> LibraryStore:
    """Open a store for reading only (a read-only store or folder works too); CommandError if there is none."""
    try:
        return LibraryStore(db, read_only=True)
    except StoreError as error:
        raise CommandError(str(error)) from error


# --- index ----------------------------------------------------------------------------------------------------


class _ProgressPrinter:
    """A tqdm bar on a terminal, a log line every few seconds otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.last_line = 0.0

    def __call__(self, progress) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=progress.total, unit="song", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(progress.done - self.bar.n)
            self.bar.set_postfix(failed=progress.failed, refresh=False)
        elif time.monotonic() - self.last_line >= 5 or progress.done == progress.total:
            self.last_line = time.monotonic()
            eta = f", {progress.eta:.0f} s left" if progress.eta is not None else ""
            log.info("analysed %d/%d songs (%d failed), %.1f songs/s%s", progress.done, progress.total,
                     progress.failed, progress.rate, eta)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cmd_index(args: argparse.Namespace) -> int:
    if args.failures:
        return _print_failures(resolve_db(args.db, args.folder))
    if args.folder is None:
        raise CommandError("give the music folder to index, e.g. `likewise index ~/Music`")
    from likewise.audio.discover import walk_audio_files
    from likewise.index.lock import StoreBusy
    from likewise.index.pipeline import Indexer, check_library_folder

    try:
        root = check_library_folder(args.folder)
        if next(walk_audio_files(root), None) is None:  # also keeps an unmounted drive from emptying its library
            raise CommandError(f"no audio files in {printable(root)}: nothing to index (if it is on a drive, is it mounted?)")
        db = resolve_db(args.db, root)
        if args.moved_from is not None:
            _move_library(db, args.moved_from, root)
        printer = _ProgressPrinter()
        indexer = Indexer(root, db, jobs=_capped_jobs(args.jobs), on_progress=printer)
        log.info("indexing %s into %s", printable(root), printable(db))
        try:
            with _stop_on_signals() as stopped_by:
                summary = indexer.run()
        finally:
            printer.close()
    except (StoreError, StoreBusy) as error:
        raise CommandError(str(error)) from error
    remember_library(db)
    print(summary.line())
    if summary.failed:
        given = f" --db {printable(db)}" if args.db is not None else ""  # else this library is now the last one
        print(f"{summary.failed} file(s) could not be analysed: see `likewise index --failures{given}`")
    return 128 + stopped_by[0] if stopped_by else 130 if summary.interrupted else 0


def _capped_jobs(jobs: int | None) -> int | None:
    """--jobs, at most one worker per core (more only add memory and contention)."""
    cores = os.cpu_count() or 1
    if jobs is not None and jobs > cores:
        log.warning("--jobs %d is more than the %d cores here: using %d", jobs, cores, cores)
        return cores
    return jobs


@contextmanager
def _stop_on_signals() -> Iterator[list[int]]:
    """While indexing, SIGTERM and SIGHUP stop the run as Ctrl-C does (what is finished is stored, the workers
    end); yields the list that receives the first such signal."""
    received: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        if len(received) == 1:  # once: a second signal must not break off the clean-up
            raise KeyboardInterrupt

    names = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in names}
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # started now, it inherits the ignored SIGHUP: a closed terminal signals the
    for number in names:  # whole process group, and the tracker must outlive the workers' clean-up
        signal.signal(number, stop)
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _move_library(db: Path, old_root: Path, root: Path) -> None:
    """Re-root the store of a library that moved from `old_root` to `root`, keeping every analysis."""
    from likewise.index.lock import IndexLock

    with IndexLock(db), LibraryStore(db, writing=True) as store:
        if store.library_root != root:
            store.move_library(old_root, root)
            log.info("moved the library from %s to %s", display_path(str(old_root)), display_path(str(root)))


def _print_failures(db: Path) -> int:
    with open_existing(db) as store:
        failed = store.tracks("failed")
    for track in failed:
        print(f"{printable(display_path(track.relpath))}\t{printable(track.reason)}")
    if not failed:
        print("no failures")
    return 0


# --- info -----------------------------------------------------------------------------------------------------


def cmd_info(args: argparse.Namespace) -> int:
    db = resolve_db(args.db, args.folder)
    with open_existing(db) as store:
        counts = store.counts()
        model_id, _params = store.analysis_settings()
        lines = [
            f"library:  {printable(display_path(str(store.library_root)))}",
            f"store:    {printable(db)} ({store.disk_size() / 1e6:.1f} MB)",
            f"songs:    {counts['ok']} analysed, {counts['pending']} waiting, {counts['failed']} failed",
            f"model:    {printable(model_id or 'none yet')}",
        ]
    print("\n".join(lines))
    return 0


# --- similar and playlist -------------------------------------------------------------------------------------


def resolve_seed(store: LibraryStore, recommender, query: str):
    """A seed from a query: a file path (in the library or outside it) or words matched against artist and title."""
    from likewise.index.recommend import seed_from_file

    candidate = Path(query).expanduser()
    if candidate.is_file():
        try:
            relpath = str(candidate.resolve().relative_to(store.library_root))
        except ValueError:
            relpath = None
        track = store.track_by_path(relpath) if relpath else None
        if track is not None and track.status == "ok":
            return recommender.seed_for_track(track.id)
        try:
            return seed_from_file(candidate)
        except ValueError as error:
            raise CommandError(f"cannot analyse {printable(query)}: {printable(error)}") from error
    matches = store.search(query)
    if not matches:
        raise CommandError(f"no song matches {query!r} (try other words, or a file path)")
    exact = [track for track in matches if track.label.casefold() == query.casefold().strip()]
    if len(matches) > 1 and len(exact) != 1:
        listing = "\n".join(f"  {printable(track.label)}  ({printable(display_path(track.relpath))})"
                            for track in matches[:15])
        more = f"\n  ... and {len(matches) - 15} more" if len(matches) > 15 else ""
        raise CommandError(f"{query!r} matches {len(matches)} songs; be more specific:\n{listing}{more}")
    return recommender.seed_for_track((exact or matches)[0].id)


def _options(args: argparse.Namespace):
    from likewise.index.recommend import Options

    return Options(
        count=args.count,
        per_artist=args.per_artist or None,
        per_album=args.per_album or None,
        suppress_duplicates=not args.keep_duplicates,
    )


def _song_tags(probabilities, names: list[str]) -> list[tuple[str, float]]:
    """A song's top tags; none when its probabilities are missing or were made for another model's tag names."""
    from likewise.model.info import top_tags

    if probabilities is None or len(probabilities) != len(names):
        return []
    return top_tags(probabilities, names)


def _tags_json(tags: list[tuple[str, float]]) -> list[dict]:
    return [{"tag": tag, "p": round(p, 3)} for tag, p in tags]


def _track_json(track, moods: dict[int, tuple[float, float]]) -> dict:
    """A library song in JSON output: where it is, its tags, and its mood (null when it has none yet)."""
    valence, arousal = moods.get(track.id, (None, None))
    return {"path": display_path(track.relpath), "artist": track.artist, "title": track.title, "album": track.album,
            "valence": valence, "arousal": arousal}


def _result_json(item, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]]) -> dict:
    return {
        **_track_json(item.track, moods),
        "score": round(item.score, 4), "votes": item.votes, "mean_distance": round(item.mean_distance, 4),
        "tags": _tags_json(tags),
        "matched_slices": [
            {"seed_time": round(m.seed_time, 2), "time": round(m.time, 2), "distance": round(m.distance, 4)}
            for m in item.matches
        ],
    }


def cmd_similar(args: argparse.Namespace) -> int:
    from likewise.index.recommend import Recommender
    from likewise.model.info import format_tags

    failed = 0
    with open_existing(resolve_db(args.db)) as store:
        recommender = Recommender(store)
        names, moods = store.genres(), store.moods()
        for query in args.query:
            try:
                seed = resolve_seed(store, recommender, query)
            except CommandError as error:
                log.error("%s", error)
                failed += 1
                continue
            results = recommender.similar(seed, _options(args))
            seed_label = printable(seed.track.label if seed.track else query)
            seed_tags = _song_tags(seed.tag_probs, names)
            if args.json:
                seed_json = _track_json(seed.track, moods) if seed.track else {"path": query}
                seed_json["tags"] = _tags_json(seed_tags)
                found = [_result_json(item, _song_tags(store.genre_probs(item.track.id), names), moods)
                         for item in results]
                print(json.dumps({"query": query, "seed": seed_json, "results": found}, ensure_ascii=False))
                continue
            print(f"Similar to {seed_label}" + (f" ({format_tags(seed_tags)})" if seed_tags else "") + ":")
            for rank, item in enumerate(results, 1):
                best = item.matches[0] if item.matches else None
                why = f"{format_duration(best.seed_time)} ~ {format_duration(best.time)}" if best else ""
                label = printable(item.track.label)[:60]
                print(f"{rank:>3}  {item.score:5.2f}  {item.votes:>3} votes  {label:<60}  {why}")
            if not results:
                print("  (no other analysed songs in this library)")
    return 1 if failed else 0


def _check_output(args: argparse.Namespace, db: Path, store: LibraryStore) -> None:
    """CommandError unless the playlist asked for with -o may be written (before any work is done)."""
    from likewise.index.playlist import check_playlist_output

    if args.output:
        try:
            check_playlist_output(args.output, db, store.library_root, args.force)
        except ValueError as error:
            raise CommandError(str(error)) from error


def _write_output(args: argparse.Namespace, store: LibraryStore, tracks: list, what: str | None = None) -> None:
    """Write the playlist asked for with -o, if any; `what` says what it holds in the log line."""
    from likewise.index.playlist import write_m3u8

    if args.output:
        try:
            write_m3u8(tracks, store.library_root, Path(args.output), absolute=args.absolute)
        except OSError as error:
            raise CommandError(f"cannot write {printable(args.output)}: {error.strerror or error}") from error
        log.info("wrote %s to %s", what or f"{len(tracks)} songs", printable(args.output))


def cmd_playlist(args: argparse.Namespace) -> int:
    from likewise.index.playlist import song_radio
    from likewise.index.recommend import Recommender

    db = resolve_db(args.db)
    with open_existing(db) as store:
        _check_output(args, db, store)
        recommender = Recommender(store)
        seed = resolve_seed(store, recommender, args.seed)
        chain = song_radio(recommender, seed, args.count, _options(args))
        tracks = ([seed.track] if seed.track else []) + chain
        what = (f"the seed and {len(chain)} songs after it" if seed.track
                else f"{len(chain)} songs after the seed (not in the library)")
        _write_output(args, store, tracks, what)
        if seed.track:
            print(f"seed  {printable(seed.track.label)}")
        for position, track in enumerate(chain, 1):
            print(f"{position:>4}  {printable(track.label)}")
    if len(chain) < args.count:
        log.warning("the library ran out of eligible songs after %d", len(chain))
    return 0


# --- mood -----------------------------------------------------------------------------------------------------


# --- list -----------------------------------------------------------------------------------------------------

STATUS_WORDS = {"ok": "ok", "pending": "waiting", "failed": "failed"}


def _listed_json(track, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]]) -> dict:
    """A track as `list --json` gives it: `_track_json` with its status, tags and analysis fields."""
    return {
        **_track_json(track, moods),
        "duration": None if track.duration is None else round(track.duration, 2),
        "status": STATUS_WORDS[track.status], "reason": track.reason, "tags": _tags_json(tags),
        "model_id": track.model_id,
        "excerpt_start": None if track.excerpt_start is None else round(track.excerpt_start, 2),
    }


def _listed_line(track, tags: list[tuple[str, float]], moods: dict[int, tuple[float, float]]) -> str:
    """A track as `list` prints it: status, duration, label, then its tags and mood, or why it failed."""
    from likewise.model.info import format_tags

    details = [track.reason or ""] if track.status == "failed" else [format_tags(tags)]
    if track.id in moods:
        details.append("valence {:+.2f} arousal {:+.2f}".format(*moods[track.id]))
    shown = "  ".join(detail for detail in details if detail)
    return printable(f"{STATUS_WORDS[track.status]:<7}  {format_duration(track.duration):>7}  {track.label}  {shown}"
                     ).rstrip()


def cmd_list(args: argparse.Namespace) -> int:
    with open_existing(resolve_db(args.db)) as store:
        tracks = store.search(args.query, status=None) if args.query else store.tracks()
        names, moods = store.genres(), store.moods()
        for track in tracks:
            tags = _song_tags(store.genre_probs(track.id), names) if track.status == "ok" else []
            if args.json:
                print(json.dumps(_listed_json(track, tags, moods), ensure_ascii=False))
            else:
                print(_listed_line(track, tags, moods))
    return 0


def cmd_mood(args: argparse.Namespace) -> int:
    from likewise.index.mood import mood_journey, nearest_moods
    from likewise.index.search import load_index

    journey = args.start is not None or args.end is not None
    if journey and (args.start is None or args.end is None):
        raise CommandError("a journey needs both --from V,A and --to V,A")
    if not journey and (args.valence is None or args.arousal is None):
        raise CommandError("give --valence V and --arousal A (or --from V,A --to V,A for a journey)")
    db = resolve_db(args.db)
    with open_existing(db) as store:
        _check_output(args, db, store)
        moods = store.moods()
        if not moods:
            raise CommandError("no song of this library has a mood yet: run `likewise index` once")
        if journey:
            found = [(track_id, None) for track_id in
                     mood_journey(moods, load_index(store), args.start, args.end, args.count)]
        else:
            found = nearest_moods(moods, (args.valence, args.arousal), args.count)
        tracks = store.tracks_by_id([track_id for track_id, _ in found])
        chosen = [(tracks[track_id], distance) for track_id, distance in found if track_id in tracks]
        _write_output(args, store, [track for track, _ in chosen])
        if args.json:
            query = ({"from": args.start, "to": args.end} if journey
                     else {"valence": args.valence, "arousal": args.arousal})
            results = [{**_track_json(track, moods), **({} if d is None else {"distance": round(d, 4)})}
                       for track, d in chosen]
            print(json.dumps({**query, "results": results}, ensure_ascii=False))
        else:
            for position, (track, _) in enumerate(chosen, 1):
                valence, arousal = moods[track.id]
                print(f"{position:>3}  {valence:+.2f} {arousal:+.2f}  {printable(track.label)}")
    if journey and len(chosen) < args.count:
        log.warning("the library ran out of songs with a mood after %d", len(chosen))
    return 0


# --- mix and path ---------------------------------------------------------------------------------------------


def cmd_mix(args: argparse.Namespace) -> int:
    from likewise.index.recommend import Recommender

    db = resolve_db(args.db)
    with open_existing(db) as store:
        _check_output(args, db, store)
        recommender = Recommender(store)
        seeds = [resolve_seed(store, recommender, query) for query in args.query]
        results = recommender.mix(seeds, _options(args))
        _write_output(args, store, [seed.track for seed in seeds if seed.track] + [item.track for item in results])
        if args.json:
            names, moods = store.genres(), store.moods()
            found = []
            for item in results:
                shown = _result_json(item, _song_tags(store.genre_probs(item.track.id), names), moods)
                for match, entry in zip(item.matches, shown["matched_slices"]):
                    entry["seed"] = match.seed  # which seed, by its place among the queries
                found.append(shown)
            seeds_json = [_track_json(seed.track, moods) if seed.track else {"path": query}
                          for seed, query in zip(seeds, args.query)]
            print(json.dumps({"queries": args.query, "seeds": seeds_json, "results": found}, ensure_ascii=False))
        else:
            labels = [seed.track.label if seed.track else query for seed, query in zip(seeds, args.query)]
            print(f"Mix of {printable('; '.join(labels))}:")
            for rank, item in enumerate(results, 1):
                print(f"{rank:>3}  {item.score:5.2f}  {printable(item.track.label)}")
    if len(results) < args.count:
        log.warning("the library ran out of eligible songs after %d", len(results))
    return 0


def _library_song(store: LibraryStore, recommender, query: str):
    """The library song a query names (as `similar` resolves it); CommandError for a file outside the library."""
    seed = resolve_seed(store, recommender, query)
    if seed.track is None:
        raise CommandError(f"{printable(query)} is not a song of the library: a path runs between two of its songs")
    return seed.track


def cmd_path(args: argparse.Namespace) -> int:
    from likewise.index.playlist import sonic_path
    from likewise.index.recommend import Recommender

    db = resolve_db(args.db)
    with open_existing(db) as store:
        _check_output(args, db, store)
        recommender = Recommender(store)
        start, end = (_library_song(store, recommender, query) for query in (args.start, args.end))
        try:
            path = sonic_path(recommender, start, end, args.count, _options(args))
        except ValueError as error:
            raise CommandError(str(error)) from error
        _write_output(args, store, path)
        if args.json:
            moods = store.moods()
            print(json.dumps({"from": args.start, "to": args.end, "path": [_track_json(track, moods) for track in path]},
                             ensure_ascii=False))
        else:
            for step, track in enumerate(path):
                print(f"{step:>3}  {printable(track.label)}")
    if len(path) <= args.count:
        log.warning("the library ran out of eligible songs: %d steps instead of %d", len(path) - 1, args.count)
    return 0


# --- repair ---------------------------------------------------------------------------------------------------


def cmd_repair(args: argparse.Namespace) -> int:
    from likewise.index.lock import StoreBusy
    from likewise.index.repair import repair_store

    try:
        report = repair_store(resolve_db(args.db))
    except (StoreError, StoreBusy) as error:
        raise CommandError(str(error)) from error
    print(report.line())
    return 0


# --- the parser -----------------------------------------------------------------------------------------------


def _at_least(minimum: int):
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


def _mood_value(text: str) -> float:
    """An argparse type: a valence or arousal, from -1 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must lie between -1 and 1, not {text}")
    return value


def _mood_point(text: str) -> tuple[float, float]:
    """An argparse type: a point of the mood plane written as VALENCE,AROUSAL (each from -1 to 1)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"give a mood as VALENCE,AROUSAL (e.g. -0.5,0.8), not {text!r}")
    return _mood_value(parts[0]), _mood_value(parts[1])


def _add_result_options(parser: argparse.ArgumentParser, count: int, what: str) -> None:
    from likewise.index.recommend import Options

    defaults = Options()
    parser.add_argument("-n", "--count", type=_at_least(1), default=count, help=f"number of {what} (default {count})")
    parser.add_argument("--per-artist", type=_at_least(0), default=defaults.per_artist or 0, metavar="N",
                        help=f"at most N songs per artist (default {defaults.per_artist or 'no cap'}; 0 for no cap)")
    parser.add_argument("--per-album", type=_at_least(0), default=defaults.per_album or 0, metavar="N",
                        help=f"at most N songs per album (default {defaults.per_album or 'no cap'}; 0 for no cap)")
    parser.add_argument("--keep-duplicates", action="store_true",
                        help="keep other copies of the same recording (same artist and title, or identical sound)")
    parser.add_argument("--db", type=Path, help="library store (default: the library indexed last)")


def _add_output_options(parser: argparse.ArgumentParser, what: str) -> None:
    """--json, and -o with --absolute and --force: how `what` is printed and where it is saved."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _add_playlist_options(parser, what)


def _add_playlist_options(parser: argparse.ArgumentParser, what: str) -> None:
    """-o with --absolute and --force: where `what` is saved as a playlist."""
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help=f"write {what} as an M3U8 playlist here")
    parser.add_argument("--absolute", action="store_true", help="absolute paths in the playlist (default relative)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it is an existing playlist")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `likewise` command."""
    parser = argparse.ArgumentParser(
        prog="likewise", description="Offline music recommendations from your own library, by how songs sound.")
    parser.add_argument("--version", action="version", version=f"likewise {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    index = commands.add_parser("index", help="analyse a music folder (only what is new or changed)",
                                description="Analyse a music folder into its library store. Only new or changed "
                                            "files are analysed; moved files keep their analysis.")
    index.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="the music folder")
    index.add_argument("--db", type=Path, help="library store (default: one per folder in your user data folder)")
    index.add_argument("--jobs", type=_at_least(1), default=None, metavar="N",
                       help="worker processes for decoding (default: all cores)")
    index.add_argument("--failures", action="store_true", help="list the files that could not be analysed, and why")
    index.add_argument("--moved-from", type=Path, metavar="OLD",
                       help="the library moved or was renamed from OLD: keep the store's analyses for FOLDER")
    index.set_defaults(func=cmd_index)

    info = commands.add_parser("info", help="show a library's size, model and failures",
                               description="Show a library store: songs, failures, model and size on disk.")
    info.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="the music folder (default: the last)")
    info.add_argument("--db", type=Path, help="library store")
    info.set_defaults(func=cmd_info)

    similar = commands.add_parser("similar", help="list the songs that sound most like a song",
                                  description="List the songs of the library that sound most like each QUERY: a "
                                              "file path (in the library or not) or words from artist and title.")
    similar.add_argument("query", nargs="+", metavar="QUERY", help="file path or search words")
    similar.add_argument("--json", action="store_true", help="print one JSON object per query")
    _add_result_options(similar, 10, "results")
    similar.set_defaults(func=cmd_similar)

    listing = commands.add_parser("list", help="list the library's songs with their tags, mood and status",
                                  description="List every song of the library (those matching QUERY: words from "
                                              "artist, title, album or file name) with its status (ok, waiting or "
                                              "failed, and why), duration, the model's top tags and its mood.")
    listing.add_argument("query", nargs="?", default="", metavar="QUERY", help="search words (default: all songs)")
    listing.add_argument("--json", action="store_true",
                         help="print one JSON object per song and line: path, artist, title, album, duration, "
                              "status, reason, tags, valence, arousal, model_id, excerpt_start")
    listing.add_argument("--db", type=Path, help="library store (default: the library indexed last)")
    listing.set_defaults(func=cmd_list)

    playlist = commands.add_parser("playlist", help="make a song radio playlist from a seed song",
                                   description="Chain songs, each similar to the one before and to the seed.")
    playlist.add_argument("seed", metavar="SEED", help="file path or search words")
    _add_playlist_options(playlist, "the seed and the songs after it")
    _add_result_options(playlist, 25, "songs after the seed, which comes first when it is in the library")
    playlist.set_defaults(func=cmd_playlist)

    mood = commands.add_parser("mood", help="list the songs nearest a mood, or make a mood journey",
                               description="Valence runs from sad (-1) to happy (1), arousal from calm (-1) to "
                                           "energetic (1). With --valence and --arousal, list the songs nearest "
                                           "that mood; with --from and --to, walk from one mood to the other in N "
                                           "songs, each close in sound to the one before.")
    mood.add_argument("--valence", type=_mood_value, metavar="V", help="sad (-1) to happy (1)")
    mood.add_argument("--arousal", type=_mood_value, metavar="A", help="calm (-1) to energetic (1)")
    mood.add_argument("--from", dest="start", type=_mood_point, metavar="V,A", help="where a journey starts")
    mood.add_argument("--to", dest="end", type=_mood_point, metavar="V,A", help="where a journey ends")
    mood.add_argument("-n", "--count", type=_at_least(1), default=10, help="number of songs (default 10)")
    _add_output_options(mood, "the songs")
    mood.add_argument("--db", type=Path, help="library store (default: the library indexed last)")
    mood.set_defaults(func=cmd_mood)

    mix = commands.add_parser("mix", help="list the songs that sound most like several songs together",
                              description="List the songs that sound most like the QUERY songs as a whole (each "
                                          "QUERY as for `similar`): songs close to all of them first.")
    mix.add_argument("query", nargs="+", metavar="QUERY", help="file path or search words")
    _add_output_options(mix, "the seeds, then the mix")
    _add_result_options(mix, 10, "songs in the mix")
    mix.set_defaults(func=cmd_mix)

    path = commands.add_parser("path", help="a sonic path from one song to another",
                               description="Go from FROM to TO (library songs, named as for `similar`) in N steps, "
                                           "each song close to the one before and nearer TO.")
    path.add_argument("start", metavar="FROM", help="file path or search words")
    path.add_argument("end", metavar="TO", help="file path or search words")
    _add_output_options(path, "the path")
    _add_result_options(path, 10, "steps from FROM to TO: the path has N + 1 songs")
    path.set_defaults(func=cmd_path)

    repair = commands.add_parser("repair", help="salvage a damaged library store",
                                 description="Check a library store; if it is damaged, copy it aside and keep every "
                                             "row that still reads in a fresh store. Songs that lost their analysis "
                                             "are analysed again by the next `likewise index`.")
    repair.add_argument("--db", type=Path, help="library store (default: the library indexed last)")
    repair.set_defaults(func=cmd_repair)

    from likewise.desktop.cli import register as register_desktop
    from likewise.model.cli import register as register_model

    register_model(commands)
    register_desktop(commands)
    return parser


def _attach_mood_points(argv: list[str]) -> list[str]:
    """`--from -1,0.5` as `--from=-1,0.5`: argparse takes a value that starts with '-' for an option."""
    attached: list[str] = []
    for arg in argv:
        if attached and attached[-1] in ("--from", "--to") and re.fullmatch(r"-[\d.]+,.*", arg):
            attached[-1] += f"={arg}"
        else:
            attached.append(arg)
    return attached


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `likewise` command."""
    logging.basicConfig(level=logging.INFO, format="likewise: %(message)s", stream=sys.stderr, force=True)
    args = build_parser().parse_args(_attach_mood_points(sys.argv[1:] if argv is None else argv))
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # the reader went away (`likewise similar ... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the final flush at exit must not fail again
        return 141
    except CommandError as error:
        log.error("%s", error)
        return 1
    except StoreError as error:
        log.error("%s", error)
        return 1
    except sqlite3.Error as error:  # met mid-command: damage past the pages checked on opening, a full disk...
        log.error("%s", describe_error(error, getattr(args, "db", None)))
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
