"""The Problems tab and what it can do: whole reasons, open the folder, try again, remove from the library."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from PySide6.QtCore import QSettings

from likewise.desktop.backend import LibraryBackend
from likewise.desktop.main_window import MainWindow
from likewise.desktop.problems import ProblemsView
from likewise.index.lock import IndexLock, StoreBusy
from likewise.index.pipeline import Indexer
from likewise.index.store import LibraryStore
from tests.conftest import copy_store, select_row
from tests.test_desktop import open_and_wait

NOTES = b"Shopping list: milk, eggs, a better MP3 decoder.\n" * 200


@pytest.fixture
def library(demo_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two demo songs and a text file named .mp3, indexed: (music folder, store path)."""
    music = tmp_path / "music"
    music.mkdir()
    for song in sorted(demo_copy.rglob("*.mp3"))[:2]:
        shutil.copy2(song, music / song.name)
    (music / "notes.mp3").write_bytes(NOTES)
    db = tmp_path / "library.sqlite"
    assert Indexer(music, db, jobs=1).run().failed == 1
    return music, db


def _failed(db: Path):
    with LibraryStore(db) as store:
        return store.tracks("failed")


def test_try_again_queues_the_file_for_the_next_run(library: tuple[Path, Path]) -> None:
    music, db = library
    [failed] = _failed(db)
    assert Indexer(music, db, jobs=1).run().unchanged == 3  # a failed file that did not change is not retried
    with LibraryStore(db) as store:
        store.retry_failed([failed.id])
        assert store.track(failed.id).status == "pending" and store.track(failed.id).reason is None
    summary = Indexer(music, db, jobs=1).run()
    assert (summary.resumed, summary.unchanged, summary.failed) == (1, 2, 1)  # tried again (and failed again)
    assert _failed(db)[0].reason == failed.reason


def test_removed_files_stay_out_until_they_change(library: tuple[Path, Path]) -> None:
    music, db = library
    [failed] = _failed(db)
    with LibraryStore(db) as store:
        store.leave_out([failed.id])
        assert store.track(failed.id) is None and len(store.tracks()) == 2
    again = Indexer(music, db, jobs=1).run()
    assert (again.added, again.failed) == (0, 0)
    assert (music / "notes.mp3").read_bytes() == NOTES  # the file itself is untouched
    (music / "notes.mp3").write_bytes(NOTES + b"more\n")
    changed = Indexer(music, db, jobs=1).run()
    assert (changed.added, changed.failed) == (1, 1)


def test_a_removed_file_that_changed_and_came_back_stays_in_the_library(library: tuple[Path, Path]) -> None:
    """Once a removed file changed, it is back for good: restoring its old bytes and time (a backup, say) later
    must not remove it again, with whatever was played of it meanwhile."""
    music, db = library
    [failed] = _failed(db)
    before = (music / "notes.mp3").stat()
    with LibraryStore(db) as store:
        store.leave_out([failed.id])
    shutil.copy2(sorted(music.glob("*.mp3"))[0], music / "notes.mp3")  # a real song now
    assert Indexer(music, db, jobs=1).run().added == 1
    (music / "notes.mp3").write_bytes(NOTES)
    os.utime(music / "notes.mp3", ns=(before.st_atime_ns, before.st_mtime_ns))
    summary = Indexer(music, db, jobs=1).run()
    assert (summary.removed, summary.updated) == (0, 1)
    with LibraryStore(db) as store:
        assert store.track_by_path("notes.mp3") is not None


def test_a_damaged_left_out_list_leaves_nothing_out(library: tuple[Path, Path]) -> None:
    music, db = library
    with LibraryStore(db) as store:
        store.set_meta("left_out", "[[1, 2")
        assert store.left_out() == {}


def test_the_backend_retries_and_removes_unless_a_run_holds_the_store(qtbot, library: tuple[Path, Path]) -> None:
    _music, db = library
    [failed] = _failed(db)
    backend = LibraryBackend()
    backend.open(db)
    try:
        with IndexLock(db), pytest.raises(StoreBusy, match="being indexed"):
            backend.retry([failed.id])
        assert _failed(db) == [failed]
        snapshot = backend.retry([failed.id])
        assert {t.id: t.status for t in snapshot.tracks}[failed.id] == "pending"
        snapshot = backend.leave_out([failed.id])
        assert failed.id not in {t.id for t in snapshot.tracks}
    finally:
        backend.shutdown()


def test_the_view_shows_whole_reasons_and_acts_on_the_selection(qtbot, library: tuple[Path, Path]) -> None:
    _music, db = library
    [failed] = _failed(db)
    long = failed.__class__(**{**failed.__dict__, "id": failed.id + 100, "relpath": "a/very/long/path.mp3",
                               "reason": "damaged or truncated: " + "the file stops in the middle of its audio " * 6})
    view = ProblemsView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    view.set_failures([failed, long])
    assert view.table.wordWrap()
    assert view.table.rowHeight(1) > view.table.rowHeight(0)  # the long reason wraps onto more lines
    assert view.table.item(1, 1).toolTip().endswith(long.reason)
    assert not view.retry_button.isEnabled()
    opened, retried, removed = [], [], []
    view.open_folder_requested.connect(opened.append)
    view.retry_requested.connect(retried.append)
    view.remove_requested.connect(removed.append)
    select_row(view.table, 1)
    view.folder_button.click()
    view.table.selectAll()
    assert not view.folder_button.isEnabled()  # one folder at a time
    view.retry_button.click()
    view.remove_button.click()
    assert opened == [long] and retried == [[failed.id, long.id]] and removed == [[failed.id, long.id]]

    select_row(view.table, 1)  # the long one; then the list is refreshed without the first (tried again)
    view.set_failures([long])
    assert view.selected() == [long]
    view.set_failures([failed])  # and now without the one selected: nothing stays selected in its place
    assert view.selected() == [] and not view.remove_button.isEnabled()
    other = failed.__class__(**{**failed.__dict__, "id": failed.id + 200, "relpath": "b/other.mp3"})
    view.set_failures([failed, long, other])
    view.table.selectAll()
    view.set_failures([long, other])
    assert view.selected() == [long, other] and view.remove_button.isEnabled()


def test_an_answer_to_try_again_in_the_library_left_is_dropped(qtbot, demo_library, demo_store_copy: Path,
                                                                tmp_path: Path) -> None:
    """Try again, then another library opened before the answer: no offer to rescan (it would index the other)."""
    shown = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(shown)
    folder, _ = demo_library
    tracks = open_and_wait(qtbot, shown, folder, demo_store_copy)
    offers: list[int] = []
    shown.library_control.retried.connect(offers.append)
    shown.library_control.retry([track.id for track in tracks[:2]])
    open_and_wait(qtbot, shown, folder, copy_store(demo_store_copy, tmp_path / "other.sqlite"))
    qtbot.wait(500)
    assert offers == [] and (shown.rescan_offer is None or not shown.rescan_offer.isVisible())
    shown.close()
