"""The playlists likewise makes: `likewise playlist` (song radio from a seed), `mix` (the songs near several songs or
a stored playlist) and `path` (a sonic path)."""
from __future__ import annotations

import argparse
import json
import logging

from likewise.cli.errors import CommandError, UsageError
from likewise.cli.library import Library
from likewise.cli.options import (add_output_options, add_playlist_options, add_result_options, check_output,
                                  result_json, result_options, song_tags, track_json, write_output)
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path
from likewise.index.text import printable

log = logging.getLogger("likewise")


def run_playlist(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.playlist import song_radio

    check_output(args, library)
    recommender = library.recommender
    seed = library.seed(args.seed)
    chain = song_radio(recommender, seed, args.count, result_options(args))
    tracks = ([seed.track] if seed.track else []) + chain
    what = (f"the seed and {len(chain)} songs after it" if seed.track
            else f"{len(chain)} songs after the seed (not in the library)")
    write_output(args, library, tracks, what)
    if seed.track:
        print(f"seed  {printable(seed.track.label)}")
    for position, track in enumerate(chain, 1):
        print(f"{position:>4}  {printable(track.label)}")
    if len(chain) < args.count:
        log.warning("the library ran out of eligible songs after %d", len(chain))
    return 0


def _mix_seeds(library: Library, args: argparse.Namespace) -> tuple[list, list[str]]:
    """The seeds of a mix and how each is named: the QUERY songs, then the analysed songs of --playlist (once each)."""
    seeds = [library.seed(query) for query in args.query]
    names = list(args.query)
    if args.playlist is not None:
        from likewise.index.playlist_store import playlist_tracks

        chosen = library.playlist(args.playlist)
        seen = {seed.track.id for seed in seeds if seed.track is not None}
        for track in playlist_tracks(library.store, chosen.id):
            if track.status == "ok" and track.id not in seen:
                seen.add(track.id)
                seeds.append(library.recommender.seed_for_track(track.id))
                names.append(track.label)
        if len(seeds) == len(args.query):
            raise CommandError(f"the playlist {printable(chosen.name)} holds no analysed song of the library")
    return seeds, names


def run_mix(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.recommend import together_reason

    if not args.query and args.playlist is None:
        raise UsageError("give the songs to mix (QUERY ...), or --playlist NAME")
    check_output(args, library)
    recommender = library.recommender
    seeds, names = _mix_seeds(library, args)
    results = recommender.mix(seeds, result_options(args))
    write_output(args, library, [seed.track for seed in seeds if seed.track] + [item.track for item in results])
    if args.json:
        store = library.store
        tag_names, moods = store.genres(), store.moods()
        found = []
        for item in results:
            shown = result_json(item, song_tags(store.genre_probs(item.track.id), tag_names), moods)
            for match, entry in zip(item.matches, shown["matched_slices"]):
                entry["seed"] = match.seed  # which seed, by its place among the queries and the playlist's songs
            found.append(shown)
        seeds_json = [track_json(seed.track, moods) if seed.track else {"path": name}
                      for seed, name in zip(seeds, names)]
        queries = [display_path(query) for query in args.query]
        print(json.dumps({"queries": queries, "playlist": args.playlist, "seeds": seeds_json, "results": found},
                         ensure_ascii=False))
    else:
        labels = [seed.track.label if seed.track else name for seed, name in zip(seeds, names)]
        print(f"Mix of {printable('; '.join(labels))}:")
        for rank, item in enumerate(results, 1):
            reason = together_reason(item)
            print(f"{rank:>3}  {item.score:5.2f}  {printable(item.track.label)}" + (f"  ({reason})" if reason else ""))
    if len(results) < args.count:
        log.warning("the library ran out of eligible songs after %d", len(results))
    return 0


def run_path(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.playlist import sonic_path

    check_output(args, library)
    recommender = library.recommender
    start, end = (library.song(query) for query in (args.start, args.end))
    try:
        path = sonic_path(recommender, start, end, args.count, result_options(args))
    except ValueError as error:
        raise CommandError(str(error)) from error
    write_output(args, library, path)
    if args.json:
        moods = library.store.moods()
        ends = {"from": display_path(args.start), "to": display_path(args.end)}  # the queries as given, printable
        print(json.dumps({**ends, "path": [track_json(track, moods) for track in path]}, ensure_ascii=False))
    else:
        for step, track in enumerate(path):
            print(f"{step:>3}  {printable(track.label)}")
    if len(path) <= args.count:
        log.warning("the library ran out of eligible songs: %d steps instead of %d", len(path) - 1, args.count)
    return 0


def _add_playlist_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("seed", metavar="SEED", help="file path or search words")
    add_playlist_options(parser, "the seed and the songs after it")
    add_result_options(parser, 25, "songs after the seed, which comes first when it is in the library")


def _add_mix_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="*", metavar="QUERY", help="file path or search words")
    parser.add_argument("--playlist", metavar="NAME", help="mix the songs of a stored playlist too (its name or "
                        "number, as `likewise playlists` lists them)")
    add_output_options(parser, "the seeds, then the mix")
    add_result_options(parser, 10, "songs in the mix")


def _add_path_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("start", metavar="FROM", help="file path or search words")
    parser.add_argument("end", metavar="TO", help="file path or search words")
    add_output_options(parser, "the path")
    add_result_options(parser, 10, "steps from FROM to TO: the path has N + 1 songs", blend=False)


PLAYLIST = Subcommand(
    "playlist", help="make a song radio playlist from a seed song",
    description="Chain songs, each similar to the one before and to the seed.",
    add_arguments=_add_playlist_arguments, run=run_playlist)

MIX = Subcommand(
    "mix", help="list the songs that sound most like several songs together",
    description="List the songs that sound most like the QUERY songs (each as for `similar`) and the songs of "
                "--playlist as a whole: songs close to all of them first.",
    add_arguments=_add_mix_arguments, run=run_mix)

PATH = Subcommand(
    "path", help="a sonic path from one song to another",
    description="Go from FROM to TO (library songs, named as for `similar`) in N steps, each song close to the one "
                "before and nearer TO.",
    add_arguments=_add_path_arguments, run=run_path)
