"""The CLI keeps what it must not touch: `playlist -o` overwrites nothing but a playlist (and that only with --force),
a closed pipe ends a command quietly, and nonsense counts and wildcard searches are refused or taken literally."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from likewise.audio.tags import Tags
from likewise.cli.main import main
from likewise.index.store import LibraryStore
from tests.corpus import LIKEWISE, as_ordinary_user, likewise_env, make_songs, one_line_error, synthetic_store

SONGS = [(f"{n:02d} - Artist {n} - Song {n}.mp3", Tags(title=f"Song {n}", artist=f"Artist {n}")) for n in range(6)]
SONGS += [("100 percent.mp3", Tags(title="100% Pure", artist="Artist 6")),
          ("under score.mp3", Tags(title="a_b", artist="Artist 7"))]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A store of eight analysed songs whose files lie in tmp_path/music (made without the model)."""
    root = tmp_path / "music"
    for relpath, _ in SONGS:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(b"ID3 not really music")
    db = tmp_path / "library.sqlite"
    synthetic_store(db, root, named=SONGS)
    return db


def _playlist(db: Path, out: Path, *extra: str) -> list[str]:
    return ["playlist", "Song 1", "-n", "3", "-o", str(out), "--db", str(db), *extra]


@pytest.mark.parametrize("target", ["library.sqlite", "library.sqlite-wal", "library.sqlite-shm", "library.sqlite.tree",
                                    "library.sqlite.lock", "music/01 - Artist 1 - Song 1.mp3", "music/new.mp3",
                                    "notes.txt", "old.m3u8"])
def test_playlist_output_never_overwrites_what_is_not_a_playlist(library: Path, target: str) -> None:
    folder = library.parent
    (folder / "notes.txt").write_text("my notes")
    (folder / "old.m3u8").write_text("not a playlist, whatever its name")
    path = folder / target
    before = path.read_bytes() if path.exists() else None
    error = one_line_error(_playlist(library, path, "--force"), folder / "data")
    assert "playlist" in error and str(path.name) in error
    after = path.read_bytes() if path.exists() else None
    # Reading the store may make SQLite's own -wal/-shm beside it; no playlist is ever written there.
    sqlite_made = before is None and target.endswith(("-wal", "-shm")) and b"#EXTM3U" not in after
    assert after == before or sqlite_made
    with LibraryStore(library) as store:
        assert store.counts()["ok"] == 8


def test_overwriting_a_playlist_needs_force(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "radio.m3u8"
    assert main(_playlist(library, out)) == 0
    first = out.read_text()
    assert first.startswith("#EXTM3U\n") and "Song 1" in first
    out.write_text("#EXTM3U\n#EXTINF:1,mine\nmine.mp3\n")
    assert "--force" in one_line_error(_playlist(library, out), tmp_path / "data")
    assert out.read_text() == "#EXTM3U\n#EXTINF:1,mine\nmine.mp3\n"
    assert main(_playlist(library, out, "--force")) == 0
    assert out.read_text() == first
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []


def test_playlist_output_errors_are_one_line(library: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "folder not found" in one_line_error(_playlist(library, tmp_path / "missing" / "radio.m3u8"), data)
    (tmp_path / "lists.m3u8").mkdir()
    assert "is a folder" in one_line_error(_playlist(library, tmp_path / "lists.m3u8"), data)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        finished = subprocess.run([*as_ordinary_user(), str(LIKEWISE), *_playlist(library, locked / "radio.m3u8")],
                                  env=likewise_env(data), capture_output=True, text=True, timeout=60)
    finally:
        locked.chmod(0o700)
    assert finished.returncode == 1 and finished.stderr.startswith("likewise: cannot write"), finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1 and not list(locked.iterdir())


def test_a_closed_pipe_ends_the_output_quietly(library: Path, tmp_path: Path) -> None:
    """`likewise similar … --json | head -c 100`: the reader goes away before the output is written."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as closed_pipe:
        finished = subprocess.run([str(LIKEWISE), "similar", "Song 1", "Song 2", "--json", "--db", str(library)],
                                  env=likewise_env(tmp_path), stdout=closed_pipe, stderr=subprocess.PIPE, text=True,
                                  timeout=60)
    assert finished.returncode in (0, 141) and finished.stderr == "", finished.stderr


def _with_closed(redirect: str, args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    """`likewise ARGS` with a standard stream closed by the shell (`>&-`, `<&-`, `2>&-`): Python then sets
    sys.stdout, sys.stdin or sys.stderr to None."""
    return subprocess.run(["sh", "-c", f'exec "$0" "$@" {redirect}', str(LIKEWISE), *args], env=likewise_env(data_dir),
                          capture_output=True, text=True, timeout=120)


def test_a_closed_stdout_or_stdin_is_no_traceback(library: Path, tmp_path: Path) -> None:
    info = _with_closed(">&-", ["info", "--db", str(library)], tmp_path)
    assert info.returncode == 0 and info.stderr == "", info.stderr  # it succeeded: its output went nowhere
    forget = _with_closed("<&-", ["forget", "--plays", "--db", str(library)], tmp_path)
    assert forget.returncode == 1 and forget.stderr.splitlines() == [
        "likewise: erasing the listening history needs --yes when not asked at a terminal"], forget.stderr


def test_indexing_with_stderr_closed_succeeds(tmp_path: Path) -> None:
    make_songs(tmp_path / "music", 2)
    finished = _with_closed("2>&-", ["index", str(tmp_path / "music"), "--db", str(tmp_path / "new.sqlite")], tmp_path)
    assert finished.returncode == 0 and "added 2" in finished.stdout, finished.stdout
    muting = "from likewise.model.tfsetup import native_stderr_silenced as m\nwith m(): print('muted')"
    silenced = subprocess.run(["sh", "-c", 'exec "$0" -c "$1" 2>&-', sys.executable, muting], capture_output=True,
                              text=True, timeout=60)  # as the desktop app started from a GUI launcher meets it
    assert silenced.stdout == "muted\n", silenced.stdout


@pytest.mark.parametrize("option", [["-n", "0"], ["-n", "-5"], ["--per-artist", "-1"], ["--per-album", "-1"],
                                    ["-n", "ten"]])
@pytest.mark.parametrize("command", ["similar", "playlist"])
def test_nonsense_counts_are_usage_errors(library: Path, command: str, option: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "Song 1", *option, "--db", str(library)])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert option[0] in error and "Traceback" not in error


def test_percent_and_underscore_are_searched_literally(library: Path, capsys) -> None:
    with LibraryStore(library) as store:
        assert [track.title for track in store.search("%")] == ["100% Pure"]
        assert [track.title for track in store.search("a_b")] == ["a_b"]
        assert [track.title for track in store.search("_")] == ["a_b"]
        assert store.search("100%Pure") == []
    assert main(["similar", "%", "--db", str(library)]) == 0
    assert "Similar to Artist 6 - 100% Pure" in capsys.readouterr().out
