"""Hostile tags and file names: they cannot add entries to a playlist, nor send escape sequences to a terminal."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from likewise.audio.tags import Tags
from likewise.cli.main import main
from likewise.index.playlist import write_m3u8
from likewise.index.store import LibraryStore
from tests.corpus import synthetic_store

INJECTED = "x\n#EXTINF:1,x\nhttp://host/payload.mp3"
HOSTILE = [
    (f"evil{INJECTED}.mp3", Tags(title=INJECTED, artist="Mallory")),
    ("clear.mp3", Tags(title="Clear \x1b[2J\x1b]0;pwned\x07 screen", artist="Mallory \x9b31m")),
    ("cr\rname\x85.mp3", Tags(title="carriage\rreturn\u2028", artist="Mallory", album="\x0bvertical\x0c")),
    ("sub/Plain Song.mp3", Tags(title="Plain Song", artist="Alice")),
    ("sub/Other Song.mp3", Tags(title="Other Song", artist="Bob")),
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # but the tab and newline we write


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A store of songs with hostile tags and names, in a library folder whose name holds an escape sequence; one
    more file failed with a hostile reason."""
    root = tmp_path / "music\x1b[2J"
    root.mkdir()
    db = tmp_path / "library.sqlite"
    synthetic_store(db, root, named=HOSTILE)
    with LibraryStore(db) as store:
        failed = store.add_pending([("bad\x1b]0;title\x07.mp3", 10, 1.0, "bad")])
        store.save_results([], [(failed[0], "not a recognised audio format \x1b[31m", None)], "synthetic-model")
    return db


def test_hostile_tags_and_names_add_no_playlist_entries(hostile: Path, tmp_path: Path) -> None:
    with LibraryStore(hostile) as store:
        tracks = store.tracks("ok")
        root = store.library_root
    for absolute in (False, True):
        out = tmp_path / "radio.m3u8"
        write_m3u8(tracks, root, out, absolute=absolute)
        text = out.read_text(encoding="utf-8")
        assert not CONTROL.search(text)
        lines = text.splitlines()  # also splits at \r, \x0b, \x0c, \x1c-\x1e, \x85, \u2028 and \u2029
        assert lines[0] == "#EXTM3U" and len(lines) == 1 + 2 * len(tracks), lines
        assert not any(line.startswith("http") for line in lines)
        for track, info, location in zip(tracks, lines[1::2], lines[2::2]):
            assert info.startswith("#EXTINF:") and location and not location.startswith("#")
            if location.startswith("file://"):  # a name no playlist line can hold, written as a URI
                from urllib.parse import unquote_to_bytes, urlparse

                assert unquote_to_bytes(urlparse(location).path) == bytes(root / track.relpath)
            else:
                assert (out.parent / location).resolve() == (root / track.relpath).resolve()


def _assert_printable(output: str) -> None:
    assert not CONTROL.search(output), repr(output)


def test_similar_playlist_info_and_failures_print_no_control_characters(hostile: Path, tmp_path: Path,
                                                                        capsys) -> None:
    db = ["--db", str(hostile)]
    for command in (["similar", "Clear", *db], ["similar", "Plain", "-n", "4", *db], ["playlist", "Plain", *db],
                    ["info", *db], ["index", "--failures", *db]):
        assert main(command) == 0, command
        out, err = capsys.readouterr()
        _assert_printable(out + err)
    assert main(["similar", "Mallory", *db]) == 1  # ambiguous: the matches are listed
    out, err = capsys.readouterr()
    assert "matches 3 songs" in err
    _assert_printable(out + err)
    assert main(["similar", "Clear", *db]) == 0
    out = capsys.readouterr().out
    assert "Clear \\x1b[2J\\x1b]0;pwned\\x07 screen" in out  # shown, escaped, not dropped
