"""The `likewise` command's shape: one registry of subcommands, each run on a library opened when first used."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from likewise.cli.commands import SUBCOMMANDS
from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.cli.main import build_parser, main
from likewise.index.paths import default_db_path
from likewise.index.search import cache_path
from likewise.index.store import LibraryStore
from tests.corpus import make_songs, one_line_error, run_likewise, snapshot, synthetic_store


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
    assert main(["mood", "--from", "0,0", "--db", str(missing)]) == 2  # a usage error
    assert "a journey needs both" in capsys.readouterr().err  # the arguments first, as before the library


def test_a_moved_library_whose_store_is_open_elsewhere_is_not_moved(tmp_path: Path, monkeypatch) -> None:
    """A store open in another program (the app) keeps SQLite files beside it: moving it under that program would
    leave it writing to a name that is gone, so the move waits until the store is closed."""
    data, old, new = tmp_path / "data", tmp_path / "Music", tmp_path / "Tunes"
    monkeypatch.setenv("LIKEWISE_DATA_DIR", str(data))
    make_songs(old, 2)
    assert run_likewise(["index", str(old)], data).returncode == 0
    old_db, new_db = default_db_path(old), default_db_path(new)
    old.rename(new)
    with LibraryStore(old_db) as elsewhere:  # the app, with the library open
        elsewhere.tracks()
        error = one_line_error(["index", str(new), "--moved-from", str(old)], data)
        assert "open in another program" in error, error
    assert old_db.is_file() and not new_db.exists()


def test_a_moved_library_takes_its_store_along_without_db(tmp_path: Path, monkeypatch) -> None:
    """`likewise index NEW --moved-from OLD`: OLD's own store, re-rooted, becomes NEW's own store, its search cache
    with it; a store already at NEW's place is never replaced."""
    data, old, new = tmp_path / "data", tmp_path / "Music", tmp_path / "Tunes"
    monkeypatch.setenv("LIKEWISE_DATA_DIR", str(data))  # where default_db_path looks, as the command does
    make_songs(old, 2)
    assert run_likewise(["index", str(old)], data).returncode == 0
    assert run_likewise(["similar", "Song 000"], data).returncode == 0  # makes the search cache beside the store
    old_db, new_db = default_db_path(old), default_db_path(new)
    before = snapshot(old_db)
    old.rename(new)

    in_the_way = tmp_path / "in the way"
    synthetic_store(new_db, in_the_way, songs=1)
    kept = new_db.read_bytes()
    error = one_line_error(["index", str(new), "--moved-from", str(old)], data)
    assert str(new_db) in error and "move it aside" in error, error
    assert new_db.read_bytes() == kept and snapshot(old_db) == before
    with LibraryStore(old_db, read_only=True) as store:
        assert store.library_root == old  # refused before anything changed
    new_db.unlink()

    moved = run_likewise(["index", str(new), "--moved-from", str(old)], data)
    assert moved.returncode == 0 and "unchanged 2" in moved.stdout, moved.stderr
    assert snapshot(new_db) == before
    with LibraryStore(new_db, read_only=True) as store:
        assert store.library_root == new
    assert sorted(path.name for path in old_db.parent.glob(f"{old_db.name}*")) == [f"{old_db.name}.lock"]
    assert cache_path(new_db).is_file()
    again = run_likewise(["index", str(new), "--moved-from", str(old)], data)  # run twice: nothing left to move
    assert again.returncode == 0 and "unchanged 2" in again.stdout, again.stderr
