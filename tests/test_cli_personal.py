"""The command line of what likewise learns from the person (issue 19): --audio-only and "played together" in
similar, mix and the radio; plays in `list`; `forget --plays`; `playlists` (list, show, export, import, mix seed);
playlists made with -o kept in the store; playlist problems in `info`. On copies of the indexed demo store."""
from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from likewise.cli.main import main
from likewise.index.colisten import colistening_path, load_colistening, refresh_colistening
from likewise.index.playlist_store import import_playlist, list_playlists, playlist_tracks, save_made_playlist
from likewise.index.plays import count_plays, record_play
from likewise.index.store import LibraryStore, Track
from tests.corpus import run_likewise
from tests.test_colisten import _pair_far_apart_by_sound, _playlists

UNCAPPED = ["--per-artist", "0", "--per-album", "0"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def colistened(demo_store_copy: Path, tmp_path: Path) -> tuple[Path, str, str, Track]:
    """The demo store with 20 playlists holding two songs far apart by sound side by side, and the co-listening
    learnt from them: (store, the first song's file, a third song's file, the second song)."""
    with LibraryStore(demo_store_copy) as store:
        a, b = _pair_far_apart_by_sound(store)
        paths = {track.id: store.library_root / track.relpath for track in store.tracks("ok")}
        for number, songs in enumerate(_playlists(list(paths), a, b, together=20)):
            playlist = tmp_path / f"list {number}.m3u8"
            playlist.write_text("".join(f"{paths[song]}\n" for song in songs), encoding="utf-8")
            import_playlist(store, playlist)  # the person's own playlists, opened by hand
        assert refresh_colistening(store) is not None
        third = next(t for t in store.tracks("ok")[5:] if t.id not in (a, b))
        return (demo_store_copy, str(store.library_root / store.track(a).relpath),
                str(store.library_root / third.relpath), store.track(b))


def _json_ranking(out: str) -> list[str]:
    return [item["path"] for item in json.loads(out)["results"]]


def test_audio_only_leaves_co_listening_out_of_similar_mix_and_radio(colistened, capsys) -> None:
    db, song_a, song_c, partner = colistened
    asked = {"similar": ["similar", song_a, "-n", "19", *UNCAPPED, "--json"],
             "mix": ["mix", song_a, song_c, "-n", "19", *UNCAPPED, "--json"],
             "radio": ["playlist", song_a, "-n", "3", *UNCAPPED]}
    blended = {name: _run(capsys, *argv, "--db", str(db))[1] for name, argv in asked.items()}
    audio_only = {name: _run(capsys, *argv, "--audio-only", "--db", str(db))[1] for name, argv in asked.items()}
    colistening_path(db).unlink()  # no co-listening at all: the plain audio ranking
    plain = {name: _run(capsys, *argv, "--db", str(db))[1] for name, argv in asked.items()}
    assert audio_only == plain
    assert {name: blended[name] != plain[name] for name in asked} == {name: True for name in asked}
    ranking, by_sound = _json_ranking(blended["similar"]), _json_ranking(plain["similar"])
    assert ranking.index(partner.relpath) < by_sound.index(partner.relpath)
    found = {item["path"]: item for item in json.loads(blended["similar"])["results"]}
    assert found[partner.relpath]["together"] == 20
    assert all(item["together"] == 0 for item in json.loads(plain["similar"])["results"])
    assert partner.label in blended["radio"] and partner.label not in plain["radio"]
    mixed, mixed_by_sound = _json_ranking(blended["mix"]), _json_ranking(plain["mix"])
    assert mixed.index(partner.relpath) < mixed_by_sound.index(partner.relpath)


def test_a_playlist_imported_later_keeps_co_listening_in_use(colistened, tmp_path: Path, capsys) -> None:
    db, first, third, second = colistened
    playlist, _ = _hand_made(db, tmp_path)
    assert _run(capsys, "playlists", "import", str(playlist), "--db", str(db))[0] == 0
    with LibraryStore(db, read_only=True) as store:
        assert load_colistening(store) is not None, "co-listening was switched off by the import"


def test_similar_and_mix_text_say_often_played_together(colistened, capsys) -> None:
    db, song_a, _, partner = colistened
    code, out, _ = _run(capsys, "similar", song_a, "-n", "19", *UNCAPPED, "--db", str(db))
    [row] = [line for line in out.splitlines() if partner.label[:60] in line]
    assert code == 0 and row.endswith("often played together (20 times)")
    code, out, _ = _run(capsys, "similar", song_a, "-n", "19", *UNCAPPED, "--audio-only", "--db", str(db))
    assert code == 0 and "played together" not in out


def test_list_shows_the_plays_that_counted_and_when_the_last_began(demo_store_copy: Path, capsys) -> None:
    with LibraryStore(demo_store_copy) as store:
        song, other = store.tracks("ok")[:2]
        record_play(store, song.id, 1_700_000_000.0, 200.0, 200.0)
        record_play(store, song.id, 1_700_090_000.0, 200.0, 200.0)
        record_play(store, song.id, 1_700_990_000.0, 5.0, 200.0)  # a skip: not counted, not the last played
        record_play(store, other.id, 1_700_000_500.0, 5.0, 200.0)
    code, out, _ = _run(capsys, "list", "--json", "--db", str(demo_store_copy))
    listed = {item["path"]: item for item in map(json.loads, out.splitlines())}
    assert code == 0
    assert listed[song.relpath]["plays"] == 2
    assert listed[song.relpath]["last_played"] == datetime.fromtimestamp(1_700_090_000).astimezone().isoformat(
        timespec="seconds")
    assert datetime.fromisoformat(listed[song.relpath]["last_played"]).timestamp() == 1_700_090_000
    assert (listed[other.relpath]["plays"], listed[other.relpath]["last_played"]) == (0, None)
    code, out, _ = _run(capsys, "list", "--db", str(demo_store_copy))
    assert [line for line in out.splitlines() if "played 2 times" in line] == [
        line for line in out.splitlines() if song.label in line]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_forget_plays_asks_refuses_without_a_terminal_and_erases_the_history(demo_store_copy: Path, capsys,
                                                                              monkeypatch) -> None:
    with LibraryStore(demo_store_copy) as store:
        ids = [track.id for track in store.tracks("ok")[:3]]
        for number, track_id in enumerate(ids):
            record_play(store, track_id, 1000.0 + 200 * number, 200.0, 200.0)
        save_made_playlist(store, "kept", ids, None)
        refresh_colistening(store)
    assert colistening_path(demo_store_copy).exists()
    db = ["--db", str(demo_store_copy)]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = _run(capsys, "forget", "--plays", *db)
    assert (code, out) == (1, "") and err.splitlines()[-1] == (
        "likewise: erasing the listening history needs --yes when not asked at a terminal")
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    code, out, err = _run(capsys, "forget", "--plays", *db)
    assert (code, out) == (1, "nothing erased\n") and "Erase the 3 plays" in err
    with LibraryStore(demo_store_copy, read_only=True) as store:
        assert count_plays(store) == 3
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    code, out, _ = _run(capsys, "forget", "--plays", *db)
    assert code == 0 and out.startswith("erased 3 plays")
    with LibraryStore(demo_store_copy, read_only=True) as store:
        assert count_plays(store) == 0 and [p.name for p in list_playlists(store)] == ["kept"]
    assert not colistening_path(demo_store_copy).exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert _run(capsys, "forget", "--plays", "--yes", *db)[:2] == (0, _erased(0))
    assert _run(capsys, "forget", *db)[0] == 2  # what to forget must be said: a usage error


def _erased(count: int) -> str:
    return (f"erased {count} plays and the co-listening learnt from them; playlists are kept (the next "
            "`likewise index` learns from them again)\n")


def _hand_made(demo_store_copy: Path, folder: Path) -> tuple[Path, list[str]]:
    """A playlist outside the library: three songs by absolute path, a line that is no entry, a missing song;
    (its file, its songs' paths in the library in order)."""
    with LibraryStore(demo_store_copy, read_only=True) as store:
        root, songs = store.library_root, [t.relpath for t in store.tracks("ok")[:3]]
    playlist = folder / "evening.m3u8"
    playlist.write_text(f"#EXTM3U\n{root / songs[2]}\nbad\x01line\n{root / songs[0]}\n/nowhere/gone.mp3\n"
                        f"{root / songs[1]}\n", encoding="utf-8")
    return playlist, [songs[2], songs[0], songs[1]]


def test_playlists_import_list_show_export_and_mix(demo_store_copy: Path, tmp_path: Path, capsys) -> None:
    db = ["--db", str(demo_store_copy)]
    playlist, songs = _hand_made(demo_store_copy, tmp_path)
    code, out, _ = _run(capsys, "playlists", "import", str(playlist), *db)
    assert code == 0 and out.startswith("read evening: 3 of 4 entries are songs of the library, 2 problems:")
    assert "  line 3: not a path or URL" in out and "  line 5: " in out
    code, out, err = _run(capsys, "playlists", "import", str(tmp_path / "missing.m3u"), *db)
    assert (code, out) == (1, "") and err.splitlines()[-1].startswith("likewise: cannot read ")

    code, out, _ = _run(capsys, "playlists", "--json", *db)
    [listed] = map(json.loads, out.splitlines())
    assert listed == {"id": listed["id"], "name": "evening", "path": str(playlist), "origin": "file", "songs": 3,
                      "entries": 4, "problems": 2}
    code, out, _ = _run(capsys, "playlists", "show", "EVENING", "--json", *db)
    shown = json.loads(out)
    assert [track["path"] for track in shown["tracks"]] == songs and len(shown["problems"]) == 2
    assert _run(capsys, "playlists", "show", str(listed["id"]), *db)[1] == _run(
        capsys, "playlists", "show", "evening", *db)[1]
    exported = tmp_path / "copy.m3u8"
    code, out, _ = _run(capsys, "playlists", "show", "evening", "-o", str(exported), *db)
    assert code == 0 and "line 3: not a path or URL" in out
    root = LibraryStore(demo_store_copy, read_only=True).library_root
    assert [(tmp_path / line).resolve() for line in exported.read_text().splitlines() if not line.startswith("#")] \
        == [(root / song).resolve() for song in songs]
    assert [item.name for item in list_playlists(LibraryStore(demo_store_copy, read_only=True))] == ["evening"]
    assert _run(capsys, "playlists", "show", "nothing such", *db)[0] == 1

    code, out, _ = _run(capsys, "mix", "--playlist", "evening", "-n", "5", "--json", *db)
    mixed = json.loads(out)
    assert code == 0 and [seed["path"] for seed in mixed["seeds"]] == songs
    assert len(mixed["results"]) == 5 and not {item["path"] for item in mixed["results"]} & set(songs)
    assert _run(capsys, "mix", "--db", str(demo_store_copy))[0] == 2  # neither songs nor a playlist: a usage error


def test_playlists_made_with_o_are_kept_in_the_store(demo_store_copy: Path, tmp_path: Path, capsys) -> None:
    db = ["--db", str(demo_store_copy)]
    with LibraryStore(demo_store_copy, read_only=True) as store:
        first, last = store.tracks("ok")[0], store.tracks("ok")[-1]
        first_path, last_path = str(store.library_root / first.relpath), str(store.library_root / last.relpath)
    made = {"radio": ["playlist", first_path, "-n", "4"], "mix": ["mix", first_path, "-n", "4"],
            "path": ["path", first_path, last_path, "-n", "4"],
            "journey": ["mood", "--from", "-0.5,-0.5", "--to", "0.5,0.5", "-n", "4"]}
    for name, argv in made.items():
        assert _run(capsys, *argv, "-o", str(tmp_path / f"{name}.m3u8"), *db)[0] == 0
    with LibraryStore(demo_store_copy, read_only=True) as store:
        kept = {item.name: item for item in list_playlists(store)}
        assert set(kept) == set(made)
        for name, item in kept.items():
            written = [line for line in (tmp_path / f"{name}.m3u8").read_text().splitlines()
                       if not line.startswith("#")]
            assert (item.origin, item.path, item.songs, item.problems) == ("likewise", tmp_path / f"{name}.m3u8",
                                                                          len(written), [])
            assert [Path(t.relpath).name for t in playlist_tracks(store, item.id)] == [Path(w).name for w in written]
        assert playlist_tracks(store, kept["radio"].id)[0].id == first.id


def test_info_lists_the_playlist_problems_first_few_with_the_total(demo_store_copy: Path, tmp_path: Path,
                                                                   capsys) -> None:
    db = ["--db", str(demo_store_copy)]
    playlist, _ = _hand_made(demo_store_copy, tmp_path)
    assert _run(capsys, "playlists", "import", str(playlist), *db)[0] == 0
    many = tmp_path / "noise.m3u"
    many.write_text("".join(f"junk\x01{n}\n" for n in range(9)))
    assert _run(capsys, "playlists", "import", str(many), *db)[0] == 0
    code, out, _ = _run(capsys, "info", *db)
    lines = out.splitlines()
    start = lines.index("playlists: 2, 11 problems:")
    assert code == 0 and lines[start + 1].startswith(f"  {playlist}: line 3: not a path or URL")
    assert lines[start + 6] == "  ... and 6 more: `likewise playlists show NAME` lists a playlist's"
    assert len(lines) == start + 7


def test_learning_co_listening_prints_nothing_of_gensim(demo_store_copy: Path, tmp_path: Path) -> None:
    playlist, _ = _hand_made(demo_store_copy, tmp_path)
    finished = run_likewise(["playlists", "import", str(playlist), "--db", str(demo_store_copy)], tmp_path / "data")
    assert finished.returncode == 0, finished.stderr
    assert finished.stderr.strip() == "", finished.stderr[:2000]
