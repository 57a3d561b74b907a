"""`likewise forget --plays`: erase the listening history kept in the library store."""
from __future__ import annotations

import argparse
import sys

from likewise.cli.errors import CommandError, UsageError
from likewise.cli.library import Library
from likewise.cli.options import add_db_option
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path
from likewise.index.text import printable


def confirmed(question: str) -> bool:
    """Whether the person at the terminal answers yes (on stderr, so that stdout keeps only results)."""
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().casefold() in ("y", "yes")


def run_forget(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.plays import count_plays, forget_plays

    if not args.plays:
        raise UsageError("say what to forget: --plays (the listening history)")
    held = count_plays(library.store)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError("erasing the listening history needs --yes when not asked at a terminal")
        question = f"Erase the {held} plays of {printable(library.db)} and what was learnt from them?"
        if not confirmed(question):
            print("nothing erased")
            return 1
    with library.writable_store() as store:
        forgotten = forget_plays(store)
    print(f"erased {forgotten.erased} plays and the co-listening learnt from them; playlists are kept (the next "
          "`likewise index` learns from them again)")
    for copy in forgotten.kept_in:
        print(f"the copy {printable(display_path(str(copy)))} that likewise set aside still holds plays (it is "
              "damaged, so they could not be erased there): delete it when you no longer need it")
    return 0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plays", action="store_true",
                        help="the listening history: every play, and the co-listening learnt from it")
    parser.add_argument("--yes", action="store_true", help="do not ask (needed when not at a terminal)")
    add_db_option(parser)


FORGET = Subcommand(
    "forget", help="erase the listening history (--plays)",
    description="Erase what likewise keeps of your listening: with --plays, every play recorded in the library store "
                "(its pages overwritten), in the copies of the store likewise set aside beside it, and the "
                "co-listening learnt from them. Playlists are kept. Nothing of it ever leaves the store.",
    add_arguments=_add_arguments, run=run_forget)
