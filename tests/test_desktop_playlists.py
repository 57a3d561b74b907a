"""The window's side of playlists and listening (issue 19): the Plays and Last played columns, the Playlists tab,
the setting that blends in what is played together, and forgetting the listening history; on real stores."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from likewise.desktop import settings as options
from likewise.desktop.backend import LibraryBackend
from likewise.desktop.library_model import LAST_PLAYED, PLAYS, format_played
from likewise.desktop.main_window import MainWindow
from likewise.index.colisten import refresh_colistening
from likewise.index.plays import play_counts, record_play
from likewise.index.recommend import Recommender, together_reason
from likewise.index.store import LibraryStore
from tests.test_desktop import WAIT_MS, expected_similar, open_and_wait, settings, shown_results, window  # noqa: F401

POLL_WAIT_MS = 10_000  # the window looks for changes made by another process every 3 s


def plays_shown(window: MainWindow) -> dict[int, tuple[str, str]]:
    """track id -> (Plays, Last played) as the table shows them, for the rows that show any."""
    model = window.library.model
    cells = {model.track_at(row).id: (model.index(row, PLAYS).data(), model.index(row, LAST_PLAYED).data())
             for row in range(model.rowCount())}
    return {track_id: shown for track_id, shown in cells.items() if any(shown)}


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    """Answer the next questions with `button`; returns the questions asked."""
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *args: asked.append(text) or button)
    return asked


def test_plays_columns_follow_the_store_sort_and_are_emptied_by_forgetting(qtbot, window: MainWindow, demo_library,
                                                                          demo_store_copy: Path, monkeypatch) -> None:
    folder, _ = demo_library
    tracks = open_and_wait(qtbot, window, folder, demo_store_copy)
    assert plays_shown(window) == {}
    snapshots = []  # every song read again: a play must not cost that (seconds at 100,000 songs)
    snapshot = LibraryBackend.snapshot
    monkeypatch.setattr(LibraryBackend, "snapshot", lambda backend: snapshots.append(1) or snapshot(backend))
    a, b = tracks[0].id, tracks[1].id
    now = time.time()
    with LibraryStore(demo_store_copy) as store:  # as the player (or another process) records plays
        record_play(store, a, now - 3000, 200.0, 200.0)
        record_play(store, b, now - 2000, 200.0, 200.0)
        record_play(store, a, now - 1000, 200.0, 200.0)
        record_play(store, b, now - 500, 5.0, 200.0)  # a skip: not counted
    qtbot.waitUntil(lambda: plays_shown(window) == {a: ("2", format_played(now - 1000)),
                                                    b: ("1", format_played(now - 2000))}, timeout=POLL_WAIT_MS)
    assert snapshots == []

    table = window.library.table
    table.sortByColumn(PLAYS, Qt.SortOrder.DescendingOrder)
    assert [window.library.model.track_at(row).id for row in range(2)] == [a, b]
    table.sortByColumn(LAST_PLAYED, Qt.SortOrder.AscendingOrder)
    assert [window.library.model.track_at(row).id for row in range(len(tracks))][-2:] == [b, a]

    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.panel.forget_button.click()
    assert len(asked) == 1 and "cannot be undone" in asked[0]
    qtbot.wait(500)
    assert len(plays_shown(window)) == 2

    damaged = demo_store_copy.with_name(f"{demo_store_copy.name}.damaged-20260101-000000")  # as repair leaves one
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(1000))
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.panel.forget_button.click()
    qtbot.waitUntil(lambda: plays_shown(window) == {}, timeout=WAIT_MS)
    assert snapshots == []
    qtbot.waitUntil(window.notice.isVisible, timeout=WAIT_MS)
    assert "still hold plays" in window.notice.text() and str(damaged) in window.notice.text()
    with LibraryStore(demo_store_copy) as store:
        assert play_counts(store) == {}
        assert store.db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 0


def test_blending_what_is_played_together_is_a_setting_and_why_similar_says_it(
        qtbot, window: MainWindow, demo_library, demo_store_copy: Path, monkeypatch) -> None:
    folder, _ = demo_library
    with LibraryStore(demo_store_copy) as store:
        recommender = Recommender(store)
        seed = store.tracks("ok")[0].id
        partner = [item.track.id for item in recommender.similar(
            recommender.seed_for_track(seed), window.panel.options())][-1]  # the last the sound alone shows
        others = [track.id for track in store.tracks("ok") if track.id not in (seed, partner)]
        started = time.time() - 30 * 86400
        for day in range(8):  # eight listening sessions with the two side by side
            for track_id in (others[day % len(others)], seed, partner):
                record_play(store, track_id, started, 200.0, 200.0)
                started += 200.0
            started += 86400.0
        assert refresh_colistening(store) is not None
    open_and_wait(qtbot, window, folder, demo_store_copy)
    assert window.panel.blend.isChecked()
    blended = window.panel.options()
    assert not blended.audio_only

    assert window.library.select_track(seed)
    expected = expected_similar(demo_store_copy, seed, blended)
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)
    assert expected.index(partner) < len(expected) - 1  # played together: it moved up
    row = expected.index(partner)
    window.panel.table.selectRow(row)
    reason = together_reason(window.panel.items[row])
    assert reason.startswith("often played together (") and reason in window.panel.why_label.text()

    window.panel.blend.setChecked(False)
    audio_only = window.panel.options()
    assert audio_only.audio_only
    expected = expected_similar(demo_store_copy, seed, audio_only)
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)
    assert expected[-1] == partner
    window.panel.table.selectRow(len(expected) - 1)
    assert "played together" not in window.panel.why_label.text()

    window.save_settings()
    stored = QSettings(window.settings.fileName(), QSettings.Format.IniFormat)  # as the next start reads it
    assert options.RECOMMEND_BLEND.get(stored) is False

    # forgetting the plays forgets what was learnt from them: blending changes nothing any more
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.panel.forget_button.click()
    qtbot.waitUntil(lambda: plays_shown(window) == {}, timeout=WAIT_MS)
    window.panel.blend.setChecked(True)
    assert expected_similar(demo_store_copy, seed, window.panel.options()) == expected
    window.panel.items.clear()
    qtbot.waitUntil(lambda: shown_results(window) == expected, timeout=WAIT_MS)


def test_a_boolean_setting_survives_the_settings_file(tmp_path: Path) -> None:
    stored = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert options.RECOMMEND_BLEND.get(stored) is True
    options.RECOMMEND_BLEND.set(stored, False)
    stored.sync()
    assert options.RECOMMEND_BLEND.get(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)) is False


def pane_rows(window: MainWindow) -> list[tuple[str, ...]]:
    table = window.playlists.table
    return [tuple(table.item(row, column).text() for column in range(table.columnCount()))
            for row in range(table.rowCount())]


def test_playlists_tab_imports_shows_problems_plays_mixes_and_exports(qtbot, window: MainWindow, demo_library,
                                                                      demo_store_copy: Path, tmp_path: Path,
                                                                      monkeypatch) -> None:
    folder, _ = demo_library
    tracks = open_and_wait(qtbot, window, folder, demo_store_copy)
    first, second = [track for track in tracks if track.status == "ok"][:2]
    assert pane_rows(window) == [] and "No playlists yet" in window.playlists.summary.text()
    source = tmp_path / "road trip.m3u"
    source.write_text(f"#EXTM3U\n{folder / first.relpath}\nno such song.mp3\n{folder / second.relpath}\n",
                      encoding="utf-8")

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(source), ""))
    window.playlists.import_button.click()
    qtbot.waitUntil(lambda: len(window.playlists.tracks) == 2, timeout=WAIT_MS)
    assert pane_rows(window) == [("road trip", "2 of 3", "file", "1")]
    assert [track.id for track in window.playlists.tracks] == [first.id, second.id]
    problems = window.playlists.problems
    assert problems.count() == 1 and problems.item(0).text().startswith("line 3: ")
    assert "1 with problems" in window.playlists.summary.text()

    refilled = []  # a play lists the playlists again: the one shown must stay as it is, scrolled where it was
    show = window.playlists.show_playlist
    monkeypatch.setattr(window.playlists, "show_playlist", lambda *args: refilled.append(args) or show(*args))
    with LibraryStore(demo_store_copy) as store:
        record_play(store, first.id, time.time() - 300, 200.0, 200.0)
    qtbot.waitUntil(lambda: first.id in plays_shown(window), timeout=POLL_WAIT_MS)
    qtbot.wait(300)
    assert refilled == [] and window.playlists.current().name == "road trip"

    window.playlists.play_button.click()  # the first song plays, the rest wait in the queue
    assert window.player.source == folder.resolve() / first.relpath
    assert [track.id for track in window.queue_model.upcoming()][:1] == [second.id]
    window.player.stop()

    window.playlists.mix_button.click()
    dialogs = window.dialogs
    qtbot.waitUntil(lambda: dialogs.mix_dialog is not None and dialogs.mix_dialog.isVisible(), timeout=WAIT_MS)
    with LibraryStore(demo_store_copy) as store:
        recommender = Recommender(store)
        expected = recommender.mix([recommender.seed_for_track(first.id), recommender.seed_for_track(second.id)],
                                   window._mix_options())
    assert [track.id for track in dialogs.mix_dialog.tracks] == [item.track.id for item in expected]
    assert dialogs.mix_dialog.list.count() == len(expected) > 0

    # Export: the guarded writer never writes over a file that is not a playlist...
    notes = tmp_path / "notes.m3u8"
    notes.write_text("my notes\n", encoding="utf-8")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(notes), ""))
    window.playlists.export_button.click()
    assert notes.read_text(encoding="utf-8") == "my notes\n" and "not a playlist" in warnings[0]
    # ... and what it writes is kept as a playlist likewise made
    out = tmp_path / "trip copy.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    window.playlists.export_button.click()
    entries = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [(out.parent / entry).resolve() for entry in entries] == [(folder / t.relpath).resolve()
                                                                    for t in (first, second)]
    qtbot.waitUntil(lambda: len(pane_rows(window)) == 2, timeout=WAIT_MS)
    assert pane_rows(window)[1] == ("trip copy", "2 of 2", "made by likewise", "0")
    assert window.playlists.current().path == out

    # the mix dialog's export and the song radio's are recorded too
    mixed = tmp_path / "mix.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(mixed), ""))
    dialogs.mix_dialog.choose_export()
    qtbot.waitUntil(lambda: len(pane_rows(window)) == 3, timeout=WAIT_MS)
    assert ("mix", f"{len(expected)} of {len(expected)}", "made by likewise", "0") in pane_rows(window)
    assert window.library.select_track(first.id)
    window.radio_action.trigger()
    qtbot.waitUntil(lambda: window.dialogs.radio_dialog is not None and window.dialogs.radio_dialog.isVisible(),
                    timeout=WAIT_MS)
    radio = tmp_path / "radio.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(radio), ""))
    window.dialogs.radio_dialog.choose_export()
    qtbot.waitUntil(lambda: len(pane_rows(window)) == 4, timeout=WAIT_MS)
    assert window.playlists.current().name == "radio" and window.playlists.current().path == radio
    assert [track.id for track in window.playlists.tracks] == [first.id] + [
        track.id for track in window.dialogs.radio_dialog.tracks]
