"""The mood map, driven through the real window on the demo library, offscreen."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtWidgets import QFileDialog, QToolTip

from likewise.desktop.library_model import MOOD
from likewise.desktop.main_window import MainWindow
from likewise.desktop.mood_map import HIT_RADIUS, NEAREST_COUNT
from likewise.index.mood import mood_words, nearest_moods
from likewise.index.store import LibraryStore
from tests.conftest import copy_store
from tests.test_desktop import (WAIT_MS, demo_library, expected_similar, open_and_wait, settings,  # noqa: F401
                                shown_results, window)


def clear_point(pixels: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The first candidate position with no dot within 2 * HIT_RADIUS."""
    gaps = np.min(np.hypot(*(candidates[:, None, :] - pixels[None, :, :]).transpose(2, 0, 1)), axis=1)
    return candidates[int(np.argmax(gaps > 2 * HIT_RADIUS))]


def _open_with_moods(qtbot, window: MainWindow, demo_library) -> tuple[Path, Path, dict[int, tuple[float, float]]]:
    """Open the demo library in the window; its folder, its store and the songs' moods from the store."""
    folder, db = demo_library
    open_and_wait(qtbot, window, folder, db)
    with LibraryStore(db) as store:
        moods = store.moods()
    assert moods
    return folder, db, moods


def test_mood_map_dots_click_rectangle_and_mood_column(qtbot, window: MainWindow, demo_library, tmp_path: Path,
                                                        monkeypatch) -> None:
    folder, db, moods = _open_with_moods(qtbot, window, demo_library)

    # the mood column says each song's mood in words
    model = window.library.model
    assert model.headerData(MOOD, Qt.Orientation.Horizontal) == "Mood"
    for row in range(model.rowCount()):
        track_id = model.track_at(row).id
        assert model.index(row, MOOD).data() == (mood_words(*moods[track_id]) if track_id in moods else "")

    # one dot per song with a mood, where its mood puts it
    window.tabs.setCurrentWidget(window.mood_map)
    plot = window.mood_map.plot
    qtbot.waitUntil(lambda: plot.width() > 0 and plot.isVisible(), timeout=WAIT_MS)
    assert sorted(plot.ids.tolist()) == sorted(moods)
    assert np.allclose(plot.points, [moods[int(track_id)] for track_id in plot.ids])
    plot.grab()  # paints the dots without error

    # hover names a song; a click on its dot selects it in the library and shows its similar songs
    pixels = plot.to_pixels(plot.points)
    spacing = np.hypot(*(pixels[:, None, :] - pixels[None, :, :]).transpose(2, 0, 1)) + np.eye(len(pixels)) * 1e9
    row = int(np.argmax(spacing.min(axis=1)))  # the most isolated dot
    track_id = int(plot.ids[row])
    where = QPoint(round(pixels[row, 0]), round(pixels[row, 1]))
    assert plot.song_at(QPointF(where)) == row
    qtbot.mouseMove(plot, where)
    assert plot.labels[row] in QToolTip.text()
    qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, pos=where)
    assert window.library.current_track().id == track_id and plot.current == track_id
    expected = expected_similar(db, track_id, window.panel.options())
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)

    # a rectangle over the happier half lists the songs inside it, nearest its centre first
    plane = plot.plane()
    middle = float(np.median(pixels[:, 0]))
    start, end = QPoint(round(middle), round(plane.top()) + 1), QPoint(round(plane.right()) - 1, round(plane.bottom()) - 1)
    qtbot.mousePress(plot, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseRelease(plot, Qt.MouseButton.LeftButton, pos=end)
    (v0, a1), (v1, a0) = plot.to_mood(QPointF(start)), plot.to_mood(QPointF(end))
    inside = {key: mood for key, mood in moods.items() if v0 <= mood[0] <= v1 and a0 <= mood[1] <= a1}
    assert 0 < len(inside) < len(moods)
    found = [track.id for track in window.mood_map.found]
    assert found == [key for key, _ in nearest_moods(inside, ((v0 + v1) / 2, (a0 + a1) / 2), len(inside))]
    assert window.mood_map.list.count() == len(found)

    # a click on an empty spot lists the songs nearest that mood; they export as M3U8
    grid = np.stack(np.meshgrid(np.linspace(plane.left() + 2, plane.right() - 2, 25),
                                np.linspace(plane.top() + 2, plane.bottom() - 2, 25)), -1).reshape(-1, 2)
    empty = QPoint(*(round(value) for value in clear_point(pixels, grid)))
    qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, pos=empty)
    point = plot.to_mood(QPointF(empty))
    found = [track.id for track in window.mood_map.found]
    assert found == [key for key, _ in nearest_moods(moods, point, NEAREST_COUNT)]
    out = tmp_path / "mood.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    window.mood_map.export_button.click()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U" and len(lines) == 1 + 2 * len(found)
    assert (out.parent / lines[2]).resolve() == (folder / window.mood_map.found[0].relpath).resolve()

    # double-click on a dot plays its song
    song = next(track for track in window.mood_map.tracks.values() if track.id == track_id)
    qtbot.mouseDClick(plot, Qt.MouseButton.LeftButton, pos=where)
    assert window.player.source == folder.resolve() / song.relpath
    window.player.stop()


