"""The `likewise` command's shape: one registry of subcommands, each run on a library opened when first used."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from likewise.cli.commands import SUBCOMMANDS
from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.cli.main import build_parser, main
from tests.corpus import synthetic_store


def test_the_registry_names_each_subcommand_once_and_the_help_lists_them_all(capsys) -> None:
    names = [subcommand.name for subcommand in SUBCOMMANDS]
    assert len(names) == len(set(names)) and {"index", "similar", "desktop", "train"} <= set(names)
    commands = next(action for action in build_parser()._actions if action.dest == "command")
    assert list(commands.choices) == names
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    for subcommand in SUBCOMMANDS:
        assert f"    {subcommand.name} " in shown and subcommand.help.split()[0] in shown


def test_the_library_is_opened_once_when_first_used_and_closed_after(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    with Library(db) as library:
        assert library.db == db
        store = library.store
        assert library.store is store and library.recommender is library.recommender
        assert library.seed("Song 1").track is not None
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        store.counts()


def test_a_missing_library_is_reported_only_when_a_command_uses_it(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nowhere.sqlite"
    library = Library(missing)
    assert library.db == missing  # finding its path opens nothing
    with pytest.raises(CommandError):
        library.store
    assert main(["mood", "--from", "0,0", "--db", str(missing)]) == 1
    assert "a journey needs both" in capsys.readouterr().err  # the arguments first, as before the library
