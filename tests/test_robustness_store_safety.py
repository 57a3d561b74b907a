"""Store safety: atomic creation, moved libraries, full disks, read-only stores, real damage and `likewise repair`.

Every test runs the real command or the real store on real files; a healthy store is never called damaged.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from likewise.index.lock import IndexLock
from likewise.index.pipeline import Indexer
from likewise.index.playlist_store import list_playlists, playlist_tracks, save_made_playlist
from likewise.index.plays import count_plays, record_play
from likewise.index.queue import SavedQueue, load_queue, save_queue
from likewise.index.scan import scan_library
from likewise.index.store import LibraryStore, StoreError
from tests.corpus import as_ordinary_user, likewise_env, make_songs, one_line_error, run_likewise, snapshot

QUERY = "Crossroads"  # one song of the demo library


@pytest.fixture
def store_copy(demo_library: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the indexed demo store (its library folder stays the shared demo copy)."""
    db = tmp_path / "store" / "library.sqlite"
    db.parent.mkdir()
    shutil.copyfile(demo_library[1], db)
    return db


def _index_error(args: list[str], data_dir: Path) -> str:
    """The one error line of a failing `likewise index` (after its 'indexing FOLDER into STORE' progress line)."""
    finished = run_likewise(args, data_dir, timeout=120)
    lines = [line for line in finished.stderr.strip().splitlines() if not line.startswith("likewise: indexing ")]
    assert finished.returncode == 1 and len(lines) == 1 and lines[0].startswith("likewise: "), finished.stderr
    return lines[0]


def _similar(db: Path, data_dir: Path, prefix: list[str] | None = None) -> list[str]:
    finished = run_likewise(["similar", QUERY, "--json", "--db", str(db)], data_dir, timeout=120, prefix=prefix)
    assert finished.returncode == 0, finished.stderr
    return [item["path"] for item in json.loads(finished.stdout)["results"]]


def _execute(db: Path, *statements: tuple[str, tuple]) -> None:
    with closing(sqlite3.connect(db)) as connection, connection:
        for sql, args in statements:
            connection.execute(sql, args)


# --- item 7: atomic creation, a folder name that is not UTF-8 ----------------------------------------------------

KILL_DURING_CREATE = """
import os, signal, sys
from pathlib import Path
made = []  # connections opened so far; traced once their __init__ has returned
def kill_in_schema(sql):
    if "CREATE TABLE tracks" in sql:
        os.kill(os.getpid(), signal.SIGKILL)
def hook(event, args):
    if event == "sqlite3.connect/handle":
        made.append(args[0])
def profile(frame, event, arg):
    while made and event == "c_call":
        made[0].set_trace_callback(kill_in_schema)
        made.pop(0)
sys.addaudithook(hook)
sys.setprofile(profile)
from likewise.index.store import LibraryStore
LibraryStore(Path(sys.argv[1]), library_root=Path(sys.argv[2]), create=True)
"""


