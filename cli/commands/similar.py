"""`likewise similar`: the songs that sound most like a song, and why (the moments that matched)."""
from __future__ import annotations

import argparse
import json
import logging

from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.cli.options import add_result_options, result_json, result_options, song_tags, tags_json, track_json
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path
from likewise.index.store import format_duration
from likewise.index.text import printable

log = logging.getLogger("likewise")

TABLE_HEADER = f"{'#':>3}  {'score':>5}  {'votes':>9}  {'song':<60}  seed moment ~ its moment"


def run_similar(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.recommend import together_reason
    from likewise.model.info import format_tags

    failed = 0
    store, recommender = library.store, library.recommender
    names, moods = store.genres(), store.moods()
    for query in args.query:
        try:
            seed = library.seed(query)
        except CommandError as error:
            log.error("%s", error)
            failed += 1
            continue
        results = recommender.similar(seed, result_options(args))
        seed_label = printable(seed.track.label if seed.track else query)
        seed_tags = song_tags(seed.tag_probs, names)
        if args.json:
            seed_json = track_json(seed.track, moods) if seed.track else {"path": display_path(query)}
            seed_json["tags"] = tags_json(seed_tags)
            found = [result_json(item, song_tags(store.genre_probs(item.track.id), names), moods) for item in results]
            print(json.dumps({"query": display_path(query), "seed": seed_json, "results": found}, ensure_ascii=False))
            continue
        print(f"Similar to {seed_label}" + (f" ({format_tags(seed_tags)})" if seed_tags else "") + ":")
        if results:
            print(TABLE_HEADER)
        for rank, item in enumerate(results, 1):
            best = item.matches[0] if item.matches else None
            why = f"{format_duration(best.seed_time)} ~ {format_duration(best.time)}" if best else ""
            label = printable(item.track.label)[:60]
            print(f"{rank:>3}  {item.score:5.2f}  {item.votes:>3} votes  {label:<60}  "
                  + "; ".join(reason for reason in (why, together_reason(item)) if reason))
        if not results:
            print("  (no other analysed songs in this library)")
    return 1 if failed else 0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", metavar="QUERY", help="file path or search words")
    parser.add_argument("--json", action="store_true", help="print one JSON object per query")
    add_result_options(parser, 10, "results")


SIMILAR = Subcommand(
    "similar", help="list the songs that sound most like a song",
    description="List the songs of the library that sound most like each QUERY: a file path (in the library or not) "
                "or words from artist and title.",
    add_arguments=_add_arguments, run=run_similar)
