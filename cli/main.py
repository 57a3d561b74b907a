"""The `likewise` command: index a folder, inspect it, ask for similar songs, make playlists.

Logs go to stderr, results to stdout. Exit codes: 0 ok, 1 failure, 2 usage.
"""
from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from pathlib import Path

from likewise.assets import installed_version
from likewise.audio.errors import LikewiseError
from likewise.cli.commands import SUBCOMMANDS
from likewise.cli.commands.mood import attach_mood_points
from likewise.cli.errors import UsageError
from likewise.cli.library import Library
from likewise.index.paths import display_path, os_error_reason
from likewise.index.store import describe_error
from likewise.index.text import printable

log = logging.getLogger("likewise")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, counting each subcommand's name at the indent it is printed at (Python before 3.13 counts it one
    level short, and puts a name of nine letters or more on a line of its own)."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            for subaction in self._iter_indented_subactions(action):
                self._action_max_length = max(self._action_max_length,
                                              len(self._format_action_invocation(subaction)) + self._current_indent)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `likewise` command: one subparser per subcommand, which it names as `subcommand`."""
    parser = argparse.ArgumentParser(
        prog="likewise", description="Offline music recommendations from your own library, by how songs sound.",
        formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"likewise {installed_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for subcommand in SUBCOMMANDS:
        subparser = commands.add_parser(subcommand.name, help=subcommand.help, description=subcommand.description)
        subcommand.add_arguments(subparser)
        subparser.set_defaults(subcommand=subcommand)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `likewise` command: runs the subcommand on its library; a LikewiseError is one line."""
    _open_closed_streams()
    logging.basicConfig(level=logging.WARNING, format="likewise: %(message)s", stream=sys.stderr, force=True)
    log.setLevel(logging.INFO)  # our progress lines; the libraries' chatter (gensim's
    # hundreds of lines while co-listening is learnt) only from warnings up
    args = build_parser().parse_args(attach_mood_points(sys.argv[1:] if argv is None else argv))
    try:
        with Library(getattr(args, "db", None), getattr(args, "folder", None)) as library:
            code = args.subcommand.run(library, args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # the reader went away (`likewise similar ... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the final flush at exit must not fail again
        return 141
    except UsageError as error:
        log.error("%s", error)
        return 2
    except LikewiseError as error:  # CommandError, a store that cannot be used or is busy, a file that cannot be read
        log.error("%s", error)
        return 1
    except sqlite3.Error as error:  # met mid-command: damage past the pages checked on opening, a full disk...
        log.error("%s", describe_error(error, getattr(args, "db", None)))
        return 1
    except OSError as error:  # a file or folder a command could not use (a name too long, no permission...)
        log.error("%s", _os_error_line(error))
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


def _open_closed_streams() -> None:
    """Put the null device in place of a standard stream the command was started without (`>&-`: Python sets
    sys.stdout, sys.stdin or sys.stderr to None): what goes there is dropped, stdin reads as empty. Opened in order,
    each takes the lowest free descriptor, which is then its own unless something took it first."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode))


def _os_error_line(error: OSError) -> str:
    """One line for an OSError that reached the command: the file it concerns, if known, and why."""
    if not isinstance(error.filename, (str, bytes)):
        return os_error_reason(error, Path("."))
    path = Path(os.fsdecode(error.filename))
    return f"cannot use {printable(display_path(str(path)))}: {os_error_reason(error, path)}"


if __name__ == "__main__":
    sys.exit(main())