def test_a_store_killed_while_being_created_leaves_nothing_that_later_runs_refuse(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    killed = subprocess.run([sys.executable, "-c", KILL_DURING_CREATE, str(db), str(tmp_path)],
                            env=likewise_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # it really died in the middle of the schema
    assert not db.exists(), "a half-made store was left at the store's path"
    assert list(tmp_path.glob(".library.sqlite.*.new*")), "the killed run left no temporary store to clean up"
    in_use = tmp_path / f".library.sqlite.{os.getppid()}.new"  # a live process's temporary store: not ours to remove
    in_use.write_bytes(b"being built")
    with LibraryStore(db, library_root=tmp_path, create=True) as store:
        assert store.library_root == tmp_path and store.counts() == {"ok": 0, "pending": 0, "failed": 0}
    assert sorted(tmp_path.glob(".library.sqlite.*.new*")) == [in_use], "a dead run's temporary store was left"


def test_a_library_folder_whose_name_is_not_utf8_is_indexed(tmp_path: Path) -> None:
    music = tmp_path / os.fsdecode(b"m\xfcsica \xff")  # Latin-1 bytes: not valid UTF-8
    make_songs(tmp_path / "plain", 2)
    os.rename(tmp_path / "plain", music)
    db = tmp_path / "library.sqlite"
    finished = run_likewise(["index", str(music), "--db", str(db)], tmp_path / "data")
    assert finished.returncode == 0, finished.stderr
    assert "added 2" in finished.stdout
    with LibraryStore(db) as store:
        assert store.library_root == music and store.counts()["ok"] == 2
    again = run_likewise(["index", str(music), "--db", str(db)], tmp_path / "data")
    assert again.returncode == 0 and "unchanged 2" in again.stdout, again.stderr
    info = run_likewise(["info", "--db", str(db)], tmp_path / "data")
    assert info.returncode == 0 and "2 analysed" in info.stdout, info.stderr


# --- item 8: one store, two folders; a moved library --------------------------------------------------------------


def test_a_store_of_another_folder_says_whose_it_is_and_a_moved_library_keeps_its_analyses(
        store_copy: Path, demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    old_root = demo_library[0]
    moved = tmp_path / "moved music"
    shutil.copytree(old_root, moved)
    before = snapshot(store_copy)
    error = _index_error(["index", str(moved), "--db", str(store_copy)], tmp_path / "data")
    assert "damaged" not in error and "delete" not in error, error
    assert str(old_root) in error and f"--moved-from" in error, error
    assert snapshot(store_copy) == before
    wrong = _index_error(["index", str(moved), "--db", str(store_copy), "--moved-from", str(tmp_path / "elsewhere")],
                         tmp_path / "data")
    assert str(old_root) in wrong and "elsewhere" in wrong and "damaged" not in wrong, wrong

    finished = run_likewise(["index", str(moved), "--db", str(store_copy), "--moved-from", str(old_root)],
                            tmp_path / "data")
    assert finished.returncode == 0, finished.stderr
    assert "added 0" in finished.stdout and "unchanged 20" in finished.stdout, finished.stdout
    assert snapshot(store_copy) == before, "moving the library must keep every analysis"
    with LibraryStore(store_copy) as store:
        assert store.library_root == moved


# --- item 9: a full disk -----------------------------------------------------------------------------------------


def test_a_full_disk_while_writing_keeps_the_store_and_says_so(store_copy: Path) -> None:
    with LibraryStore(store_copy) as store:
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        with pytest.raises(StoreError, match="disk is full") as raised:
            store.add_pending([(f"new/{n:04d} {'x' * 200}.flac", 1, 1.0, "x") for n in range(2000)])
        assert "\n" not in str(raised.value) and "damaged" not in str(raised.value)
    with LibraryStore(store_copy) as store:
        assert store.counts()["ok"] == 20 and store.integrity_ok()


FULL_DISK_SCRIPT = """
set -e
mount -t tmpfs -o size=400k tmpfs "$1"
head -c 330000 /dev/zero > "$1/filler" || true
set +e
"$2" index "$3" --db "$1/library.sqlite" > "$4/first.out" 2> "$4/first.err"; echo $? > "$4/first.rc"
rm "$1/filler"
"$2" index "$3" --db "$1/library.sqlite" > "$4/second.out" 2> "$4/second.err"; echo $? > "$4/second.rc"
"$2" info --db "$1/library.sqlite" > "$4/info.out" 2>&1
true
"""


def test_a_disk_that_fills_up_during_index_says_so_and_the_next_run_resumes(tmp_path: Path) -> None:
    """A real full file system: a 400 KB tmpfs holding the store, nearly filled before the run."""
    from tests.corpus import LIKEWISE

    music, mount, out = tmp_path / "music", tmp_path / "small disk", tmp_path / "out"
    make_songs(music, 60)
    mount.mkdir()
    out.mkdir()
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--mount"]
    subprocess.run([*namespace, "sh", "-c", FULL_DISK_SCRIPT, "sh", str(mount), str(LIKEWISE), str(music), str(out)],
                   env=likewise_env(tmp_path / "data"), check=True, timeout=600)
    first_err = [line for line in (out / "first.err").read_text().splitlines() if "analysed" not in line
                 and "indexing" not in line]
    assert (out / "first.rc").read_text().strip() == "1", first_err
    assert len(first_err) == 1 and "disk is full" in first_err[0] and "damaged" not in first_err[0], first_err
    assert (out / "second.rc").read_text().strip() == "0", (out / "second.err").read_text()
    assert "60 analysed" in (out / "info.out").read_text(), (out / "info.out").read_text()


def test_a_full_disk_when_taking_the_lock_is_one_line(tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_songs(music, 1)
    db = tmp_path / "library.sqlite"
    Path(str(db) + ".lock").symlink_to("/dev/full")  # every write there fails with ENOSPC
    error = _index_error(["index", str(music), "--db", str(db)], tmp_path / "data")
    assert "disk is full" in error, error


# --- item 10 and the lock: read-only stores and folders, a data folder that is a file -------------------------


def test_read_commands_work_on_a_read_only_store_and_index_says_it_cannot_write(
        store_copy: Path, demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    expected = _similar(store_copy, tmp_path / "data")
    user = as_ordinary_user()
    store_copy.chmod(0o444)
    for folder_mode in (0o755, 0o555):  # the file alone read-only, then its folder too (no -wal/-shm can be made)
        store_copy.parent.chmod(folder_mode)
        try:
            info = run_likewise(["info", "--db", str(store_copy)], tmp_path / "data", prefix=user)
            assert info.returncode == 0 and "20 analysed" in info.stdout, info.stderr
            assert _similar(store_copy, tmp_path / "data", prefix=user) == expected
            failures = run_likewise(["index", "--failures", "--db", str(store_copy)], tmp_path / "data", prefix=user)
            assert failures.returncode == 0, failures.stderr
            index = run_likewise(["index", str(demo_library[0]), "--db", str(store_copy)], tmp_path / "data",
                                 prefix=user)
            lines = [line for line in index.stderr.strip().splitlines() if not line.startswith("likewise: indexing")]
            assert index.returncode == 1 and len(lines) == 1, index.stderr
            assert "cannot be written" in lines[0] and "damaged" not in lines[0], lines
        finally:
            store_copy.parent.chmod(0o755)


def test_a_data_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_songs(music, 1)
    data = tmp_path / "data"
    data.write_text("not a folder")
    error = _index_error(["index", str(music)], data)
    assert str(data) in error and "not a folder" in error, error


# --- real damage: quick_check before writing, `likewise repair` ----------------------------------------------------


def _damage_page(db: Path, name: str) -> None:
    """Overwrite the first page of table or index `name` with random bytes."""
    with closing(sqlite3.connect(db)) as connection:
        page = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(np.random.default_rng(7).bytes(page_size))


def test_index_refuses_a_structurally_damaged_store_and_offers_repair(
        store_copy: Path, demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    _damage_page(store_copy, "tracks_status")  # an index page: reading meta and tracks never touches it
    before = store_copy.read_bytes()
    error = _index_error(["index", str(demo_library[0]), "--db", str(store_copy)], tmp_path / "data")
    assert "damaged" in error and "likewise repair" in error, error
    assert error.index("repair") < error.find("delete") if "delete" in error else True
    assert store_copy.read_bytes() == before, "index must not write into a damaged store"


def test_repair_salvages_a_damaged_store_and_the_next_index_reanalyses_the_rest(
        store_copy: Path, demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    _damage_page(store_copy, "tracks")
    damaged = store_copy.read_bytes()
    error = one_line_error(["similar", QUERY, "--db", str(store_copy)], tmp_path / "data")
    assert "damaged" in error and "likewise repair" in error, error

    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data")
    assert repaired.returncode == 0, repaired.stderr
    assert "kept" in repaired.stdout, repaired.stdout
    aside = [path for path in store_copy.parent.iterdir() if ".damaged-" in path.name]
    assert len(aside) == 1 and aside[0].read_bytes() == damaged, "the damaged store must be kept aside, untouched"
    with LibraryStore(store_copy) as store:
        assert store.integrity_ok()

    index = run_likewise(["index", str(demo_library[0]), "--db", str(store_copy)], tmp_path / "data")
    assert index.returncode == 0, index.stderr
    with LibraryStore(store_copy) as store:
        assert store.counts() == {"ok": 20, "pending": 0, "failed": 0}
    assert _similar(store_copy, tmp_path / "data")


def test_damaged_vectors_are_skipped_with_a_warning_and_repair_has_them_reanalysed(
        store_copy: Path, demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    with LibraryStore(store_copy) as store:
        seed = store.search(QUERY)[0]
        others = [track for track in store.tracks() if track.id != seed.id][:2]
    short, nan = others
    nan_vectors = np.full((10, 32), np.nan, np.float32).tobytes()
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (short.id,)),
             ("UPDATE slices SET vectors = ? WHERE track_id = ?", (nan_vectors, nan.id)))

    finished = run_likewise(["similar", QUERY, "--json", "-n", "30", "--db", str(store_copy)], tmp_path / "data")
    assert finished.returncode == 0, finished.stderr
    assert "Traceback" not in finished.stderr and "damaged" in finished.stderr
    shown = {item["path"] for item in json.loads(finished.stdout)["results"]}
    assert shown and short.relpath not in shown and nan.relpath not in shown
    seeded = run_likewise(["similar", short.label, "--db", str(store_copy)], tmp_path / "data")
    errors = [line for line in seeded.stderr.splitlines() if "skipping" not in line]
    assert seeded.returncode == 1 and len(errors) == 1 and "likewise repair" in errors[0], seeded.stderr

    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data")
    assert repaired.returncode == 0 and "2" in repaired.stdout, (repaired.stdout, repaired.stderr)
    with LibraryStore(store_copy) as store:
        assert store.counts() == {"ok": 18, "pending": 2, "failed": 0}
    index = run_likewise(["index", str(demo_library[0]), "--db", str(store_copy)], tmp_path / "data")
    assert index.returncode == 0 and "resumed 2" in index.stdout, (index.stdout, index.stderr)


def test_repair_of_a_healthy_store_changes_nothing(store_copy: Path, tmp_path: Path) -> None:
    before = store_copy.read_bytes()
    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data")
    assert repaired.returncode == 0 and "nothing to repair" in repaired.stdout, repaired.stdout
    assert store_copy.read_bytes() == before
    assert not [path for path in store_copy.parent.iterdir() if ".damaged-" in path.name]


# --- changed songs stay searchable while they are re-analysed ------------------------------------------------------


def test_a_changed_song_keeps_its_old_analysis_until_the_new_one_is_stored(tmp_path: Path) -> None:
    music = tmp_path / "music"
    songs = make_songs(music, 3)
    db = tmp_path / "library.sqlite"
    assert Indexer(music, db, jobs=1).run().analysed == 3
    relpath = songs[1].name
    with LibraryStore(db) as store:
        old_vectors = store.slices_of(store.track_by_path(relpath).id)[0].copy()
        model_id = store.analysis_settings()[0]
    make_songs(tmp_path / "other", 3)
    shutil.copyfile(tmp_path / "other" / songs[2].name, songs[1])  # new sound, same name
    with LibraryStore(db) as store:
        scan = scan_library(store, music, model_id)  # what an index run does first, before any analysis
        assert scan.updated == 1 and [path for _, path in scan.to_analyse] == [relpath]
        track = store.track_by_path(relpath)
        assert track.status == "ok", "a changed song must stay searchable while it waits for re-analysis"
        assert [found.id for found in store.search(track.title)] == [track.id]
        assert track.id in set(store.all_slices()[1].tolist())
    summary = Indexer(music, db, jobs=1).run()
    assert summary.updated == 1 and summary.analysed == 1
    with LibraryStore(db) as store:
        track = store.track_by_path(relpath)
        assert track.status == "ok" and track.size == songs[1].stat().st_size
        assert not np.allclose(store.slices_of(track.id)[0], old_vectors)
    assert Indexer(music, db, jobs=1).run().unchanged == 3


# --- songs leave the store only when their files are known to be gone ------------------------------------------------


def _played_library(tmp_path: Path) -> tuple[Path, Path]:
    """A library of three indexed songs, two of them in a sub-folder, each played once."""
    music = tmp_path / "music"
    make_songs(music / "Album", 2)
    shutil.move(make_songs(tmp_path / "more", 3)[2], music / "single.flac")
    db = tmp_path / "library.sqlite"
    assert Indexer(music, db, jobs=1).run().analysed == 3
    with LibraryStore(db) as store:
        for track in store.tracks():
            record_play(store, track.id, 1_000_000.0, 200.0, 200.0)
    return music, db


def _plays(db: Path) -> int:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT COUNT(*) FROM plays").fetchone()[0]


def test_a_folder_that_cannot_be_read_keeps_its_songs_and_their_plays(tmp_path: Path) -> None:
    music, db = _played_library(tmp_path)
    (music / "Album").chmod(0)  # a permission slip, or a network share that does not answer for a moment
    try:
        finished = run_likewise(["index", str(music), "--db", str(db)], tmp_path / "data", prefix=as_ordinary_user())
    finally:
        (music / "Album").chmod(0o755)
    assert finished.returncode == 0, finished.stderr
    assert "removed 0" in finished.stdout and "could not read 1" in finished.stdout, finished.stdout
    with LibraryStore(db) as store:
        assert store.counts() == {"ok": 3, "pending": 0, "failed": 0}
    assert _plays(db) == 3
    assert "unchanged 3" in run_likewise(["index", str(music), "--db", str(db)], tmp_path / "data").stdout


def test_an_empty_library_folder_leaves_its_store_as_it_was(tmp_path: Path) -> None:
    """An unplugged drive often leaves its mount point behind, empty; the desktop's rescan runs the Indexer itself."""
    music, db = _played_library(tmp_path)
    shutil.move(music, tmp_path / "unplugged")
    music.mkdir()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="no audio files.*nothing was changed"):
        Indexer(music, db, jobs=1).run()
    assert db.read_bytes() == before and _plays(db) == 3


def test_repair_keeps_the_plays_the_queue_the_playlists_and_the_moods(store_copy: Path, tmp_path: Path) -> None:
    with LibraryStore(store_copy) as store:
        tracks = store.tracks()
        for number, track in enumerate(tracks[:5]):
            record_play(store, track.id, 1_000_000.0 + 300 * number, 200.0, 200.0)
        save_queue(store, SavedQueue([track.id for track in tracks[3:8]], current=2))
        save_made_playlist(store, "road trip", [track.id for track in tracks[:4]], None)
        moods = store.moods()
    assert len(moods) == 20
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (tracks[0].id,)))

    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data")
    assert repaired.returncode == 0 and "kept 20 songs" in repaired.stdout, (repaired.stdout, repaired.stderr)
    with LibraryStore(store_copy) as store:
        assert store.counts() == {"ok": 19, "pending": 1, "failed": 0}
        assert count_plays(store) == 5
        assert load_queue(store) == SavedQueue([track.id for track in tracks[3:8]], current=2)
        assert [[track.id for track in playlist_tracks(store, made.id)] for made in list_playlists(store)] == [
            [track.id for track in tracks[:4]]]
        assert {track_id: mood for track_id, mood in store.moods().items()} == {
            track_id: mood for track_id, mood in moods.items() if track_id != tracks[0].id}  # pending: no mood shown


def test_a_file_in_the_way_of_the_lock_file_is_left_as_it_was(tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_songs(music, 1)
    db = tmp_path / "library.sqlite"
    for content in (b"my own notes\n", b"\x89PNG\r\n\x1a\n\xff"):
        notes = tmp_path / "notes"
        notes.write_bytes(content)
        Path(str(db) + ".lock").unlink(missing_ok=True)
        Path(str(db) + ".lock").symlink_to(notes)
        error = _index_error(["index", str(music), "--db", str(db)], tmp_path / "data")
        assert "not made by likewise" in error and "move it aside" in error, error
        assert notes.read_bytes() == content


def test_a_lock_file_left_by_killed_runs_is_taken_over_and_holds_one_pid(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    lock = Path(str(db) + ".lock")
    lock.write_text("pid 101pid 202")  # two runs killed while holding it, with a version that appended its pid
    with IndexLock(db):
        assert lock.read_text() == f"pid {os.getpid()}"
    assert lock.read_text() == ""


def test_repair_waits_while_another_program_has_the_store_open(store_copy: Path, tmp_path: Path) -> None:
    """The app, open all along, would go on writing plays into the store repair replaced (and its -wal, which
    repair removes): they would be lost. Repair refuses until the store is closed, and changes nothing."""
    import time

    with LibraryStore(store_copy) as store:
        victim = store.tracks("ok")[0].id
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (victim,)))
    app = LibraryStore(store_copy, writing=True)
    try:
        record_play(app, victim, time.time() - 100, 200.0, 200.0)
        error = one_line_error(["repair", "--db", str(store_copy)], tmp_path / "data")
        assert "open in another program" in error, error
        record_play(app, victim, time.time(), 200.0, 200.0)
    finally:
        app.close()
    assert not list(tmp_path.glob("*.damaged-*"))
    with LibraryStore(store_copy, read_only=True) as store:
        assert count_plays(store) == 2
    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data")
    assert repaired.returncode == 0 and "1" in repaired.stdout, (repaired.stdout, repaired.stderr)
    with LibraryStore(store_copy, read_only=True) as store:
        assert count_plays(store) == 2


def test_repair_checks_for_the_app_once_the_copy_aside_is_made(store_copy: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Copying a large store aside takes seconds, in which the app may open it: the check is made after the copy,
    just before the store is replaced, and the copy made for nothing is removed."""
    import time

    from likewise.index import repair

    with LibraryStore(store_copy) as store:
        victim = store.tracks("ok")[0].id
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (victim,)))
    opened = []
    copy = shutil.copyfile

    def copy_while_the_app_opens(source, target):
        copy(source, target)
        if not opened:
            opened.append(LibraryStore(store_copy, writing=True))  # the app, opening the library meanwhile

    monkeypatch.setattr(repair.shutil, "copyfile", copy_while_the_app_opens)
    try:
        with pytest.raises(StoreError, match="open in another program"):
            repair.repair_store(store_copy)
        record_play(opened[0], victim, time.time(), 200.0, 200.0)
    finally:
        for app in opened:
            app.close()
    assert not list(store_copy.parent.glob("*.damaged-*"))
    with LibraryStore(store_copy, read_only=True) as store:
        assert count_plays(store) == 1


def test_repair_of_a_read_only_store_file_that_nothing_has_open(store_copy: Path, tmp_path: Path) -> None:
    """The file is read-only, its folder is not: the store is replaced by a repaired one, as before repair asked
    whether another program has it open (which, asked through a connection that cannot write, always said yes)."""
    with LibraryStore(store_copy) as store:
        victim = store.tracks("ok")[0].id
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (victim,)))
    store_copy.chmod(0o444)
    repaired = run_likewise(["repair", "--db", str(store_copy)], tmp_path / "data", prefix=as_ordinary_user())
    assert repaired.returncode == 0 and "repaired" in repaired.stdout, (repaired.stdout, repaired.stderr)
    assert not [path for path in store_copy.parent.iterdir() if path.name.endswith(("-wal", "-shm"))]
    with LibraryStore(store_copy, read_only=True) as store:
        assert store.counts()["pending"] == 1


def test_repair_that_cannot_ask_whether_the_store_is_open_elsewhere_leaves_no_copy(
        store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another tool holds the store locked, so the question itself fails: repair stops, and the copy it set aside
    for the swap goes with it."""
    from likewise.index import repair

    with LibraryStore(store_copy) as store:
        victim = store.tracks("ok")[0].id
    _execute(store_copy, ("UPDATE slices SET vectors = x'00112233' WHERE track_id = ?", (victim,)))

    def locked(db: Path) -> bool:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(repair, "open_elsewhere", locked)
    with pytest.raises(StoreError, match="busy|locked"):
        repair.repair_store(store_copy)
    assert not list(store_copy.parent.glob("*.damaged-*"))
