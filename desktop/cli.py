"""Starting the desktop app: the `likewise-desktop` command and the `likewise desktop` subcommand."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from desktop.app import run_app

    return run_app(args.folder)


def register(subparsers) -> None:
    """Add the `desktop` subcommand to the `likewise` command."""
    parser = subparsers.add_parser("desktop", help="open the desktop app",
                                   description="Open the likewise desktop app on FOLDER, on the library used last, "
                                               "or on the bundled demo library.")
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="music folder to open")
    parser.set_defaults(func=_run)


def main() -> int:
    """Entry point of the `likewise-desktop` command."""
    parser = argparse.ArgumentParser(prog="likewise-desktop", description="Open the likewise desktop app.")
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="music folder to open")
    return _run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
