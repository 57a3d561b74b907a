"""Hostile tags and file names: they cannot add entries to a playlist, nor send escape sequences to a terminal."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from likewise.audio.discover import FoundFile
from likewise.audio.tags import Tags
from likewise.cli.main import main
from likewise.index.playlist import check_playlist_output, write_m3u8
from likewise.index.playlist_files import read_playlist
from likewise.index.playlist_match import SongMatcher
from likewise.index.playlist_store import library_songs, list_playlists, sync_playlists
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


def test_a_playlist_or_song_named_with_escapes_is_warned_about_escaped(hostile: Path, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="likewise")
    with LibraryStore(hostile) as store:
        name = "\x1b]0;pwned\x07\x1b[2Jevil.m3u"
        playlist = store.library_root / name
        playlist.write_text("http://example.com/stream\n")
        found = playlist.stat()
        _, problems = sync_playlists(store, [FoundFile(name, found.st_size, found.st_mtime)])
        assert problems == ["\\x1b]0;pwned\\x07\\x1b[2Jevil.m3u: line 1: a http: address, not a local file: "
                            "http://example.com/stream"]
        damaged = next(track for track in store.tracks("ok") if "\r" in track.relpath)
        store.db.execute("UPDATE slices SET count = count + 1 WHERE track_id = ?", (damaged.id,))
        assert len(store.slices_of(damaged.id)[0]) == 0
    assert len(caplog.records) == 2 and "cr\\x0dname\\x85.mp3" in caplog.records[1].getMessage()
    _assert_printable(caplog.text)


def test_written_paths_that_look_like_comments_or_end_in_spaces_are_read_back_as_their_songs(tmp_path: Path) -> None:
    root = tmp_path / "music"
    root.mkdir()
    names = ["#1 Crush.mp3", "#EXTINF:3,Fake - Entry.mp3", " leading space.mp3", "trailing space.mp3 ",
             "no-break space.mp3\xa0", "sub/#2.mp3", "plain.mp3"]
    synthetic_store(tmp_path / "library.sqlite", root, named=[(name, Tags(title=name)) for name in names])
    with LibraryStore(tmp_path / "library.sqlite") as store:
        tracks = store.tracks("ok")
        matcher = SongMatcher(library_songs(store), root)
    for absolute in (False, True):
        out = root / "mix.m3u8"  # beside its songs: relative paths are their bare names
        write_m3u8(tracks, root, out, absolute=absolute)
        parsed = read_playlist(out)
        assert parsed.problems == [] and len(parsed.entries) == len(tracks), out.read_text(encoding="utf-8")
        assert [matcher.match(entry, root) for entry in parsed.entries] == [(track.id, "") for track in tracks]


def test_writing_over_a_linked_playlist_replaces_the_link_with_paths_from_its_own_folder(tmp_path: Path) -> None:
    root, here, there = tmp_path / "music", tmp_path / "a", tmp_path / "b" / "deeper"
    for folder in (root, here, there):
        folder.mkdir(parents=True)
    synthetic_store(tmp_path / "library.sqlite", root, named=[("Album/song.mp3", Tags(title="Song"))])
    (there / "real.m3u8").write_text("#EXTM3U\n")
    out = here / "list.m3u8"
    out.symlink_to(there / "real.m3u8")
    with pytest.raises(ValueError, match="add --force"):
        check_playlist_output(out, tmp_path / "library.sqlite", root)
    check_playlist_output(out, tmp_path / "library.sqlite", root, force=True)
    with LibraryStore(tmp_path / "library.sqlite") as store:
        write_m3u8(store.tracks("ok"), root, out)
    assert not out.is_symlink() and (there / "real.m3u8").read_text() == "#EXTM3U\n"  # the file linked to is kept
    entry = out.read_text().splitlines()[-1]
    assert entry.endswith("music/Album/song.mp3") and (here / entry).resolve() == (root / "Album/song.mp3").resolve()


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


LATIN1 = "caf\udce9"  # a file name that is not UTF-8 (byte 0xE9), as Python holds it


@pytest.fixture
def latin1_library(tmp_path: Path) -> Path:
    """A store whose first song's file name is not UTF-8 (the file exists, so a query can name it by path)."""
    root = tmp_path / "music"
    root.mkdir()
    db = tmp_path / "library.sqlite"
    synthetic_store(db, root, named=[(f"{LATIN1}.mp3", Tags(title="Cafe", artist="Alice")),
                                     ("plain.mp3", Tags(title="Plain Song", artist="Bob")),
                                     ("other.mp3", Tags(title="Other Song", artist="Carol"))])
    (root / f"{LATIN1}.mp3").write_bytes(b"x")
    return db


def test_a_playlist_named_with_bytes_that_are_not_utf8_is_written_and_kept(latin1_library: Path, tmp_path: Path,
                                                                           capsys) -> None:
    out = tmp_path / f"{LATIN1}.m3u8"
    assert main(["playlist", "Plain Song", "-n", "2", "-o", str(out), "--db", str(latin1_library)]) == 0
    _, err = capsys.readouterr()
    assert out.is_file() and "not kept" not in err
    with LibraryStore(latin1_library) as store:
        assert [item.name for item in list_playlists(store)] == ["caf\ufffd"]  # as a scan names that file


@pytest.mark.parametrize("command", [["similar", "--json", "{odd}"], ["path", "--json", "{odd}", "Plain Song"],
                                     ["mix", "--json", "{odd}", "Plain Song"]])
def test_json_output_names_a_query_that_is_not_utf8_in_utf8(latin1_library: Path, command: list[str],
                                                             capsys) -> None:
    odd = str(latin1_library.parent / "music" / f"{LATIN1}.mp3")
    assert main([part.replace("{odd}", odd) for part in command] + ["-n", "1", "--db", str(latin1_library)]) == 0
    out = capsys.readouterr().out
    out.encode("utf-8")  # no lone surrogate: the JSON is valid UTF-8
    assert f"{LATIN1.replace(chr(0xdce9), chr(0xfffd))}.mp3" in json.dumps(json.loads(out), ensure_ascii=False)
