"""The play queue in the real window on the demo library (a copy of its store: the queue is saved there), offscreen:
add, reorder, remove, restart; the next song on Next and at the end of a song (the real player); autoplay; a mix
and a sonic path of the selected songs."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from likewise.desktop.main_window import MainWindow
from likewise.desktop.settings import PATH_STEPS
from likewise.desktop.tasks import wait_for_background
from likewise.index.autoplay import Listening, songs_to_append
from likewise.index.playlist import sonic_path
from likewise.index.recommend import Recommender
from likewise.index.store import LibraryStore, Track
from tests.conftest import copy_store
from tests.test_desktop import WAIT_MS, open_and_wait, settings, window  # noqa: F401


def queued(window: MainWindow) -> list[int]:
    return [track.id for track in window.queue_model.tracks()]


def playing_path(window: MainWindow, track: Track) -> Path:
    return window.library_control.root / track.relpath


def recorded_plays(db: Path) -> list[tuple[int, int, int]]:
    """(track id, skipped, counted) of every play the store holds, in order."""
    with LibraryStore(db, read_only=True) as store:
        return store.db.execute("SELECT track_id, skipped, counted FROM plays ORDER BY id").fetchall()


def select(window: MainWindow, *tracks: Track) -> None:
    """Select these songs in the library table, as ctrl-clicks would."""
    window.library.table.clearSelection()
    for track in tracks:
        assert window.library.select_track(track.id)
    selection = window.library.table.selectionModel()
    for track in tracks:
        index = window.library.proxy.mapFromSource(window.library.model.index(window.library.model.row_of(track.id), 0))
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)


def _opened_without_autoplay(qtbot, window: MainWindow, folder: Path, db: Path) -> list[Track]:
    """Open the library in the window, wait for its saved queue, turn Keep playing off; its analysed songs."""
    tracks = [t for t in open_and_wait(qtbot, window, folder, db) if t.status == "ok"]
    qtbot.waitUntil(lambda: window.queue._loaded, timeout=WAIT_MS)
    window.queue.set_autoplay(False)
    return tracks


def test_queue_add_reorder_remove_survive_a_restart(qtbot, settings: QSettings, demo_library,
                                                    demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    first = MainWindow(settings, index_jobs=1)
    qtbot.addWidget(first)
    first.show()
    tracks = [t for t in open_and_wait(qtbot, first, folder, demo_store_copy) if t.status == "ok"]
    a, b, c, d = tracks[0], tracks[5], tracks[11], tracks[17]
    qtbot.waitUntil(lambda: first.queue._loaded, timeout=WAIT_MS)

    select(first, a, b)
    first.song_actions.add_to_queue.trigger()
    select(first, c)
    first.song_actions.add_to_queue.trigger()
    select(first, d)
    first.song_actions.play_next.trigger()  # nothing plays yet: it comes first
    assert queued(first) == [d.id, a.id, b.id, c.id]

    # reorder: a drop (what QListView's internal move calls), and Alt+Down on the song under the cursor
    assert first.queue_model.moveRow(QModelIndex(), 0, QModelIndex(), 4)
    assert queued(first) == [a.id, b.id, c.id, d.id]
    view = first.queue_pane.view
    view.setFocus()
    view.setCurrentIndex(first.queue_model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert queued(first) == [b.id, a.id, c.id, d.id]

    # remove with Delete, the selected rows
    view.setCurrentIndex(first.queue_model.index(2))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert queued(first) == [b.id, a.id, d.id]
    first.queue_pane.autoplay.setChecked(False)
    assert not first.queue.autoplay
    first.transport.volume.setValue(35)
    assert first.player.volume == 35
    first.close()
    assert wait_for_background(30)

    second = MainWindow(settings, index_jobs=1)
    qtbot.addWidget(second)
    second.show()
    open_and_wait(qtbot, second, folder, demo_store_copy)
    qtbot.waitUntil(lambda: queued(second) == [b.id, a.id, d.id], timeout=WAIT_MS)
    assert not second.queue.autoplay and not second.queue_pane.autoplay.isChecked()
    assert second.player.volume == 35 and second.transport.volume.value() == 35
    assert second.play_action.isEnabled()  # Space resumes the queue

    second.queue_pane.view.setCurrentIndex(second.queue_model.index(0))
    second.queue_pane.clear_button.click()  # nothing plays: every song goes
    assert queued(second) == []
    second.close()


def test_next_and_the_end_of_a_song_play_the_next_queued_song(qtbot, window: MainWindow, demo_library,
                                                              demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    first, second, third = tracks[2], tracks[8], tracks[13]
    player = window.player

    select(window, first)
    with qtbot.waitSignal(player.position_changed, timeout=WAIT_MS, check_params_cb=lambda ms: ms > 0):
        qtbot.keyClick(window.library.table, Qt.Key.Key_Return)  # Enter plays the song
    window.queue.add([second, third])
    assert player.source == playing_path(window, first) and queued(window) == [first.id, second.id, third.id]
    assert window.transport.title.text() == first.label and window.windowTitle().startswith(first.label)

    # Next (Ctrl+Right) within the first 30 s: the next song plays, and the one left counts as skipped
    with qtbot.waitSignal(player.position_changed, timeout=WAIT_MS, check_params_cb=lambda ms: ms > 0):
        qtbot.keyClick(window.library.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert player.source == playing_path(window, second) and window.queue_model.current_row() == 1
    assert window.queue.history == [(first.id, True)]

    # the song is moved to its last moment and ends: the next queued song follows; the one that ended was hardly
    # heard, a skip (a song heard to its end counts: see test_heard_is_the_time_a_song_played...)
    qtbot.waitUntil(lambda: player._media.duration() > 0, timeout=WAIT_MS)
    player.seek(player._media.duration() - 400)
    qtbot.waitUntil(lambda: player.source == playing_path(window, third), timeout=WAIT_MS)
    assert window.queue.history == [(first.id, True), (second.id, True)]
    assert window.queue_model.current_row() == 2 and window.windowTitle().startswith(third.label)
    # each play is recorded in the store, as the session noted it
    qtbot.waitUntil(lambda: recorded_plays(demo_store_copy) == [(first.id, 1, 0), (second.id, 1, 0)], timeout=WAIT_MS)

    # Previous at the start of a song plays the one before; Next at the end of the queue stops
    window.previous_action.trigger()
    assert player.source == playing_path(window, second)
    window.queue.play_row(2)
    window.next_action.trigger()
    assert window.queue.playing is None
    player.stop()


def test_play_pause_after_stop_or_another_library_plays_only_what_the_queue_knows(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    folder, db = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    window.queue.play_now([tracks[2]])
    qtbot.waitUntil(window.player.is_playing, timeout=WAIT_MS)
    window.queue.stop()
    qtbot.waitUntil(lambda: not window.player.is_playing(), timeout=WAIT_MS)
    window.library.table.selectionModel().clear()
    window.library.table.setCurrentIndex(QModelIndex())
    assert window.library.current_track() is None and window.queue.playing is None
    window.toggle_playback()  # Space after Stop, no song selected: the song stopped, through the queue
    qtbot.waitUntil(window.player.is_playing, timeout=WAIT_MS)
    assert window.queue.playing.id == tracks[2].id and window.player.source == playing_path(window, tracks[2])

    open_and_wait(qtbot, window, folder, copy_store(db, tmp_path / "other.sqlite"))  # no queue saved there
    qtbot.waitUntil(lambda: window.queue._loaded and not window.player.is_playing(), timeout=WAIT_MS)
    assert window.queue_model.rowCount() == 0 and window.library.current_track() is None
    assert not window.play_action.isEnabled()
    window.toggle_playback()  # Space: nothing of this library to play
    qtbot.wait(500)
    assert not window.player.is_playing() and window.queue.playing is None


def test_autoplay_appends_when_the_queue_runs_low_steered_by_skips_and_never_repeats(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    options = window.panel.options()
    seed = tracks[4]
    select(window, seed)
    qtbot.waitUntil(lambda: bool(window.panel.items), timeout=WAIT_MS)
    window.panel.table.selectRow(0)
    started = window.panel.items[0].track
    window.panel.play_result()  # a song started from the recommendations turns keep playing on

    with LibraryStore(demo_store_copy) as store:
        recommender = Recommender(store)
        first = songs_to_append(recommender, Listening([(started.id, False)], [], {started.id}), options)
        qtbot.waitUntil(lambda: len(queued(window)) == 1 + len(first), timeout=WAIT_MS)
        assert window.queue.autoplay and window.queue_pane.autoplay.isChecked()
        assert queued(window) == [started.id] + [track.id for track in first]

        # skip three songs at once: the queue runs low, and what comes steers away from them
        for _ in range(3):
            window.next_action.trigger()
        asked = window.queue.listening()
        assert [skipped for _, skipped in asked.history] == [True, True, True, False]
        expected = songs_to_append(recommender, asked, options)
        unskipped = Listening([(track_id, False) for track_id, _ in asked.history], asked.queued, asked.played)
        assert expected and expected != songs_to_append(recommender, unskipped, options)
        before = len(queued(window))
        qtbot.waitUntil(lambda: len(queued(window)) == before + len(expected), timeout=WAIT_MS)
        assert queued(window)[before:] == [track.id for track in expected]

        # on and on: no song comes twice in the session
        for _ in range(8):
            window.next_action.trigger()
            qtbot.wait(300)
        assert len(queued(window)) == len(set(queued(window))) > 10
    window.player.stop()


def test_a_mix_of_selected_songs_plays_and_exports_guarded(qtbot, window: MainWindow, demo_library, demo_store_copy: Path,
                                                           tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    seeds = [tracks[1], tracks[9], tracks[15]]
    select(window, *seeds)
    assert window.library.selected_tracks() == seeds
    window.song_actions.mix.trigger()
    qtbot.waitUntil(lambda: window.dialogs.mix_dialog is not None and window.dialogs.mix_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = window.dialogs.mix_dialog
    options = window.panel.options()
    with LibraryStore(demo_store_copy) as store:
        recommender = Recommender(store)
        expected = recommender.mix([recommender.seed_for_track(seed.id) for seed in seeds], options)
    assert [t.id for t in dialog.tracks] == [item.track.id for item in expected]
    assert dialog.list.count() == len(expected)
    assert not {seed.id for seed in seeds} & {t.id for t in dialog.tracks}

    # export: a file that is not a playlist is never overwritten; a new one is written
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    notes = tmp_path / "notes.m3u8"
    notes.write_text("my own notes\n")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(notes), ""))
    dialog.choose_export()
    assert notes.read_text() == "my own notes\n" and "not a playlist" in warnings[0]
    out = tmp_path / "mix.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    dialog.choose_export()
    entries = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [(out.parent / entry).resolve() for entry in entries] == [
        (folder / t.relpath).resolve() for t in dialog.tracks]

    # Play all: the mix goes into the queue and its first song plays
    next(button for button in dialog.findChildren(QPushButton) if button.text() == "Play all").click()
    assert queued(window) == [t.id for t in dialog.tracks] and window.queue.playing == dialog.tracks[0]

    # a mix of songs selected in the queue pane
    window.queue_pane.view.selectAll()
    window.queue_pane.mix_action.trigger()
    qtbot.waitUntil(lambda: window.dialogs.mix_dialog is not dialog and window.dialogs.mix_dialog is not None,
                    timeout=WAIT_MS)
    assert window.dialogs.mix_dialog.seeds == dialog.tracks
    window.player.stop()


def test_a_sonic_path_from_the_first_selected_song_to_the_last(qtbot, window: MainWindow, demo_library,
                                                               demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = [t for t in open_and_wait(qtbot, window, folder, demo_store_copy) if t.status == "ok"]
    start, end = tracks[3], tracks[16]
    select(window, start, end)
    window.song_actions.path.trigger()
    qtbot.waitUntil(lambda: window.dialogs.path_dialog is not None and window.dialogs.path_dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = window.dialogs.path_dialog
    options = window.panel.options()
    with LibraryStore(demo_store_copy) as store:
        recommender = Recommender(store)
        expected = sonic_path(recommender, start, end, window.dialogs.path_steps, options)
        shorter = sonic_path(recommender, start, end, 3, options)
        moods = store.moods()
    assert [t.id for t in dialog.tracks] == [t.id for t in expected] and dialog.tracks[-1].id == end.id
    # drawn on the mood map as a journey is, and listed there
    assert np.allclose(window.mood_map.plot.path, [moods[t.id] for t in expected])
    assert window.mood_map.found == dialog.tracks

    dialog.length.setValue(3)  # fewer steps: the same dialog shows the shorter path, and the steps are remembered
    qtbot.waitUntil(lambda: [t.id for t in dialog.tracks] == [t.id for t in shorter], timeout=WAIT_MS)
    assert window.dialogs.path_dialog is dialog
    window.save_settings()
    assert PATH_STEPS.get(window.settings) == 3


def test_the_sonic_path_shortcut_with_no_song_selected_says_what_it_needs(qtbot, window: MainWindow, demo_library,
                                                                         demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    open_and_wait(qtbot, window, folder, demo_store_copy)
    window.search.setText("no such song")  # a search that matches nothing: no song selected, none current
    window.library_control.apply_filter()
    table = window.library.table
    table.setFocus()
    assert window.library.visible_count() == 0 and window.library.selected_tracks() == []
    qtbot.keyClick(table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.notice.text().startswith("A sonic path needs two different analysed songs")
    assert window.dialogs.path_dialog is None


def test_the_queue_exports_guarded_and_is_kept_as_a_playlist_likewise_made(qtbot, window: MainWindow, demo_library,
                                                                          demo_store_copy: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    select(window, tracks[2], tracks[7])
    window.song_actions.add_to_queue.trigger()
    notes = tmp_path / "notes.m3u8"
    notes.write_text("my notes\n", encoding="utf-8")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(notes), ""))
    window.export_queue()
    assert notes.read_text(encoding="utf-8") == "my notes\n" and "not a playlist" in warnings[0]
    out = tmp_path / "queue.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    window.export_queue()
    entries = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [(out.parent / entry).resolve() for entry in entries] == [(folder / t.relpath).resolve()
                                                                    for t in (tracks[2], tracks[7])]
    qtbot.waitUntil(lambda: window.playlists.table.rowCount() == 1, timeout=WAIT_MS)
    assert window.playlists.table.item(0, 0).text() == "queue"


def recorded_heard(db: Path) -> list[tuple[int, float, int, int]]:
    """(track id, seconds heard, skipped, counted) of every play the store holds, in order."""
    with LibraryStore(db, read_only=True) as store:
        return store.db.execute("SELECT track_id, heard, skipped, counted FROM plays ORDER BY id").fetchall()


def test_a_song_left_by_opening_another_library_or_closing_the_window_is_recorded(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    window.queue.play_now([tracks[2]])
    qtbot.waitUntil(lambda: window.player.position_seconds() > 0.5, timeout=WAIT_MS)
    other = copy_store(demo_store_copy, tmp_path / "other.sqlite")
    open_and_wait(qtbot, window, folder, other)  # mid-song: the song left is a play of the library left
    qtbot.waitUntil(lambda: window.queue._loaded, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: recorded_plays(demo_store_copy) == [(tracks[2].id, 1, 0)], timeout=WAIT_MS)

    window.queue.play_now([tracks[4]])
    qtbot.waitUntil(lambda: window.player.position_seconds() > 0.5, timeout=WAIT_MS)
    window.close()  # mid-song: the play is recorded before the store closes
    assert wait_for_background(30)
    assert [(track_id, skipped, counted) for track_id, _, skipped, counted in recorded_heard(other)][-1:] == [
        (tracks[4].id, 1, 0)]


def at(window: MainWindow, track: Track, seconds: float) -> bool:
    """True once the player has this song's file and is past `seconds` into it (the commands are queued: until they
    run, the player still has the song before)."""
    media = window.player._media
    return media.source().toLocalFile() == str(playing_path(window, track)) and media.position() > seconds * 1000


def test_heard_is_the_time_a_song_played_whatever_it_started_at_or_was_moved_to(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    player = window.player
    a, b, c, d = tracks[1], tracks[3], tracks[6], tracks[9]

    # started at a matched moment past half the song and left after a second: a skip of about a second
    window.queue.play_now([a], start=0.6 * a.duration)
    qtbot.waitUntil(lambda: at(window, a, 0.6 * a.duration), timeout=WAIT_MS)
    qtbot.wait(1000)
    window.queue.next()
    # moved past half the song after half a second, left a second later: the jump was not heard
    window.queue.play_now([b])
    qtbot.waitUntil(lambda: at(window, b, 0.5), timeout=WAIT_MS)
    player.seek(int(0.6 * b.duration * 1000))
    qtbot.waitUntil(lambda: at(window, b, 0.6 * b.duration + 1), timeout=WAIT_MS)
    window.queue.stop()
    # (four times faster from here) past half the song, then back to its start: what was heard still counts
    player._media.setPlaybackRate(4.0)
    window.queue.play_now([c])
    window.queue.add([d])
    qtbot.waitUntil(lambda: at(window, c, 0.6 * c.duration), timeout=WAIT_MS)
    player.seek(0)
    qtbot.waitUntil(lambda: player.position_seconds() < 5, timeout=WAIT_MS)
    window.queue.next()
    # heard from its start to its end: it counts
    qtbot.waitUntil(lambda: window.queue.playing is None, timeout=WAIT_MS)

    qtbot.waitUntil(lambda: len(recorded_heard(demo_store_copy)) == 4, timeout=WAIT_MS)
    plays = recorded_heard(demo_store_copy)
    assert [(track_id, skipped, counted) for track_id, _, skipped, counted in plays] == [
        (a.id, 1, 0), (b.id, 1, 0), (c.id, 0, 1), (d.id, 0, 1)]
    heard = [seconds for _, seconds, _, _ in plays]
    assert 0.5 < heard[0] < 3 and 1 < heard[1] < 4 and 0.5 * c.duration < heard[2] < 0.8 * c.duration
    assert heard[3] > 0.9 * d.duration
    assert window.queue.history == [(a.id, True), (b.id, True), (c.id, False), (d.id, False)]


def test_two_next_presses_in_one_batch_record_the_song_between_as_not_heard(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path) -> None:  # noqa: F811
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    assert window.player._ensure()  # the player made, to play four times faster
    window.player._media.setPlaybackRate(4.0)
    window.queue.play_now(tracks[:3])
    window.queue.add(tracks[1:4])
    qtbot.waitUntil(lambda: at(window, tracks[0], 0.6 * tracks[0].duration), timeout=WAIT_MS)
    table = window.library.table
    table.setFocus()
    for _ in range(2):  # both handled before the player runs the first one's commands (queued)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.postEvent(table, QKeyEvent(kind, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier))
    qtbot.waitUntil(lambda: len(recorded_heard(demo_store_copy)) == 2, timeout=WAIT_MS)
    assert window.queue.playing.id == tracks[2].id
    (first, heard_first, *first_judged), (second, heard_second, *second_judged) = recorded_heard(demo_store_copy)
    assert (first, first_judged) == (tracks[0].id, [0, 1]) and heard_first > 0.5 * tracks[0].duration
    assert (second, second_judged) == (tracks[1].id, [1, 0]) and heard_second < 1
    window.queue.stop()


def test_a_song_that_cannot_be_played_is_passed_over_and_not_recorded(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = shutil.copytree(demo_library[0], tmp_path / "music")
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    bad, good, last = tracks[0], tracks[4], tracks[7]
    for damaged in (bad, last):
        (folder / damaged.relpath).write_bytes(b"\0garbage" * 1000)  # since the scan
    window.queue.play_now([bad])
    window.queue.add([good, last])
    qtbot.waitUntil(lambda: at(window, good, 0.3), timeout=WAIT_MS)  # the next queued song plays instead
    assert window.queue.playing.id == good.id and window.queue_model.current_row() == 1
    assert window.notice.isVisible() and "Cannot play this file" in window.notice.text()
    window.queue.next()  # the last song cannot be played either: the queue stops at its end
    qtbot.waitUntil(lambda: window.queue.playing is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: recorded_plays(demo_store_copy) == [(good.id, 1, 0)], timeout=WAIT_MS)
    assert window.queue.history == [(good.id, True)] and not window.player.is_playing()


def test_songs_that_cannot_be_played_with_keep_playing_on_stop_after_a_few(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path, tmp_path: Path) -> None:  # noqa: F811
    """The drive unplugged with keep playing on: three songs fail in a row, the queue stops and says so once,
    instead of refilling and failing through the whole library; the failed songs were not played."""
    folder = shutil.copytree(demo_library[0], tmp_path / "music")
    tracks = [t for t in open_and_wait(qtbot, window, folder, demo_store_copy) if t.status == "ok"]
    qtbot.waitUntil(lambda: window.queue._loaded, timeout=WAIT_MS)
    window.queue.set_autoplay(True)
    failed, messages = [], []
    window.player.failed.connect(lambda: failed.append(True))
    window.queue.message.connect(messages.append)
    shutil.rmtree(folder)
    window.queue.play_now(tracks[:3])
    qtbot.waitUntil(lambda: len(failed) >= 3 and window.queue.playing is None, timeout=WAIT_MS)
    qtbot.wait(1500)  # time for more songs to be tried, were the queue going on
    assert len(failed) == 3 and window.queue.playing is None and not window.queue.played
    assert [message for message in messages if "in a row" in message] == [window.notice.text()]
    assert window.queue.history == [] and recorded_plays(demo_store_copy) == []


def test_a_slow_drag_of_the_position_slider_is_not_heard(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path) -> None:  # noqa: F811
    """Each move of a drag seeks a little way on: the steps across those seeks are jumps, never heard, however
    short (heard stays the time the song played)."""
    folder, _ = demo_library
    tracks = _opened_without_autoplay(qtbot, window, folder, demo_store_copy)
    song = max(tracks, key=lambda track: track.duration)
    player, slider = window.player, window.transport.slider
    window.queue.play_now([song])
    qtbot.waitUntil(lambda: at(window, song, 0.5), timeout=WAIT_MS)
    started, heard = time.monotonic(), player.heard_seconds()
    drag = QTimer(interval=50)  # one move of the slider, 150 ms on, each 50 ms
    drag.timeout.connect(lambda: slider.sliderMoved.emit(player._media.position() + 150))
    drag.start()
    qtbot.wait(2000)
    drag.stop()
    moved, played = player.position_seconds(), time.monotonic() - started
    assert moved > 6 and player.heard_seconds() - heard < played + 0.3
    window.queue.stop()
