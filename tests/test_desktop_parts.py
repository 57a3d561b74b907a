"""The window's parts on their own: settings declared once, and background work whose every error comes back."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from likewise.desktop import settings as options
from likewise.desktop.tasks import TaskRunner, wait_for_background
from likewise.index.store import StoreError


def test_an_option_reads_its_default_until_set_and_survives_a_hand_edited_file(tmp_path: Path) -> None:
    stored = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert options.RECOMMEND_COUNT.get(stored) == 10 and options.RADIO_LENGTH.get(stored) == 20
    options.RECOMMEND_COUNT.set(stored, 7)
    assert options.RECOMMEND_COUNT.get(stored) == 7
    stored.setValue(options.RADIO_LENGTH.key, "many")  # as a person may write it in the file
    stored.sync()
    assert options.RADIO_LENGTH.get(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)) == 20


@pytest.mark.parametrize("stored_value", ["99999999999", "-3", "nan"])
def test_a_number_out_of_an_options_range_reads_its_default(tmp_path: Path, stored_value: str) -> None:
    numbers = [option for option in vars(options).values() if isinstance(option, options.Option) and option.type is int]
    assert numbers and all(option.range is not None for option in numbers)  # each number declares its valid range
    path = tmp_path / "settings.ini"
    path.write_text("".join(f"[{option.key.split('/')[0]}]\n{option.key.split('/')[1]}={stored_value}\n"
                            for option in numbers))  # as a hand-edited or damaged file holds them
    stored = QSettings(str(path), QSettings.Format.IniFormat)
    assert [option.get(stored) for option in numbers] == [option.default for option in numbers]
    low, high = options.RADIO_LENGTH.range
    for valid in (low, high):
        options.RADIO_LENGTH.set(stored, valid)
        assert options.RADIO_LENGTH.get(stored) == valid


def test_a_task_result_or_any_error_comes_back_on_the_gui_thread_as_one_line(qtbot) -> None:
    runner = TaskRunner("test-tasks")
    results: list[object] = []
    errors: list[str] = []
    unhandled: list[str] = []
    runner.error.connect(unhandled.append)

    def crash() -> None:
        raise RuntimeError("bad\nstate")

    def store_error() -> None:
        raise StoreError("the store is damaged")

    runner.submit(lambda: 6 * 7, results.append, errors.append)
    runner.submit(crash, results.append, errors.append)
    runner.submit(store_error, results.append, errors.append)
    runner.submit(crash)  # no handler: the runner's error signal says it
    qtbot.waitUntil(lambda: len(results) + len(errors) == 3 and bool(unhandled), timeout=5000)
    assert results == [42]
    assert errors == ["RuntimeError: bad state", "the store is damaged"]
    assert unhandled == ["RuntimeError: bad state"]
    closed: list[bool] = []
    runner.stop(lambda: closed.append(True))
    runner.submit(lambda: results.append("too late"))
    assert wait_for_background(5) and closed == [True] and results == [42]


def test_the_player_and_its_audio_output_are_made_by_qml_and_play(qtbot) -> None:
    """Made from Python they would take the GIL in their virtual methods, which the audio renderer's thread calls
    while holding a Qt lock: a deadlock with a GUI thread that waits for that lock with the GIL held."""
    from shiboken6 import Shiboken

    from likewise.assets import DEMO_DIR
    from likewise.desktop.player import Player

    player = Player()
    player.play(sorted(DEMO_DIR.rglob("*.mp3"))[0])
    assert player._media is not None, player.unavailable
    assert not Shiboken.createdByPython(player._media)
    assert not Shiboken.createdByPython(player._media.audioOutput())
    qtbot.waitUntil(lambda: player.position_seconds() > 0.3, timeout=15000)
    player.set_volume(40)
    assert abs(player._media.audioOutput().volume() - 0.4) < 1e-6
    player.stop()


def test_a_song_whose_file_name_is_not_utf8_plays(qtbot, tmp_path: Path) -> None:
    """Old rips on a Samba share have Latin-1 names; the indexer takes them, and so must the player (a QUrl made
    from such a name loses its bytes)."""
    import os
    import shutil

    from likewise.assets import DEMO_DIR
    from likewise.desktop.player import Player

    song = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"chanson \xe9t\xe9.mp3")))
    shutil.copyfile(sorted(DEMO_DIR.rglob("*.mp3"))[0], song)
    player = Player()
    errors: list[str] = []
    player.error.connect(errors.append)
    player.play(song)
    qtbot.waitUntil(lambda: player.position_seconds() > 0.3 or bool(errors), timeout=15000)
    assert not errors
    player.stop()


def test_a_bool_signal_keeps_the_reference_counts_of_true_and_false(qtbot) -> None:
    """PySide6 6.12.0 dropped a reference to True or False at every emission of a Python-declared signal carrying
    a bool (the player's playing_changed, the queue's autoplay_changed...): a long session, or the test suite,
    ended in "Fatal Python error: bool_dealloc". pyproject.toml keeps PySide6 below 6.12."""
    import sys

    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        changed = Signal(bool)

    received: list[bool] = []
    source = Source()
    source.changed.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for number in range(200):
        source.changed.emit(number % 2 == 0)
    assert (sys.getrefcount(True) - before[0], sys.getrefcount(False) - before[1]) == (100, 100)


def test_plays_recorded_by_the_window_teach_co_listening_at_once(demo_store_copy: Path) -> None:
    """A listening session (songs heard one after another) is learnt from when each play is recorded, not only at
    the next scan, and the recommender then blends it in."""
    from likewise.desktop.backend import LibraryBackend
    from likewise.index.colisten import colistening_path

    backend = LibraryBackend()
    try:
        backend.open(demo_store_copy)
        first, second = [track.id for track in backend.store.tracks("ok")[:2]]
        assert backend.current_recommender().colistening is None
        backend.record_play(first, 1000.0, 200.0, 200.0)
        backend.record_play(second, 1200.0, 200.0, 200.0)
        assert colistening_path(demo_store_copy).exists()
        assert backend.current_recommender().colistening.together(first, np.array([second])).tolist() == [1]
    finally:
        backend.shutdown()


def test_the_queue_of_a_closed_library_is_refused_in_words(demo_store_copy: Path) -> None:
    """Reading or saving the play queue with no library open says so (the window shows it as a message), instead of
    an AttributeError's text; with the library open, what is saved is read back."""
    from likewise.desktop.backend import LibraryBackend
    from likewise.index.queue import SavedQueue

    backend = LibraryBackend()
    try:
        for call in (backend.saved_queue, lambda: backend.save_queue(SavedQueue([], -1, False))):
            with pytest.raises(ValueError, match="no library is open"):
                call()
        backend.open(demo_store_copy)
        ids = [track.id for track in backend.store.tracks("ok")[:3]]
        backend.save_queue(SavedQueue(ids, 1, True))
        tracks, current, autoplay = backend.saved_queue()
        assert [track.id for track in tracks] == ids and current == 1 and autoplay
    finally:
        backend.shutdown()