def mood_rows(window: MainWindow) -> list[str]:
    """The Mood cell of every row the table shows."""
    proxy = window.library.proxy
    return [proxy.index(row, MOOD).data() for row in range(proxy.rowCount())]


def test_mood_filter_and_search_by_mood(qtbot, window: MainWindow, demo_library) -> None:
    folder, db = demo_library
    open_and_wait(qtbot, window, folder, db)
    every = mood_rows(window)
    word = Counter(word for cell in every for word in cell.split(", ") if word).most_common(1)[0][0]
    matching = sorted(cell for cell in every if word in cell.split(", "))
    assert 0 < len(matching) < len(every)

    # the mood box keeps only the songs of that mood
    window.mood_filter.setCurrentText(word)
    assert sorted(mood_rows(window)) == matching
    window.mood_filter.setCurrentIndex(0)  # Any mood
    assert len(mood_rows(window)) == len(every)

    # the search box matches the Mood column's words too
    qtbot.keyClicks(window.search, word)
    qtbot.waitUntil(lambda: len(mood_rows(window)) < len(every), timeout=WAIT_MS)
    assert sorted(mood_rows(window)) == matching


def test_mood_journey_from_calm_sad_to_energetic_happy(qtbot, window: MainWindow, demo_library, tmp_path: Path,
                                                       monkeypatch) -> None:
    folder, db, moods = _open_with_moods(qtbot, window, demo_library)
    window.tabs.setCurrentWidget(window.mood_map)
    view, plot = window.mood_map, window.mood_map.plot
    qtbot.waitUntil(lambda: plot.width() > 0 and plot.isVisible(), timeout=WAIT_MS)
    assert view.journey_length.value() == 10

    # shift-click sets where the journey starts, a second shift-click where it ends
    start, end = QPoint(*plot.to_pixels(np.array([[-0.9, -0.9]]))[0].round().astype(int).tolist()), \
        QPoint(*plot.to_pixels(np.array([[0.9, 0.9]]))[0].round().astype(int).tolist())
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, shift, start)
    assert not view.found
    qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, shift, end)
    qtbot.waitUntil(lambda: bool(view.found), timeout=WAIT_MS)

    # N songs (fewer if the library runs out), no repeats, each step nearer the end, allowing small steps back
    ids = [track.id for track in view.found]
    assert 2 <= len(ids) <= min(10, len(moods)) and len(set(ids)) == len(ids)
    goal = np.array(plot.to_mood(QPointF(end)))
    distances = [float(np.hypot(*(np.array(moods[track_id]) - goal))) for track_id in ids]
    origin = np.array(plot.to_mood(QPointF(start)))
    direction = (goal - origin) / np.linalg.norm(goal - origin)
    progress = [float((np.array(moods[track_id]) - origin) @ direction) for track_id in ids]  # along the way
    assert all(after >= before - 0.15 for before, after in zip(progress, progress[1:])), progress
    assert distances[-1] < distances[0]
    assert view.list.count() == len(ids) and len(plot.path) == len(ids)
    plot.grab()  # draws the path

    # the journey exports as M3U8 and plays on double-click
    out = tmp_path / "journey.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    view.export_button.click()
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 2 * len(ids)
    item = view.list.item(len(ids) - 1)
    view.list.itemActivated.emit(item)
    assert window.player.source == folder.resolve() / view.found[-1].relpath
    window.player.stop()


def test_a_journey_through_songs_analysed_since_the_map_was_drawn(qtbot, window: MainWindow, demo_library,
                                                                  tmp_path: Path) -> None:
    folder, db = demo_library
    db = copy_store(db, tmp_path / "analysing.sqlite")
    with LibraryStore(db) as store:
        moods = store.moods()
        saddest, happiest = min(moods, key=lambda i: sum(moods[i])), max(moods, key=lambda i: sum(moods[i]))
        with store.transaction():  # these two are not analysed yet when the window opens the library
            store.db.execute("DELETE FROM moods WHERE track_id IN (?, ?)", (saddest, happiest))
    open_and_wait(qtbot, window, folder, db)
    view = window.mood_map
    assert saddest not in view.moods and happiest not in view.moods

    window.library_control.set_indexing(True)  # the window's own run: its progress does not redraw the map
    with LibraryStore(db) as store:
        store.set_moods({saddest: moods[saddest], happiest: moods[happiest]})  # the run analyses them
    view.pick_journey_point(*moods[saddest])
    view.pick_journey_point(*moods[happiest])
    qtbot.waitUntil(lambda: not view.heading.text().startswith("Building"), timeout=WAIT_MS)
    assert view.found[0].id == saddest and view.found[-1].id == happiest
    assert view.heading.text().startswith(f"A journey of {len(view.found)} songs from {mood_words(*moods[saddest])} "
                                          f"to {mood_words(*moods[happiest])};")
    assert np.allclose(view.plot.path, [moods[track.id] for track in view.found])


