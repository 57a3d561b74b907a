"""Bad inputs at the command line: each a clear one-line error and exit code 1, nothing touched."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from likewise.model.info import read_model_info
from tests.conftest import tone, write_audio
from tests.corpus import as_ordinary_user, make_songs, one_line_error, run_likewise, synthetic_store, write_junk


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A store of six analysed songs (made without the model)."""
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path)
    return db


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    error = one_line_error(["index", str(tmp_path / "no such folder")], tmp_path)
    assert "folder not found" in error and "no such folder" in error


def test_a_file_where_a_folder_is_wanted(tmp_path: Path) -> None:
    song = make_songs(tmp_path, 1)[0]
    assert "not a folder" in one_line_error(["index", str(song)], tmp_path)


def test_no_folder_at_all(tmp_path: Path) -> None:
    finished = run_likewise(["index"], tmp_path)
    assert finished.returncode == 2, finished  # a usage error, as the README's exit codes say
    assert finished.stderr.splitlines() == ["likewise: give the music folder to index, e.g. `likewise index ~/Music`"]


def test_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "no audio files" in one_line_error(["index", str(tmp_path / "empty")], tmp_path)
    assert not (tmp_path / "libraries").exists(), "no store may be created for an empty folder"


def test_a_folder_of_ten_thousand_files_that_are_not_music(tmp_path: Path) -> None:
    write_junk(tmp_path / "downloads")
    started = time.monotonic()
    assert "no audio files" in one_line_error(["index", str(tmp_path / "downloads")], tmp_path)
    assert time.monotonic() - started < 20


def test_an_empty_folder_does_not_wipe_its_library(library: Path) -> None:
    """An unmounted drive looks like an empty folder: refusing it keeps the analyses of the whole library."""
    before = library.read_bytes()
    assert "no audio files" in one_line_error(["index", str(library.parent), "--db", str(library)], library.parent)
    assert library.read_bytes() == before


def test_a_query_that_matches_nothing(library: Path) -> None:
    assert "no song matches 'zzz qqq'" in one_line_error(["similar", "zzz qqq", "--db", str(library)], library.parent)


@pytest.mark.parametrize("command", [["similar", "anything"], ["info"]])
def test_no_library_yet(tmp_path: Path, command: list[str]) -> None:
    assert "no library yet" in one_line_error(command, tmp_path)


def test_a_store_that_does_not_exist(tmp_path: Path) -> None:
    assert "no library store at" in one_line_error(["info", "--db", str(tmp_path / "missing.sqlite")], tmp_path)
    assert not (tmp_path / "missing.sqlite").exists()


@pytest.mark.parametrize("dim", [16, read_model_info().embedding_dim])
def test_a_file_outside_a_library_analysed_by_another_model(tmp_path: Path, dim: int) -> None:
    """likewise was updated, the library not indexed since: the file, embedded by the installed model, cannot be
    compared with the library's vectors (of another size, or of the same size but meaning something else)."""
    db = tmp_path / "library.sqlite"
    synthetic_store(db, tmp_path, dim=dim)  # analysed by "synthetic-model"
    outside = write_audio(tmp_path / "elsewhere" / "song.wav", tone(10.0))
    error = one_line_error(["similar", str(outside), "--db", str(db)], tmp_path)
    assert "synthetic-model" in error and "`likewise index`" in error


def test_a_query_too_long_for_a_file_name_is_searched_as_words(library: Path) -> None:
    query = "あ" * 90  # 270 bytes: no file can have that name, so it is words
    assert f"no song matches {query!r}" in one_line_error(["similar", query, "--db", str(library)], library.parent)


def test_a_playlist_file_name_too_long_is_one_line(library: Path) -> None:
    out = library.parent / ("x" * 300 + ".m3u8")
    error = one_line_error(["playlist", "Song 1", "-n", "2", "-o", str(out), "--db", str(library)], library.parent)
    assert "File name too long" in error and "Traceback" not in error, error


def test_a_store_that_cannot_be_read_is_one_line(library: Path) -> None:
    library.chmod(0)
    try:
        error = one_line_error(["info", "--db", str(library)], library.parent, prefix=as_ordinary_user())
    finally:
        library.chmod(0o644)
    assert f"cannot use {library}" in error, error


def test_any_os_error_a_command_meets_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / ("x" * 300 + ".sqlite")  # met where no path is checked for it
    error = one_line_error(["info", "--db", str(db)], tmp_path)
    assert error.startswith(f"likewise: cannot use {db}: ") and error.endswith("File name too long"), error
