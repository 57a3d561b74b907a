"""`likewise repair`: salvage a damaged library store."""
from __future__ import annotations

import argparse

from likewise.cli.library import Library
from likewise.cli.options import add_db_option
from likewise.cli.subcommand import Subcommand


def run_repair(library: Library, args: argparse.Namespace) -> int:
    from likewise.index.repair import repair_store

    print(repair_store(library.db).line())
    return 0


REPAIR = Subcommand(
    "repair", help="salvage a damaged library store",
    description="Check a library store; if it is damaged, copy it aside and keep every row that still reads in a "
                "fresh store. Songs that lost their analysis are analysed again by the next `likewise index`.",
    add_arguments=add_db_option, run=run_repair)
