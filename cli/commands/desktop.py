"""`likewise desktop`: open the desktop app (the `likewise-desktop` command runs the same code)."""
from __future__ import annotations

import argparse

from likewise.cli.library import Library
from likewise.cli.subcommand import Subcommand
from likewise.desktop.cli import add_arguments, run


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser, "likewise")


def run_desktop(library: Library, args: argparse.Namespace) -> int:
    """The app finds its library from FOLDER itself: it shows the demo library when there is none yet."""
    return run(args)


DESKTOP = Subcommand(
    "desktop", help="open the desktop app",
    description="Open the likewise desktop app on FOLDER, on the library used last, or on the bundled demo library.",
    add_arguments=_add_arguments, run=run_desktop)
