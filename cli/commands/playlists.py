"""`likewise playlists`: the playlists kept in the library store (found in the library folder, opened by hand, or
made by likewise): list them, show one with its problems or export it, and import a playlist file."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.cli.options import add_db_option, add_playlist_options, check_output, problem_lines, track_json, write_output
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path
from likewise.index.text import printable


def _where(item) -> str:
    """Where a playlist is: its file, or that likewise made it without writing one."""
    return printable(display_path(str(item.path))) if item.path is not None else "not written to a file"


def _summary_json(item) -> dict:
    return {"id": item.id, "name": item.name, "path": None if item.path is None else display_path(str(item.path)),
            "origin": item.origin, "songs": item.songs, "entries": item.entries}


def _list(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.playlist_store import list_playlists

    playlists = list_playlists(library.store)
    for item in playlists:
        if args.json:
            print(json.dumps({**_summary_json(item), "problems": len(item.problems)}, ensure_ascii=False))
        else:
            problems = f"  {len(item.problems)} problems" if item.problems else ""
            print(f"{item.id:>4}  {printable(item.name)}  ({item.songs} of {item.entries} entries are songs, "
                  f"{'made by likewise' if item.origin == 'likewise' else 'a file'}: {_where(item)}){problems}")
    if not playlists and not args.json:
        print("no playlists yet: playlists in the library folder are read by `likewise index`; "
              "`likewise playlists import FILE` reads one from elsewhere")
    return 0


def _show(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.playlist_store import playlist_tracks

    check_output(args, library)
    item = library.playlist(args.name)
    tracks = playlist_tracks(library.store, item.id)
    write_output(args, library, tracks, record=False)  # an export: the store keeps this playlist already
    if args.json:
        moods = library.store.moods()
        print(json.dumps({**_summary_json(item), "problems": item.problems,
                          "tracks": [track_json(track, moods) for track in tracks]}, ensure_ascii=False))
        return 0
    print(f"{printable(item.name)} ({_where(item)}): {item.songs} of {item.entries} entries are songs of the library")
    for position, track in enumerate(tracks, 1):
        print(f"{position:>4}  {printable(track.label)}")
    if item.problems:
        print("problems:")
        print("\n".join(f"  {printable(problem)}" for problem in item.problems))
    return 0


def _import(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.colisten import refresh_colistening
    from likewise.index.playlist_store import import_playlist

    with library.writable_store() as store:
        try:
            item = import_playlist(store, args.file)
        except OSError as error:
            raise CommandError(f"cannot read {printable(args.file)}: {error.strerror or error}") from error
        refresh_colistening(store)  # the playlist is something to learn from; what was learnt before is stale now
    print(f"read {printable(item.name)}: {item.songs} of {item.entries} entries are songs of the library"
          + (f", {len(item.problems)} problems:" if item.problems else ""))
    print("\n".join(problem_lines(item.problems, f"`likewise playlists show {item.id}`")))
    return 0


ACTIONS = {"show": _show, "import": _import}


def run_playlists(library: Library, args: argparse.Namespace) -> int:
    return ACTIONS.get(args.action, _list)(library, args)


def _add_common(parser: argparse.ArgumentParser, json_help: str | None = None) -> None:
    """--db and (with its help) --json, on `playlists` and again on its actions (SUPPRESS: an action's absent option
    leaves the value given before it)."""
    if json_help:
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json_help)
    add_db_option(parser, default=argparse.SUPPRESS)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(json=False, db=None)
    _add_common(parser, "one JSON object per playlist and line: id, name, path, origin, songs, entries, problems")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", help="the songs of a playlist in order, and its problems by line",
                              description="The songs of a stored playlist in order, and its problems: the lines "
                                          "that are not entries, and the entries that match no song. With -o, "
                                          "export it as M3U8.")
    show.add_argument("name", metavar="NAME", help="the playlist's name or number, as `likewise playlists` lists them")
    _add_common(show, "one JSON object: the playlist, its problems and its songs")
    add_playlist_options(show, "the playlist's songs")
    opened = actions.add_parser("import", help="read a playlist file from anywhere into the library store",
                                description="Read an M3U/M3U8, PLS or XSPF playlist (anywhere: its entries are "
                                            "matched to the library's songs by path, then by artist and title) into "
                                            "the library store, or read it again; its problems are listed by line.")
    opened.add_argument("file", type=Path, metavar="FILE", help="the playlist file")
    _add_common(opened)


PLAYLISTS = Subcommand(
    "playlists", help="list, show, export or import the playlists kept in the store",
    description="The playlists kept in the library store: those found in the library folder by `likewise index`, "
                "those read with `playlists import`, and those likewise made (`playlist`, `mix`, `path`, `mood` with "
                "-o). Without ACTION, list them. A playlist's songs seed a mix with `likewise mix --playlist NAME`.",
    add_arguments=_add_arguments, run=run_playlists)
