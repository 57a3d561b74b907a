"""The desktop app, driven through its real window on real (small) libraries, offscreen."""
from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from likewise.assets import DEMO_DIR
from likewise.desktop.app import initial_library
from likewise.desktop.backend import LibraryBackend
from likewise.desktop.library_model import STATUS, TAGS, LibraryFilter, LibraryModel
from likewise.desktop.main_window import MainWindow
from likewise.desktop.recommendations_panel import RESULT_COLUMNS
from likewise.desktop.radio import RadioDialog
from likewise.desktop.settings import PATH_STEPS, RADIO_LENGTH, RECOMMEND_COUNT, RECOMMEND_PER_ARTIST, VOLUME
from likewise.desktop.tasks import wait_for_background
from likewise.index.colisten import refresh_colistening
from likewise.index.lock import IndexLock
from likewise.index.paths import default_db_path, last_library
from likewise.index.pipeline import Indexer
from likewise.index.playlist import song_radio
from likewise.index.plays import forget_plays, record_play
from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore, Track, format_duration
from likewise.model.teacher import TAGS as TAG_NAMES
from tests.conftest import copy_store
from tests.corpus import MisbehavingPool, make_songs

WAIT_MS = 20_000


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a temporary file: tests never touch the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def demo_library(demo_library: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """The indexed demo library with a private copy of its store: a window saves its queue and records the plays
    into the store it shows, which must not reach the tests that share the session's store."""
    folder, db = demo_library
    return folder, copy_store(db, tmp_path / "library.sqlite")


@pytest.fixture
def window(qtbot, settings: QSettings) -> MainWindow:
    """The main window, shown, indexing with one process to keep the machine free."""
    main = MainWindow(settings, index_jobs=1)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()


def open_and_wait(qtbot, window: MainWindow, folder: Path, db: Path) -> list[Track]:
    """Open a library in the window; wait until its songs are listed; return the store's tracks."""
    with LibraryStore(db) as store:
        tracks = store.tracks()
    window.open_library(folder, db)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == len(tracks), timeout=WAIT_MS)
    return tracks


def expected_similar(db: Path, track_id: int, options: Options) -> list[int]:
    with LibraryStore(db) as store:
        recommender = Recommender(store)
        return [item.track.id for item in recommender.similar(recommender.seed_for_track(track_id), options)]


def shown_results(window: MainWindow) -> list[int]:
    return [item.track.id for item in window.panel.items]


def tag_words(text: str) -> list[str]:
    """The tags of a shown "electronic 72%, dance 41%", checking that each comes with its share."""
    parts = [part.rsplit(" ", 1) for part in text.split(", ") if part]
    assert all(len(part) == 2 and part[1].endswith("%") for part in parts), text
    return [part[0] for part in parts]


def test_empty_state_says_what_to_do(window: MainWindow) -> None:
    assert window.library.currentIndex() == 0
    assert "Open a music folder to begin" in window.library.message.text()
    assert window.library.open_button.isVisible()
    assert not window.rescan_action.isEnabled()


