"""Playlists: reading M3U, M3U8, PLS and XSPF (nasty files too), matching their entries to songs tolerantly, and
keeping the playlists of an indexed library in step with its folder."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from likewise.index.pipeline import Indexer
from likewise.index.playlist_files import (MAX_PLAYLIST_BYTES, Entry, entry_path, parse_playlist,
                                           read_playlist)
from likewise.index.playlist_match import LibrarySong, SongMatcher
from likewise.index.playlist_store import (import_playlist, list_playlists, playlist_problems, playlist_sequences,
                                           playlist_tracks, save_made_playlist)
from likewise.index.store import LibraryStore
from tests.conftest import tone, write_audio
from tests.test_index import make_library

# --- reading -----------------------------------------------------------------------------------------------------


def test_m3u8_with_bom_crlf_tags_comments_urls_and_windows_paths() -> None:
    text = ("#EXTM3U\r\n"
            "#PLAYLIST:Road trip\r\n"
            "\r\n"
            "# a comment\r\n"
            "#EXTINF:187,Björk - Jóga\r\n"
            "album0/01 song.mp3\r\n"
            "/home/me/Music/b.flac\r\n"
            "#EXTINF:-1,Untitled thing\r\n"
            "file:///home/me/Music/with%20space%C3%A9.ogg\r\n"
            "C:\\Music\\Artist\\c.mp3\r\n")
    parsed = parse_playlist(b"\xef\xbb\xbf" + text.encode("utf-8"), ".m3u8", "road")
    assert parsed.name == "Road trip" and parsed.problems == []
    assert [(entry.line, entry.location) for entry in parsed.entries] == [
        (6, "album0/01 song.mp3"), (7, "/home/me/Music/b.flac"),
        (9, "file:///home/me/Music/with%20space%C3%A9.ogg"), (10, "C:\\Music\\Artist\\c.mp3")]
    first, second, third, _ = parsed.entries
    assert (first.artist, first.title, first.duration) == ("Björk", "Jóga", 187.0)
    assert (second.artist, second.title, second.duration) == ("", "", None)  # #EXTINF tags only the next line
    assert (third.artist, third.title, third.duration) == ("", "Untitled thing", None)


def test_m3u_in_latin1_is_read() -> None:
    parsed = parse_playlist("#EXTINF:10,Café - Crème\nCafé/crème.mp3\n".encode("latin-1"), ".m3u", "old")
    assert parsed.problems == []
    assert (parsed.entries[0].location, parsed.entries[0].artist) == ("Café/crème.mp3", "Café")


def test_a_windows_m3u_is_read_as_cp1252_and_lines_end_only_at_cr_or_lf() -> None:
    names = ["Artist \u2013 Song.mp3", "Wait\u2026 What.mp3", "After.mp3"]
    data = "".join(f"C:\\Music\\{name}\r\n" for name in names).encode("cp1252") + b"odd\x81\x8d.mp3\n"
    parsed = parse_playlist(data, ".m3u", "old")  # 0x85 is cp1252's '\u2026', not a line break
    assert [(entry.line, entry.location) for entry in parsed.entries] == [
        (1, "C:\\Music\\Artist \u2013 Song.mp3"), (2, "C:\\Music\\Wait\u2026 What.mp3"), (3, "C:\\Music\\After.mp3"),
        (4, "odd\x81\x8d.mp3")]  # the bytes cp1252 leaves undefined are read as Latin-1
    utf8 = "a\u2028b.mp3\nc\x0cd.mp3\re\x1cf.mp3\ng\x85h.mp3\n".encode()
    parsed = parse_playlist(utf8, ".m3u8", "new")
    assert [(entry.line, entry.location) for entry in parsed.entries] == [(1, "a\u2028b.mp3"), (4, "g\x85h.mp3")]
    assert [problem[:27] for problem in parsed.problems] == ["line 2: not a path or URL: ", "line 3: not a path or URL: "]


def test_garbage_lines_are_problems_with_their_line_and_the_rest_is_kept() -> None:
    data = b"#EXTM3U\na.mp3\nhttp://radio.example/stream\nbad\x1b[2Jline.mp3\n#EXTINF:no comma\nb.mp3\n"
    parsed = parse_playlist(data, ".m3u", "mixed")
    assert [entry.location for entry in parsed.entries] == ["a.mp3", "b.mp3"]
    assert parsed.problems[0].startswith("line 3: a http: address, not a local file")
    assert parsed.problems[1].startswith("line 4: not a path or URL: bad\\x1b[2J")  # shown escaped, harmless
    assert parsed.problems[2] == "line 5: #EXTINF without a comma before the title"


def test_a_binary_file_named_m3u_is_one_problem() -> None:
    parsed = parse_playlist(b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90", ".m3u", "song")
    assert parsed.entries == [] and parsed.problems == ["line 1: binary data, not a text playlist: not read"]


def test_pls_entries_in_order_with_titles_lengths_and_problems() -> None:
    text = ("[playlist]\r\n"
            "File2=second.ogg\r\n"
            "Title2=Someone - Second\r\n"
            "File1=C:\\Music\\first.mp3\r\n"
            "Length1=61\r\n"
            "this line is garbage\r\n"
            "NumberOfEntries=3\r\n"
            "Version=2\r\n")
    parsed = parse_playlist(text.encode(), ".pls", "list")
    assert [(entry.line, entry.location, entry.duration) for entry in parsed.entries] == [
        (4, "C:\\Music\\first.mp3", 61.0), (2, "second.ogg", None)]
    assert (parsed.entries[1].artist, parsed.entries[1].title) == ("Someone", "Second")
    assert parsed.problems == ["line 6: not a key=value line",
                               "line 7: NumberOfEntries=3, but 2 File entries were found"]


XSPF = """<?xml version="1.0" encoding="UTF-8"?>
<playlist version="1" xmlns="http://xspf.org/ns/0/">
  <title>Evening</title>
  <trackList>
    <track>
      <location>file:///home/me/Music/a%20b.mp3</location>
      <creator>Artist</creator>
      <title>Song &amp; more</title>
      <duration>201500</duration>
    </track>
    <track>
      <location>sub/c%C3%A9.ogg</location>
    </track>
    <track>
      <creator>Only</creator>
      <title>Tags</title>
    </track>
  </trackList>
