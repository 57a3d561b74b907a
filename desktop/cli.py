"""Starting the desktop app: the `likewise-desktop` command, and what the `likewise desktop` subcommand runs."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
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


def add_arguments(parser: argparse.ArgumentParser, prog: str) -> None:
    """FOLDER, and the name that errors are reported under."""
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="music folder to open")
    parser.set_defaults(prog=prog)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `likewise-desktop` command."""
    parser = argparse.ArgumentParser(prog="likewise-desktop", description="Open the likewise desktop app.")
    add_arguments(parser, "likewise-desktop")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