def test_browse_filter_select_recommend_and_play(qtbot, window: MainWindow, demo_library) -> None:
    folder, db = demo_library
    tracks = open_and_wait(qtbot, window, folder, db)
    assert window.library.currentIndex() == 1 and "likewise" in window.windowTitle()

    # the Tags column: the model's likeliest tags with their share, explained by its tooltip; the search finds them
    model = window.library.model
    assert model.headerData(TAGS, Qt.Orientation.Horizontal) == "Tags"
    assert "tagger" in model.headerData(TAGS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    shown = {model.track_at(row).id: tag_words(model.index(row, TAGS).data()) for row in range(model.rowCount())}
    assert any(shown.values()) and all(set(tags) <= set(TAG_NAMES) for tags in shown.values())
    word = next(tags[0] for tags in shown.values() if tags)
    window.library.set_query(word)
    assert window.library.visible_count() >= sum(word in tags for tags in shown.values())
    window.library.set_query("")

    # filter as you type: every word must match title, artist, album, tags or path
    qtbot.keyClicks(window.search, "mccracken")
    wanted = [t for t in tracks if "mccracken" in f"{t.title} {t.artist} {t.album} {t.relpath}".casefold()]
    assert wanted and len(wanted) < len(tracks)
    qtbot.waitUntil(lambda: window.library.visible_count() == len(wanted), timeout=WAIT_MS)

    # keyboard: Down moves from the search box into the table and selects the first match
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    seed = window.library.current_track()
    assert seed is not None and seed.id in {t.id for t in wanted}
    expected = expected_similar(db, seed.id, window.panel.options())
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)
    assert 0 < len(expected) <= window.panel.count.value()
    assert window.panel.table.item(0, 1).text() == window.panel.items[0].track.title
    assert window.panel.heading.text().endswith(seed.title)
    assert tag_words(seed.genre) and window.panel.seed_tags.text().endswith(seed.genre)  # the seed's tags on top
    column = RESULT_COLUMNS.index("Tags")
    assert [window.panel.table.item(row, column).text() for row in range(len(expected))] == [
        item.track.genre for item in window.panel.items]

    # the next song, by keyboard, and different caps
    qtbot.keyClick(window.library.table, Qt.Key.Key_Down)
    seed = window.library.current_track()
    window.panel.count.setValue(4)
    window.panel.per_artist.setValue(1)
    expected = expected_similar(db, seed.id, Options(count=4, per_artist=1, per_album=None))
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)
    assert len({item.track.artist for item in window.panel.items}) == len(expected)

    # why similar: one line per matched moment; play the matching moment seeks there
    best = window.panel.items[0]
    why = window.panel.why
    assert why.rowCount() == len(best.matches) > 0
    assert why.horizontalHeaderItem(1).text() == f"In {best.track.title}"
    assert why.item(0, 1).text() == format_duration(best.matches[0].time)
    moment = best.matches[0].time
    with qtbot.waitSignal(window.player.position_changed, timeout=WAIT_MS,
                          check_params_cb=lambda ms: ms >= moment * 1000 - 50):
        window.panel.moment_button.click()
    assert window.player.source == folder.resolve() / best.track.relpath
    window.player.stop()


def test_show_in_folder_and_song_radio_export(qtbot, window: MainWindow, demo_library, tmp_path: Path, monkeypatch) -> None:
    folder, db = demo_library
    tracks = open_and_wait(qtbot, window, folder, db)
    seed = next(t for t in tracks if t.status == "ok")
    assert window.library.select_track(seed.id)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(Path(url.toLocalFile())) or True)
    window.folder_action.trigger()
    assert opened == [(folder / seed.relpath).resolve().parent]

    window.radio_action.trigger()
    dialogs = window.dialogs
    qtbot.waitUntil(lambda: dialogs.radio_dialog is not None and dialogs.radio_dialog.isVisible(), timeout=WAIT_MS)
    dialog = dialogs.radio_dialog
    assert not window.statusBar().currentMessage()  # no longer "Building a song radio…"
    with LibraryStore(db) as store:
        recommender = Recommender(store)
        seed_vectors = recommender.seed_for_track(seed.id)
        expected = song_radio(recommender, seed_vectors, window.dialogs.radio_length, window.panel.options())
        shorter = song_radio(recommender, seed_vectors, 4, window.panel.options())
    assert [t.id for t in dialog.tracks] == [t.id for t in expected]
    assert dialog.list.count() == len(expected) > 4

    dialog.length.setValue(4)  # the same dialog shows the shorter radio, and the length is remembered
    qtbot.waitUntil(lambda: len(dialog.tracks) == 4, timeout=WAIT_MS)
    assert window.dialogs.radio_dialog is dialog and dialog.list.count() == 4
    assert [t.id for t in dialog.tracks] == [t.id for t in shorter]
    window.save_settings()
    assert RADIO_LENGTH.get(window.settings) == 4
    expected = shorter

    out = tmp_path / "lists" / "radio.m3u8"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), "M3U8 playlists (*.m3u8)"))
    dialog.choose_export()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    entries = [line for line in lines[1:] if not line.startswith("#")]
    assert len(entries) == len(expected) + 1  # the seed, then the radio
    assert all((out.parent / entry).resolve().is_file() for entry in entries)
    assert (out.parent / entries[0]).resolve() == (folder / seed.relpath).resolve()

    dialog.length_requested.emit(6)  # the length box settled and asked for a radio...
    dialog.close()  # ... and the person closed the dialog before the answer came: it stays closed
    flushed: list[object] = []
    window.dialogs.library.submit(lambda backend: None, flushed.append)  # answered after the radio's answer
    qtbot.waitUntil(lambda: flushed == [None], timeout=WAIT_MS)
    assert not any(shown.isVisible() for shown in window.findChildren(RadioDialog))


