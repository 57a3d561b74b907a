"""Starting the desktop app: the `likewise-desktop` command and the `likewise desktop` subcommand."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    """Check the folder and Qt's system libraries, then run the app; errors are named after `args.prog`."""
    from likewise.desktop.system_libraries import display_problem, platform_problem, qt_platform

    if args.folder is not None and not args.folder.expanduser().is_dir():
        print(f"{args.prog}: not a folder: {args.folder}", file=sys.stderr)
        return 2
    platform = qt_platform()
    if problem := platform_problem(platform) or display_problem(platform):  # before Qt, which would abort
        print(f"{args.prog}: {problem}", file=sys.stderr)
        return 1
    from likewise.desktop.app import run_app

    return run_app(args.folder)


def _add_arguments(parser: argparse.ArgumentParser, prog: str) -> None:
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="music folder to open")
    parser.set_defaults(func=_run, prog=prog)


def register(subparsers) -> None:
    """Add the `desktop` subcommand to the `likewise` command."""
    parser = subparsers.add_parser("desktop", help="open the desktop app",
                                   description="Open the likewise desktop app on FOLDER, on the library used last, "
                                               "or on the bundled demo library.")
    _add_arguments(parser, "likewise")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `likewise-desktop` command."""
    parser = argparse.ArgumentParser(prog="likewise-desktop", description="Open the likewise desktop app.")
    _add_arguments(parser, "likewise-desktop")
    return _run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