def _track(number: int, relpath: str):
    from likewise.index.store import Track

    return Track(number, relpath, 1, 0.0, None, f"Song {number}", "", "", "", None, None, "", None, "ok", None, None,
                 None, None)


def test_dropped_songs_are_found_without_resolving_every_song_of_the_library(tmp_path: Path, monkeypatch) -> None:
    """A drop onto a library of 5,000 songs resolves the dropped paths, not the library's (a drop once waited on
    every song's path, on the GUI thread); songs are found through the library folder or its real path alike."""
    import os

    from likewise.desktop.drops import library_songs

    real = tmp_path / "real"
    (real / "a").mkdir(parents=True)
    for name in ("one.mp3", "two.mp3"):
        (real / "a" / name).write_bytes(b"x")
    root = tmp_path / "music"
    root.symlink_to(real)
    tracks = [_track(n, f"b/{n}.mp3") for n in range(5000)] + [_track(5000, "a/one.mp3"), _track(5001, "a/two.mp3")]
    stranger = tmp_path / "elsewhere.mp3"
    stranger.write_bytes(b"x")
    resolved = []
    realpath = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda *a, **k: resolved.append(a[0]) or realpath(*a, **k))
    dropped = [root / "a" / "two.mp3", real / "a" / "one.mp3", root / "b" / ".." / "a" / "one.mp3", stranger]
    found, outside = library_songs(dropped, root, tracks)
    assert [track.id for track in found] == [5001, 5000, 5000] and outside == [stranger]
    assert len(resolved) <= 5  # the dropped paths and the library folder