def test_index_cancel_then_rescan_lists_problems(qtbot, window: MainWindow, demo_copy: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    songs = sorted(path for path in demo_copy.rglob("*") if path.suffix in {".mp3", ".ogg", ".flac"})[:5]
    music.mkdir()
    for song in songs:
        shutil.copy(song, music / song.name)
    (music / "broken.mp3").write_bytes(np.random.default_rng(1).bytes(50_000))
    db = default_db_path(music)

    # a folder never analysed is indexed at once; cancel it
    window.open_library(music)
    assert window.is_indexing() and window.indexing.isVisible()
    qtbot.mouseClick(window.indexing.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.is_indexing(), timeout=60_000)
    assert not window.indexing.isVisible() and window.rescan_action.isEnabled()
    with LibraryStore(db) as store:
        counts = store.counts()
    # stopped while walking the folder (nothing stored yet) or while analysing (songs left pending)
    assert counts["ok"] + counts["failed"] < len(songs) + 1, "the run should have stopped before analysing everything"

    # Rescan finishes the job; the broken file shows up in Problems with its reason
    window.rescan_action.trigger()
    qtbot.waitUntil(lambda: not window.is_indexing(), timeout=60_000)
    qtbot.waitUntil(lambda: window.problems.files() == ["broken.mp3"], timeout=WAIT_MS)
    assert window.problems.table.item(0, 1).text()
    assert window.tabs.tabText(window.tabs.indexOf(window.problems)) == "Problems (1)"
    qtbot.waitUntil(lambda: window.library.model.rowCount() == len(songs) + 1, timeout=WAIT_MS)
    statuses = [window.library.model.index(row, STATUS).data() for row in range(len(songs) + 1)]
    assert sorted(statuses) == ["Analysed"] * len(songs) + ["Failed"]

    # `likewise index` (another process, here another thread) adds a song: the open window picks it up
    extra = next(path for path in sorted(demo_copy.rglob("*.mp3")) if path.name not in {s.name for s in songs})
    shutil.copy(extra, music / extra.name)
    assert Indexer(music, db, jobs=1).run().added == 1
    qtbot.waitUntil(lambda: window.library.model.rowCount() == len(songs) + 2, timeout=WAIT_MS)


def test_store_busy_is_reported_and_browsing_goes_on(qtbot, window: MainWindow, demo_library) -> None:
    folder, db = demo_library
    tracks = open_and_wait(qtbot, window, folder, db)
    with IndexLock(db):
        window.rescan_action.trigger()
        qtbot.waitUntil(lambda: not window.is_indexing(), timeout=WAIT_MS)
    assert window.notice.isVisible() and "being indexed" in window.notice.text()
    assert window.library.model.rowCount() == len(tracks)
    assert window.library.select_track(tracks[0].id)


def test_settings_are_remembered(qtbot, settings: QSettings, demo_library, tmp_path: Path, monkeypatch) -> None:
    folder, db = demo_library
    first = MainWindow(settings, index_jobs=1)
    qtbot.addWidget(first)
    first.show()
    open_and_wait(qtbot, first, folder, db)
    first.resize(800, 540)  # the offscreen screen is 800x600; the window is at least 800x500
    header = first.library.table.horizontalHeader()
    header.moveSection(header.visualIndex(1), 0)  # Artist first
    header.resizeSection(2, 123)
    first.panel.count.setValue(7)
    first.close()

    second = MainWindow(settings, index_jobs=1)
    qtbot.addWidget(second)
    header = second.library.table.horizontalHeader()
    assert (second.width(), second.height()) == (800, 540)
    assert header.logicalIndex(0) == 1 and header.sectionSize(2) == 123
    assert second.panel.count.value() == 7
    assert initial_library(None) == (None, db)  # the store knows its folder
    second.close()

    # first start ever: the demo library
    monkeypatch.setenv("LIKEWISE_DATA_DIR", str(tmp_path / "fresh"))
    assert initial_library(None) == (DEMO_DIR, default_db_path(DEMO_DIR))


def test_the_window_opens_with_settings_too_large_for_its_boxes(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "hand-edited.ini"
    path.write_text("[recommend]\ncount=99999999999\nper_artist=-2\n[radio]\nlength=-5\n"
                    "[player]\nvolume=4294967396\n[path]\nsteps=0\n")
    main = MainWindow(QSettings(str(path), QSettings.Format.IniFormat), index_jobs=1)
    qtbot.addWidget(main)
    assert main.panel.count.value() == RECOMMEND_COUNT.default
    assert (main.panel.count.minimum(), main.panel.count.maximum()) == RECOMMEND_COUNT.range
    assert main.panel.per_artist.value() == RECOMMEND_PER_ARTIST.default
    assert main.transport.volume.value() == VOLUME.default
    assert (main.dialogs.radio_length, main.dialogs.path_steps) == (RADIO_LENGTH.default, PATH_STEPS.default)
    main.close()


def test_model_scales_to_50000_rows(qtbot) -> None:
    tracks = [Track(i, f"a/s{i}.mp3", 1, 0.0, None, f"Song {i}", f"Band{i % 997:03d}x", f"Album {i % 1999}",
                    "", None, None, "", 120.0 + i % 300, "ok", None, None, None, "rock") for i in range(50_000)]
    model = LibraryModel()
    proxy = LibraryFilter(model)
    started = time.perf_counter()
    model.merge(tracks, complete=True)
    proxy.set_query("BAND012X")
    filtered = proxy.rowCount()
    model.sort(3, Qt.SortOrder.DescendingOrder)
    elapsed = time.perf_counter() - started
    assert filtered == sum(i % 997 == 12 for i in range(50_000))
    assert proxy.rowCount() == filtered
    assert model.track_at(0).duration == max(track.duration for track in tracks)
    assert elapsed < 3.0, f"load + filter + sort of 50,000 rows took {elapsed:.2f} s"


def test_start_up_imports_no_tensorflow() -> None:
    code = ("import sys, desktop.app, desktop.main_window; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'likewise.model.embedder', 'sklearn') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_unexpected_recommender_error_is_shown_not_finding_for_ever(qtbot, window: MainWindow, demo_library,
                                                                        monkeypatch) -> None:
    folder, db = demo_library
    tracks = open_and_wait(qtbot, window, folder, db)

    def broken(*_args, **_kwargs):
        raise RuntimeError("the search index is damaged")

    monkeypatch.setattr(Recommender, "similar", broken)
    seed = next(track for track in tracks if track.status == "ok")
    assert window.library.select_track(seed.id)
    qtbot.waitUntil(lambda: window.panel.message.text().startswith("No recommendations"), timeout=WAIT_MS)
    assert window.panel.message.text() == "No recommendations: RuntimeError: the search index is damaged."
    assert window.panel.heading.text() == seed.label


def test_a_library_opened_in_the_window_is_the_commands_last_library(qtbot, window: MainWindow, demo_library) -> None:
    folder, db = demo_library
    open_and_wait(qtbot, window, folder, db)
    assert last_library() == db.resolve()
    assert initial_library(None) == (None, db.resolve())


def test_closing_the_window_while_a_decoder_hangs_is_immediate_and_the_next_run_resumes(
        qtbot, settings: QSettings, tmp_path: Path, monkeypatch) -> None:
    """A worker stuck in C code is ended by the cancel: the window closes at once, the songs stay waiting."""
    music = tmp_path / "music"
    songs = make_songs(music, 2)
    for number in range(2):
        shutil.copy(songs[0], music / f"hang{number}.flac")  # prepare_or_misbehave hangs on these for good

    monkeypatch.setattr("likewise.index.pipeline.AnalysisPool", MisbehavingPool)
    main = MainWindow(settings, index_jobs=2)
    qtbot.addWidget(main)
    main.show()
    main.open_library(music)
    db = default_db_path(music)
    qtbot.waitUntil(lambda: len(multiprocessing.active_children()) == 2, timeout=60_000)  # the workers started
    qtbot.wait(5000)  # they did the good songs and are stuck on the others
    assert main.is_indexing()
    started = time.monotonic()
    main.close()
    assert time.monotonic() - started < 2.0
    assert wait_for_background(60), "the cancelled run did not wind down"
    assert not multiprocessing.active_children(), "a worker outlived the cancelled run"
    with LibraryStore(db) as store:
        assert store.counts()["pending"] >= 2

    monkeypatch.undo()
    summary = Indexer(music, db, jobs=1).run()
    assert summary.failed == 0 and not summary.interrupted
    with LibraryStore(db) as store:
        assert store.counts()["ok"] == 4 and not store.counts()["pending"]


def test_plays_forgotten_in_a_terminal_are_no_longer_blended_in(qtbot, demo_library) -> None:
    """`likewise forget --plays` while the app is open: at its next look at the store, the app stops blending in
    what was learnt from the erased plays, as an app opened then would."""
    _, db = demo_library
    with LibraryStore(db) as store:
        a, b = [track.id for track in store.tracks("ok")[:2]]
        for number in range(6):  # one listening session: a, b, a, b, a, b
            record_play(store, (a, b)[number % 2], 200.0 * number, 200.0, 200.0)
        refresh_colistening(store)
    backend = LibraryBackend()
    backend.open(db)
    try:
        options = Options(per_artist=None)
        assert [item.together for item in backend.recommend(0, a, options).items if item.track.id == b] == [1]
        with LibraryStore(db) as terminal:
            forget_plays(terminal)
        backend.poll()
        assert backend.current_recommender().colistening is None
        assert not any(item.together for item in backend.recommend(0, a, options).items)
    finally:
        backend.shutdown()


def test_a_playlist_imported_in_the_app_keeps_co_listening_blended_in(qtbot, demo_library, tmp_path: Path) -> None:
    """Importing a playlist in the app: at its next look at the store, the app learns co-listening again with the
    new playlist instead of dropping what it had (nothing was erased)."""
    folder, db = demo_library
    with LibraryStore(db) as store:
        songs = [track for track in store.tracks("ok")[:8]]
    first, second = tmp_path / "first.m3u", tmp_path / "second.m3u"
    first.write_text("".join(f"{folder / track.relpath}\n" for track in songs[:4]))
    second.write_text("".join(f"{folder / track.relpath}\n" for track in songs[4:]))
    backend = LibraryBackend()
    backend.open(db)
    try:
        backend.import_playlist(first)
        backend.poll()
        assert backend.current_recommender().colistening.evidence(songs[0].id) == 1
        backend.import_playlist(second)
        backend.poll()
        learnt = backend.current_recommender().colistening
        assert learnt is not None and learnt.evidence(songs[0].id) == learnt.evidence(songs[4].id) == 1
    finally:
        backend.shutdown()
