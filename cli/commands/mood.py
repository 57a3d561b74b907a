"""`likewise mood`: the songs nearest a mood, or a journey from one mood to another."""
from __future__ import annotations

import argparse
import json
import logging
import re

from likewise.cli.errors import CommandError, UsageError
from likewise.cli.library import Library
from likewise.cli.options import add_db_option, add_output_options, at_least, check_output, track_json, write_output
from likewise.cli.subcommand import Subcommand
from likewise.index.text import printable

log = logging.getLogger("likewise")


def run_mood(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.mood import mood_journey, nearest_moods
    from likewise.index.search import load_index

    journey = args.start is not None or args.end is not None
    if journey and (args.start is None or args.end is None):
        raise UsageError("a journey needs both --from V,A and --to V,A")
    if not journey and (args.valence is None or args.arousal is None):
        raise UsageError("give --valence V and --arousal A (or --from V,A --to V,A for a journey)")
    check_output(args, library)
    store = library.store
    moods = store.moods()
    if not moods:
        raise CommandError("no song of this library has a mood yet: run `likewise index` once")
    if journey:
        found = [(track_id, None) for track_id in mood_journey(moods, load_index(store), args.start, args.end,
                                                               args.count)]
    else:
        found = nearest_moods(moods, (args.valence, args.arousal), args.count)
    tracks = store.tracks_by_id([track_id for track_id, _ in found])
    chosen = [(tracks[track_id], distance) for track_id, distance in found if track_id in tracks]
    write_output(args, library, [track for track, _ in chosen])
    if args.json:
        query = {"from": args.start, "to": args.end} if journey else {"valence": args.valence, "arousal": args.arousal}
        results = [{**track_json(track, moods), **({} if d is None else {"distance": round(d, 4)})}
                   for track, d in chosen]
        print(json.dumps({**query, "results": results}, ensure_ascii=False))
    else:
        for position, (track, _) in enumerate(chosen, 1):
            valence, arousal = moods[track.id]
            print(f"{position:>3}  {valence:+.2f} {arousal:+.2f}  {printable(track.label)}")
    if journey and len(chosen) < args.count:
        log.warning("the journey has %d songs: %s", len(chosen),
                    f"the library has {len(moods)} songs with a mood, not {args.count}" if len(moods) < args.count
                    else "at some step no other song lies further along the way, so it went to its end")
    return 0


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


def attach_mood_points(argv: list[str]) -> list[str]:
    """`--from -1,0.5` as `--from=-1,0.5`: argparse takes a value that starts with '-' for an option."""
    attached: list[str] = []
    for arg in argv:
        if attached and attached[-1] in ("--from", "--to") and re.fullmatch(r"-[\d.]+,.*", arg):
            attached[-1] += f"={arg}"
        else:
            attached.append(arg)
    return attached


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--valence", type=_mood_value, metavar="V", help="sad (-1) to happy (1)")
    parser.add_argument("--arousal", type=_mood_value, metavar="A", help="calm (-1) to energetic (1)")
    parser.add_argument("--from", dest="start", type=_mood_point, metavar="V,A", help="where a journey starts")
    parser.add_argument("--to", dest="end", type=_mood_point, metavar="V,A", help="where a journey ends")
    parser.add_argument("-n", "--count", type=at_least(1), default=10, help="number of songs (default 10)")
    add_output_options(parser, "the songs")
    add_db_option(parser)


MOOD = Subcommand(
    "mood", help="list the songs nearest a mood, or make a mood journey",
    description="Valence runs from sad (-1) to happy (1), arousal from calm (-1) to energetic (1). With --valence "
                "and --arousal, list the songs nearest that mood; with --from and --to, walk from one mood to the "
                "other in N songs, each close in sound to the one before.",
    add_arguments=_add_arguments, run=run_mood)
