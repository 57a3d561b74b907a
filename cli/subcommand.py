"""What a subcommand of `likewise` is: its name and help, its arguments, and how it runs on the open library."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from likewise.cli.library import Library


@dataclass(frozen=True)
class Subcommand:
    """One `likewise NAME` command (beets' Subcommand is the model).

    `run(library, args)` returns the exit code; the library is opened only when the command first uses it, so a
    command that checks its arguments first reports them before a missing library.
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Library, argparse.Namespace], int]