</playlist>
"""


def test_xspf_tracks_with_their_lines_tags_and_escaped_locations() -> None:
    parsed = parse_playlist(XSPF.encode(), ".xspf", "file")
    assert parsed.name == "Evening" and parsed.problems == []
    assert [(entry.line, entry.location) for entry in parsed.entries] == [
        (5, "file:///home/me/Music/a%20b.mp3"), (11, "sub/cé.ogg"), (14, "")]
    first = parsed.entries[0]
    assert (first.artist, first.title, first.duration) == ("Artist", "Song & more", 201.5)
    assert (parsed.entries[2].artist, parsed.entries[2].title) == ("Only", "Tags")


def test_truncated_xspf_keeps_the_tracks_before_the_damage() -> None:
    cut = XSPF[: XSPF.index("<location>sub")]
    parsed = parse_playlist(cut.encode(), ".xspf", "cut")
    assert [entry.line for entry in parsed.entries] == [5]
    assert len(parsed.problems) == 1 and parsed.problems[0].startswith("line 12: damaged XML (")
    assert parsed.problems[0].endswith("the 1 songs before it are kept")


def test_xspf_with_an_entity_bomb_is_refused_at_once() -> None:
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE playlist [', '<!ENTITY a0 "lol">']
    lines += [f'<!ENTITY a{n} "{("&a%d;" % (n - 1)) * 10}">' for n in range(1, 10)]
    lines += [']>', '<playlist><trackList><track><location>&a9;</location></track></trackList></playlist>']
    started = time.monotonic()
    parsed = parse_playlist("\n".join(lines).encode(), ".xspf", "bomb")
    assert time.monotonic() - started < 1.0  # nothing was expanded (it would be 10**9 characters)
    assert parsed.entries == []
    assert parsed.problems == ["line 2: a DTD or entity declaration, which likewise does not read (it can expand "
                               "without end): not read"]


HOSTILE_PLAYLISTS = {  # each once crashed the scan; now each is a problem of its line, the rest of the playlist kept
    "keys.pls": b"[playlist]\nFile1=a.mp3\nFile" + b"1" * 5000 + b"=b.mp3\nTitle" + b"2" * 5000 + b"=x\n",
    "urls.m3u8": "a.mp3\nfile://[/music/b.mp3\nfile://a\u2100b/c.mp3\n".encode(),
    "japanese.xspf": XSPF.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode(),
    "bogus.xspf": XSPF.replace('encoding="UTF-8"', 'encoding="bogus"').encode(),
}


def test_huge_pls_indexes_bad_file_urls_and_unknown_encodings_are_problems_of_their_line() -> None:
    keys = parse_playlist(HOSTILE_PLAYLISTS["keys.pls"], ".pls", "keys")
    assert [entry.location for entry in keys.entries] == ["a.mp3"]
    assert [problem[:24] for problem in keys.problems] == ["line 3: unknown key File", "line 4: unknown key Titl"]
    urls = parse_playlist(HOSTILE_PLAYLISTS["urls.m3u8"], ".m3u8", "urls")
    assert [entry.location for entry in urls.entries] == ["a.mp3"]
    assert urls.problems == ["line 2: not a path or URL: file://[/music/b.mp3",
                             "line 3: not a path or URL: file://a\u2100b/c.mp3"]
    for name in ("japanese.xspf", "bogus.xspf"):
        parsed = parse_playlist(HOSTILE_PLAYLISTS[name], ".xspf", name)
        assert parsed.entries == [] and len(parsed.problems) == 1, parsed.problems
        assert parsed.problems[0].startswith("line 1: a text encoding likewise does not read (")


def test_a_huge_file_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.m3u"
    with open(huge, "wb") as handle:
        handle.truncate(MAX_PLAYLIST_BYTES + 1)  # sparse: costs no disk
    parsed = read_playlist(huge)
    assert parsed.entries == [] and "too large for a playlist" in parsed.problems[0]
    assert read_playlist(tmp_path / "missing.pls").problems == ["cannot be read: No such file or directory"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_a_folder_named_m3u_is_refused_without_waiting(tmp_path: Path) -> None:
    pipe, folder = tmp_path / "pipe.m3u", tmp_path / "folder.m3u"
    os.mkfifo(pipe)  # nobody writes to it: opening it to read waits for a writer
    folder.mkdir()
    read: list = []
    reader = threading.Thread(target=lambda: read.extend(read_playlist(path) for path in (pipe, folder)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # let the blocked reader go before failing
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert [parsed.problems for parsed in read] == [["not a regular file: not read"],
                                                    ["cannot be read: Is a directory"]]


@pytest.mark.parametrize("location, parts, absolute", [
    ("a/b.mp3", ["a", "b.mp3"], False),
    ("..\\x\\b.mp3", ["..", "x", "b.mp3"], False),
    ("/m/a b.mp3", ["m", "a b.mp3"], True),
    ("C:\\Music\\b.mp3", ["C:", "Music", "b.mp3"], True),
    ("\\\\server\\share\\b.mp3", ["server", "share", "b.mp3"], True),
    ("file:///C:/Music/b%20c.mp3", ["C:", "Music", "b c.mp3"], True),
    ("file://localhost/m/%E2%99%AB.mp3", ["m", "♫.mp3"], True),
    ("file://nas/share/b.mp3", ["nas", "share", "b.mp3"], True),
])
def test_entry_paths_of_every_kind(location: str, parts: list[str], absolute: bool) -> None:
    assert entry_path(location) == (parts, absolute)


# --- matching ----------------------------------------------------------------------------------------------------

ROOT = Path("/new/Music")
SONGS = [
    LibrarySong(1, "Artist/Album/01 a.mp3", "A", "Artist", 100.0),
    LibrarySong(2, "Other/Album/01 a.mp3", "A", "Other", 200.0),
    LibrarySong(3, "Artist/Album/02 b.flac", "B", "Artist", 150.0),
    LibrarySong(4, "Live/b.flac", "B", "Artist", 300.0),
    LibrarySong(5, "loose.ogg", "", "", None),
]


def _match(location: str, folder: Path | None = ROOT, artist: str = "", title: str = "",
           duration: float | None = None) -> tuple[int | None, str]:
    return SongMatcher(SONGS, ROOT).match(Entry(1, location, artist, title, duration), folder)


def test_paths_relative_to_the_playlist_or_absolute_under_the_library() -> None:
    assert _match("Album/02 b.flac", ROOT / "Artist") == (3, "")
    assert _match("../Other/Album/01 a.mp3", ROOT / "Artist") == (2, "")
    assert _match("/new/Music/Live/b.flac") == (4, "")
    assert _match("file:///new/Music/loose.ogg") == (5, "")


def test_a_moved_library_or_another_drive_matches_by_the_longest_trailing_path() -> None:
    assert _match("/old/place/Music/Other/Album/01 a.mp3", Path("/elsewhere")) == (2, "")
    assert _match("D:\\MUSIC\\artist\\album\\01 A.MP3") == (1, "")  # case and separators do not matter
    assert _match("\\\\nas\\music\\Live\\b.flac") == (4, "")
    assert _match("X:\\loose.ogg") == (5, "")  # one file of that name: its name is enough


def test_tags_are_the_fallback_and_an_ambiguous_match_is_refused() -> None:
    assert _match("Z:\\gone\\nothing.mp3", artist="ARTIST", title="a!") == (1, "")  # tags loosely compared
    assert _match("", artist="Artist", title="B") == (None, "2 songs of the library are Artist - B")
    assert _match("", artist="Artist", title="B", duration=299.0) == (4, "")  # the duration tells them apart
    assert _match("/somewhere/Album/01 a.mp3") == (None, "2 songs of the library end in Album/01 a.mp3")
    assert _match("/somewhere/Album/01 a.mp3", artist="Other", title="A") == (2, "")
    assert _match("Artist/missing.mp3") == (None, "no song of the library matches Artist/missing.mp3")


# --- the store and the scan --------------------------------------------------------------------------------------


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, Path]:
    return make_library(tmp_path / "music"), tmp_path / "store.sqlite"


def _songs(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*")
                  if path.suffix in (".mp3", ".flac", ".ogg"))


def _by_name(db: Path) -> dict:
    with LibraryStore(db) as store:
        return {item.name: (item, [track.relpath for track in playlist_tracks(store, item.id)])
                for item in list_playlists(store)}


def test_scan_imports_playlists_and_reports_a_damaged_one_while_indexing_every_song(library) -> None:
    root, db = library
    songs = _songs(root)
    (root / "good.m3u8").write_text(f"#EXTM3U\n{songs[0]}\n#EXTINF:9,Nobody - Nothing\nalbum0/missing.mp3\n"
                                    f"{(root / songs[1]).as_posix()}\n")
    (root / "album1" / "list.pls").write_text(f"[playlist]\nFile1=..\\{songs[2].replace('/', chr(92))}\n"
                                              "NumberOfEntries=1\n")
    broken = XSPF.replace("file:///home/me/Music/a%20b.mp3", songs[3].replace(" ", "%20"))
    (root / "broken.xspf").write_text(broken[: broken.index("<location>sub")])
    (root / "bomb.xspf").write_text('<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a "b">]>\n<playlist/>\n')
    summary = Indexer(root, db, jobs=1).run()
    assert (summary.analysed, summary.failed) == (6, 0)  # every song indexed
    assert summary.playlists_read == 4
    assert any(problem.startswith("broken.xspf: line 12: damaged XML") for problem in summary.playlist_problems)
    assert "bomb.xspf: line 2: a DTD or entity declaration" in " ".join(summary.playlist_problems)
    found = _by_name(db)
    assert set(found) == {"good", "list", "Evening", "bomb"}
    good, good_songs = found["good"]
    assert good_songs == [songs[0], songs[1]] and (good.entries, good.songs) == (3, 2)
    assert good.problems == ["line 4: no song of the library matches album0/missing.mp3"]
    assert found["list"][1] == [songs[2]] and found["list"][0].problems == []
    assert found["Evening"][1] == [songs[3]]  # the songs before the damage are kept
    with LibraryStore(db) as store:
        assert "broken.xspf: line 12: damaged XML" in " ".join(playlist_problems(store))
        ids = {track.relpath: track.id for track in store.tracks()}
        assert sorted(playlist_sequences(store)) == sorted([[ids[songs[0]], ids[songs[1]]], [ids[songs[2]]],
                                                            [ids[songs[3]]]])


def test_hostile_playlists_are_stored_with_their_problems_by_the_scan_and_by_hand(tmp_path: Path) -> None:
    root, db = make_library(tmp_path / "music", count=1), tmp_path / "store.sqlite"
    for name, data in HOSTILE_PLAYLISTS.items():
        (root / name).write_bytes(data)
    summary = Indexer(root, db, jobs=1).run()
    assert (summary.analysed, summary.playlists_read) == (1, 4)
    assert {problem.partition(":")[0] for problem in summary.playlist_problems} == set(HOSTILE_PLAYLISTS)
    assert Indexer(root, db, jobs=1).run().playlists_read == 0  # stored: not read again on every run
    with LibraryStore(db) as store:
        for name in HOSTILE_PLAYLISTS:
            assert import_playlist(store, root / name).problems, name


def test_rescan_reads_a_changed_playlist_forgets_a_deleted_one_and_matches_new_songs(library) -> None:
    root, db = library
    songs = _songs(root)
    (root / "a.m3u").write_text(f"{songs[0]}\nlater/new song.flac\n")
    (root / "b.m3u").write_text(f"{songs[1]}\n")
    Indexer(root, db, jobs=1).run()
    assert _by_name(db)["a"][1] == [songs[0]]

    (root / "b.m3u").unlink()
    stamp = (root / "a.m3u").stat().st_mtime
    (root / "a.m3u").write_text(f"{songs[4]}\n{songs[0]}\nlater/new song.flac\n")
    os.utime(root / "a.m3u", (stamp + 5, stamp + 5))
    write_audio(root / "later" / "new song.flac", tone(9.0, frequency=1234.0))
    summary = Indexer(root, db, jobs=1).run()
    assert (summary.added, summary.playlists_read) == (1, 1)
    found = _by_name(db)
    assert set(found) == {"a"}
    assert found["a"][1] == [songs[4], songs[0], "later/new song.flac"] and found["a"][0].problems == []

    assert Indexer(root, db, jobs=1).run().playlists_read == 0  # unchanged: not read again


def test_playlist_opened_by_hand_and_playlists_likewise_made(library, tmp_path: Path) -> None:
    root, db = library
    Indexer(root, db, jobs=1).run()
    songs = _songs(root)
    elsewhere = tmp_path / "old-computer.m3u"
    elsewhere.write_text("".join(f"D:\\Old\\music\\{song.replace('/', chr(92))}\r\n" for song in songs[:3]))
    with LibraryStore(db) as store:
        opened = import_playlist(store, elsewhere)
        assert (opened.name, opened.origin, opened.path, opened.songs) == ("old-computer", "file", elsewhere, 3)
        assert [track.relpath for track in playlist_tracks(store, opened.id)] == songs[:3]
        ids = [store.track_by_path(song).id for song in (songs[5], songs[2])]
        made = save_made_playlist(store, "Radio", ids, None)
        assert (made.origin, made.path, made.songs) == ("likewise", None, 2)
        written = root / "mix.m3u8"
        written.write_text("#EXTM3U\n")  # what write_m3u8 wrote, as far as the scan cares
        inside = save_made_playlist(store, "Mix", ids[:1], written)
        assert inside.path == written
        assert playlist_sequences(store) == [[track.id for track in playlist_tracks(store, opened.id)]]  # the
        # person's playlists teach co-listening; the ones likewise made would feed its own guesses back
    assert Indexer(root, db, jobs=1).run().playlists_read == 0  # the made playlist's file is known, not re-read

    shutil.copy(root / songs[5], tmp_path / "keep")
    (root / songs[5]).unlink()  # the song of the made playlists goes
    Indexer(root, db, jobs=1).run()
    found = _by_name(db)
    assert found["Radio"][1] == [songs[2]] and found["Mix"][1] == []
    assert found["Radio"][0].problems == [f"song 1: no song of the library matches {root / songs[5]}"]
    assert found["old-computer"][0].path == elsewhere  # opened by hand, outside the folder: the scan keeps it


def test_a_folder_or_a_pipe_opened_as_a_playlist_is_refused_and_not_kept(library, tmp_path: Path) -> None:
    root, db = library
    Indexer(root, db, jobs=1).run()
    (tmp_path / "My Playlists").mkdir()
    os.mkfifo(tmp_path / "pipe.m3u")
    with LibraryStore(db) as store:
        for path in (tmp_path / "My Playlists", tmp_path / "pipe.m3u"):
            with pytest.raises(OSError, match="not a playlist file"):
                import_playlist(store, path)
        assert list_playlists(store) == []


def test_odd_names_and_endless_problems_are_stored_safely(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9 \x1b[31m.m3u"))
    odd.write_bytes(b"#PLAYLIST:red\x1b[31mname\n" + b"".join(b"\x01line %d\n" % n for n in range(500)))
    with LibraryStore(tmp_path / "store.sqlite", library_root=tmp_path / "music", create=True) as store:
        stored = import_playlist(store, odd)
        assert (stored.name, stored.path, stored.entries) == ("red\\x1b[31mname", odd, 0)
        assert len(stored.problems) == 101 and stored.problems[-1] == "and 400 more problems"
        (odd.with_name("plain.m3u")).write_bytes(b"a.mp3\n")
        assert import_playlist(store, odd.with_name("plain.m3u")).name == "plain"
        odd.write_bytes(b"a.mp3\n")
        assert import_playlist(store, odd).name == "caf\ufffd \\x1b[31m"  # read again: the same one, renamed
        assert len(list_playlists(store)) == 2


def test_a_read_only_store_before_playlists_has_none(tmp_path: Path) -> None:
    fixture = sorted((Path(__file__).parent / "fixtures" / "stores").glob("v*.sqlite"))[-1]
    older = shutil.copy(fixture, tmp_path / "older.sqlite")
    with LibraryStore(older, read_only=True) as store:
        assert list_playlists(store) == [] and playlist_sequences(store) == [] and playlist_problems(store) == []