def test_opening_another_library_drops_the_lists_and_playlist_dialogs_of_the_one_left(
        qtbot, window: MainWindow, demo_library, tmp_path: Path) -> None:
    folder, db, moods = _open_with_moods(qtbot, window, demo_library)
    view, dialogs, options = window.mood_map, window.dialogs, window.panel.options()
    view.list_area(QRectF(-1, -1, 2, 2))
    assert view.found and view.export_button.isEnabled()
    seeds = [track for track in window.library.model.tracks() if track.status == "ok"]
    dialogs.song_radio(seeds[0], options)
    dialogs.mix(seeds[:2], options)
    dialogs.sonic_path([seeds[0], seeds[-1]], options)
    qtbot.waitUntil(lambda: all(dialog is not None and dialog.isVisible() for dialog in
                                (dialogs.radio_dialog, dialogs.mix_dialog, dialogs.path_dialog)), timeout=WAIT_MS)
    shown = [dialogs.radio_dialog, dialogs.mix_dialog, dialogs.path_dialog]
    assert len(view.plot.path) > 0  # the sonic path is drawn on the map

    # asked for just before another library opens: their answers are about the library left
    dialogs.song_radio(seeds[1], options)
    view.pick_journey_point(-0.9, -0.9)
    view.pick_journey_point(0.9, 0.9)
    open_and_wait(qtbot, window, folder, copy_store(db, tmp_path / "other.sqlite"))

    assert not any(dialog.isVisible() for dialog in shown)
    assert (dialogs.radio_dialog, dialogs.mix_dialog, dialogs.path_dialog) == (None, None, None)
    assert view.found == [] and view.list.count() == 0 and not view.export_button.isEnabled()
    assert len(view.plot.path) == 0 and view.heading.text().startswith("Drag a rectangle")
    assert sorted(view.plot.ids.tolist()) == sorted(moods)  # the map shows the library opened


def test_a_journey_that_cannot_be_made_says_so_on_the_map(qtbot, window: MainWindow) -> None:
    view = window.mood_map  # no library open
    view.pick_journey_point(-0.9, -0.9)
    view.pick_journey_point(0.9, 0.9)
    qtbot.waitUntil(lambda: not view.heading.text().startswith("Building"), timeout=WAIT_MS)
    assert view.heading.text().startswith("No journey: no library is open.")
    assert view.found == [] and view.list.count() == 0


def test_a_click_that_lists_a_mood_drops_a_journey_half_picked(qtbot, window: MainWindow, demo_library) -> None:
    _open_with_moods(qtbot, window, demo_library)
    view = window.mood_map
    view.pick_journey_point(-0.9, -0.9)
    view.list_area(QRectF(0.5, 0.5, 0, 0))  # a plain click elsewhere: its songs are listed instead
    assert view.heading.text().startswith(f"{NEAREST_COUNT} songs nearest this mood")
    view.pick_journey_point(0.9, 0.9)  # starts a journey afresh, not from the spot picked before
    assert view.heading.text().startswith(f"A journey from {mood_words(0.9, 0.9)}: shift-click where it should end")
    view.journey_failed("the library has no songs with a mood")  # an earlier journey's answer comes meanwhile
    assert view.heading.text().startswith("No journey:")
    assert view.heading.text().endswith(f"A journey from {mood_words(0.9, 0.9)}: shift-click where it should end.")
    asked = []
    view.journey_requested.connect(lambda start, end, length: asked.append((start, end)))
    view.pick_journey_point(-0.9, 0.9)  # the start picked after asking is kept
    assert asked == [((0.9, 0.9), (-0.9, 0.9))]


def test_only_the_left_button_ends_a_click_on_the_map(qtbot, window: MainWindow, demo_library) -> None:
    _open_with_moods(qtbot, window, demo_library)
    window.tabs.setCurrentWidget(window.mood_map)
    view, plot = window.mood_map, window.mood_map.plot
    qtbot.waitUntil(lambda: plot.width() > 0 and plot.isVisible(), timeout=WAIT_MS)
    empty = QPoint(*clear_point(plot.to_pixels(plot.points), np.array(
        [[x, y] for x in range(20, plot.width() - 20, 10) for y in range(20, plot.height() - 20, 10)])).tolist())
    qtbot.mousePress(plot, Qt.MouseButton.LeftButton, pos=empty)
    qtbot.mouseClick(plot, Qt.MouseButton.RightButton, pos=empty)  # while the left one is held
    assert view.found == []
    qtbot.mouseRelease(plot, Qt.MouseButton.LeftButton, pos=empty)
    assert len(view.found) == NEAREST_COUNT


def test_mood_words() -> None:
    assert mood_words(0.5, -0.5) == "calm, happy"
    assert mood_words(-0.3, 0.9) == "energetic, sad"
    assert mood_words(0.1, -0.6) == "calm"
    assert mood_words(0.2, 0.2) == "neutral"
