"""The window's finishing touches (issue 16), on the real window and the demo library, offscreen: the menu bar and
About, Space after a pause, the smallest window, drag and drop, the song menus, the Problems actions, covers and
the media controls."""
from __future__ import annotations

import shutil
from pathlib import Path

from mutagen.id3 import APIC, ID3
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QToolButton

from likewise.assets import installed_version
from likewise.desktop.about import AboutDialog
from likewise.desktop.cover import CoverLoader, CoverView
from likewise.desktop.main_window import MINIMUM_SIZE, MainWindow
from likewise.desktop.shortcuts import ShortcutsDialog
from likewise.index.pipeline import Indexer
from likewise.index.store import LibraryStore, Track
from tests.conftest import select_row
from tests.test_cover import png
from tests.test_desktop import WAIT_MS, demo_library, open_and_wait, settings, window  # noqa: F401


def menu_texts(window: MainWindow) -> dict[str, list[str]]:
    return {menu.title().replace("&", ""): [a.text() for a in menu.actions() if not a.isSeparator()]
            for menu in (action.menu() for action in window.menuBar().actions())}


def test_menu_bar_about_and_shortcuts(qtbot, window: MainWindow) -> None:  # noqa: F811
    menus = menu_texts(window)
    assert list(menus) == ["File", "Edit", "View", "Playback", "Help"]
    assert menus["File"][0] == "Open music folder…" and menus["File"][-1] == "Quit"
    assert menus["Edit"] == ["Find", "Select all songs"]
    assert menus["View"] == ["Library", "Mood map", "Problems"]
    assert {"Play/Pause", "Next song", "Previous song", "Stop"} <= set(menus["Playback"])
    assert menus["Help"] == ["Keyboard shortcuts", "About likewise"]
    window.tab_actions[1].trigger()
    assert window.tabs.currentWidget() is window.mood_map
    window.find_action.trigger()
    assert window.search.hasFocus() or QGuiApplication.focusObject() is window.search

    window.about_action.trigger()
    text = window.findChild(AboutDialog).text.toPlainText()
    assert f"likewise {installed_version()}" in text and "MIT" in text
    assert "GTZAN" in text and "musicnn" in text  # the model card's credits
    assert all(name in text for name in ("Max McCracken", "Shawn Parrotte", "Will Savino", "Lincoln Domina"))
    assert "CC BY-SA 3.0" in text
    window.shortcuts_action.trigger()
    assert any(isinstance(child, ShortcutsDialog) and child.isVisible() for child in window.children())


def test_space_resumes_a_paused_result_rather_than_the_selected_song(qtbot, window: MainWindow,  # noqa: F811
                                                                       demo_library) -> None:
    folder, db = demo_library
    tracks = [t for t in open_and_wait(qtbot, window, folder, db) if t.status == "ok"]
    assert window.library.select_track(tracks[0].id)
    qtbot.waitUntil(lambda: bool(window.panel.items), timeout=WAIT_MS)
    select_row(window.panel.table, 0)
    result = window.panel.items[0].track
    assert result.id != tracks[0].id
    window.panel.play_button.click()
    qtbot.waitUntil(window.player.is_playing, timeout=WAIT_MS)
    window.play_action.trigger()  # Space: pause
    qtbot.waitUntil(window.player.is_paused, timeout=WAIT_MS)
    window.play_action.trigger()  # Space again: the paused result goes on, not the library's selected song
    qtbot.waitUntil(window.player.is_playing, timeout=WAIT_MS)
    assert window.player.source == folder.resolve() / result.relpath
    assert window.queue.playing.id == result.id
    window.queue.stop()


def test_the_smallest_window_keeps_the_search_box_and_whole_tab_names(qtbot, window: MainWindow,  # noqa: F811
                                                                      demo_library) -> None:
    tabs = window.library_control.tabs
    tabs.setTabText(tabs.indexOf(window.problems), "Problems (12)")
    window.resize(400, 300)
    assert (window.width(), window.height()) == MINIMUM_SIZE
    qtbot.wait(50)
    overflow = window.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible()
    for widget in (window.search, window.mood_filter, window.toolbar.widgetForAction(window.folder_action)):
        assert widget.isVisible() and widget.geometry().right() <= window.toolbar.width()
    bar = window.tabs.tabBar()
    for index in range(bar.count()):
        assert bar.tabRect(index).width() > bar.fontMetrics().horizontalAdvance(bar.tabText(index))


def test_tab_goes_from_the_search_to_the_songs_to_their_similar_songs(qtbot, window: MainWindow,  # noqa: F811
                                                                       demo_library) -> None:
    open_and_wait(qtbot, window, *demo_library)
    select_row(window.library.table, 0)
    qtbot.waitUntil(lambda: bool(window.panel.items), timeout=WAIT_MS)
    window.activateWindow()
    window.search.setFocus()
    qtbot.waitUntil(window.search.hasFocus, timeout=WAIT_MS)
    visited = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [window.mood_filter, window.library.table, window.panel.table, window.panel.why]


def drop(window: MainWindow, *paths: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_drops_open_folders_queue_library_songs_and_import_playlists(qtbot, window: MainWindow,  # noqa: F811
                                                                   demo_library, tmp_path: Path) -> None:
    folder, db = demo_library
    tracks = open_and_wait(qtbot, window, folder, db)
    qtbot.waitUntil(lambda: window.queue._loaded, timeout=WAIT_MS)  # the saved queue is shown (it replaces the queue)
    stranger = tmp_path / "elsewhere.mp3"
    shutil.copy2(folder / tracks[0].relpath, stranger)
    drop(window, folder / tracks[3].relpath, folder / tracks[1].relpath, stranger)
    assert [t.id for t in window.queue_model.tracks()] == [tracks[3].id, tracks[1].id]
    assert window.notice.isVisible() and "elsewhere.mp3" in window.notice.text()

    playlist = tmp_path / "mine.m3u8"
    playlist.write_text(f"#EXTM3U\n{folder / tracks[5].relpath}\n", encoding="utf-8")
    drop(window, playlist)
    qtbot.waitUntil(lambda: len(window.queue_model.tracks()) == 3, timeout=WAIT_MS)
    assert window.queue_model.tracks()[-1].id == tracks[5].id
    qtbot.waitUntil(lambda: [p.name for p in window.playlists.playlists] == ["mine"], timeout=WAIT_MS)  # listed
    assert window.playlists.current().name == "mine"  # and shown, as an import from the tab shows it
    with LibraryStore(db) as store:
        assert store.db.execute("SELECT name FROM playlists WHERE origin = 'file'").fetchall() == [("mine",)]

    other = tmp_path / "other"
    other.mkdir()
    drop(window, other)
    assert window.library_control.root == other.resolve()


def test_a_dropped_link_that_loops_is_named_not_in_the_library(qtbot, window: MainWindow,  # noqa: F811
                                                                demo_library, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, *demo_library)
    (tmp_path / "a.mp3").symlink_to(tmp_path / "b.mp3")
    (tmp_path / "b.mp3").symlink_to(tmp_path / "a.mp3")
    drop(window, tmp_path / "a.mp3")  # its real path cannot be found: it is no song of the library
    assert window.notice.isVisible() and "not in this library (a.mp3)" in window.notice.text()
    assert window.queue_model.rowCount() == 0


def test_song_menus_show_copy_and_find_similar(qtbot, window: MainWindow, demo_library) -> None:  # noqa: F811
    folder, db = demo_library
    tracks = [t for t in open_and_wait(qtbot, window, folder, db) if t.status == "ok"]
    for view in (window.library.table, window.panel.table):
        texts = [action.text() for action in view.actions()]
        assert {"Play now", "Play next", "Add to queue", "Similar songs", "Show in folder", "Copy path"} <= set(texts)
    assert window.library.select_track(tracks[2].id)
    action = {a.text(): a for a in window.library.table.actions()}
    action["Copy path"].trigger()
    assert QGuiApplication.clipboard().text() == str(folder.resolve() / tracks[2].relpath)
    qtbot.waitUntil(lambda: bool(window.panel.items), timeout=WAIT_MS)
    select_row(window.panel.table, 1)
    result = window.panel.items[1].track
    {a.text(): a for a in window.panel.table.actions()}["Similar songs"].trigger()
    assert window.library.current_track().id == result.id
    qtbot.waitUntil(lambda: window.panel.seed is not None and window.panel.seed.id == result.id, timeout=WAIT_MS)


def test_problems_tab_tries_again_offers_a_rescan_and_removes(qtbot, window: MainWindow, demo_copy: Path,  # noqa: F811
                                                              tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for song in sorted(demo_copy.rglob("*.mp3"))[:2]:
        shutil.copy2(song, music / song.name)
    (music / "notes.mp3").write_bytes(b"not music at all\n" * 500)
    db = tmp_path / "library.sqlite"
    assert Indexer(music, db, jobs=1).run().failed == 1
    open_and_wait(qtbot, window, music, db)
    qtbot.waitUntil(lambda: window.problems.table.rowCount() == 1, timeout=WAIT_MS)
    select_row(window.problems.table, 0)
    window.problems.retry_button.click()
    qtbot.waitUntil(lambda: window.rescan_offer is not None and window.rescan_offer.isVisible(), timeout=WAIT_MS)
    assert window.problems.table.rowCount() == 0  # waiting now, not failed
    [rescan] = [b for b in window.rescan_offer.buttons() if b.text() == "Rescan now"]
    rescan.click()
    qtbot.waitUntil(lambda: window.problems.table.rowCount() == 1 and not window.is_indexing(), timeout=WAIT_MS * 3)
    select_row(window.problems.table, 0)
    window.problems.remove_button.click()
    qtbot.waitUntil(lambda: window.problems.table.rowCount() == 0, timeout=WAIT_MS)
    with LibraryStore(db) as store:
        assert len(store.tracks()) == 2
    assert (music / "notes.mp3").exists()


def test_covers_are_read_off_the_gui_thread_and_follow_the_song(qtbot, window: MainWindow, demo_library,  # noqa: F811
                                                                tmp_path: Path) -> None:
    folder, db = demo_library
    song = tmp_path / "covered.mp3"
    shutil.copy2(next(folder.rglob("*.mp3")), song)
    tags = ID3(song)
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="front", data=png("red", 200)))
    tags.save(song)
    loader = CoverLoader()
    view = CoverView(64)
    qtbot.addWidget(view)
    loader.show(view, song)
    qtbot.waitUntil(lambda: view.has_cover, timeout=WAIT_MS)
    assert view.pixmap().width() == 64
    loader.show(view, None)
    assert not view.has_cover and view.text() == "No cover"
    loader.close()

    tracks = [t for t in open_and_wait(qtbot, window, folder, db) if t.status == "ok"]
    window.now_cover.setText("")
    window.queue.play_now([tracks[0]])
    qtbot.waitUntil(lambda: window.now_cover.text() == "♪", timeout=WAIT_MS)  # the demo songs have none
    assert window.now_cover.toolTip() == "This song's file holds no cover picture"
    window.queue.stop()


def test_media_controls_follow_and_drive_the_queue(qtbot, window: MainWindow, demo_library) -> None:  # noqa: F811
    folder, db = demo_library
    tracks: list[Track] = [t for t in open_and_wait(qtbot, window, folder, db) if t.status == "ok"]
    qtbot.waitUntil(lambda: window.queue._loaded, timeout=WAIT_MS)
    mpris = window.mpris
    window.queue.play_now(tracks[:3])
    assert mpris.metadata["xesam:title"] == tracks[0].display_title
    assert mpris.can_go_next
    mpris.next_requested.emit()
    assert window.queue.playing.id == tracks[1].id and mpris.metadata["xesam:title"] == tracks[1].display_title
    qtbot.waitUntil(lambda: mpris.status == "Playing", timeout=WAIT_MS)
    mpris.pause_requested.emit()
    qtbot.waitUntil(lambda: mpris.status == "Paused", timeout=WAIT_MS)
    mpris.play_pause_requested.emit()
    qtbot.waitUntil(window.player.is_playing, timeout=WAIT_MS)
    assert window.queue.playing.id == tracks[1].id
    player = window.player

    def stopped() -> bool:
        return not player.is_playing() and not player.is_paused()

    mpris.stop_requested.emit()
    qtbot.waitUntil(stopped, timeout=WAIT_MS)
    assert mpris.status == "Stopped"

    window.queue.set_autoplay(False)  # the queue's end: Next on its last song
    window.queue.play_row(window.queue_model.rowCount() - 1)
    qtbot.waitUntil(lambda: mpris.status == "Playing", timeout=WAIT_MS)
    mpris.next_requested.emit()
    qtbot.waitUntil(stopped, timeout=WAIT_MS)
    assert window.queue.playing is None and mpris.status == "Stopped"


def test_progress_reports_open_the_store_once(qtbot, window: MainWindow, demo_library,  # noqa: F811
                                              monkeypatch) -> None:
    folder, db = demo_library
    control = window.library_control
    opened: list[Path] = []
    real_open = control.backend.open
    monkeypatch.setattr(control.backend, "open", lambda path: opened.append(path) or real_open(path))
    control.open_library(folder, db)
    for _ in range(5):  # reports arriving before the library thread answered the first open
        control.store_open = False
        control.index_progress(None)
    qtbot.waitUntil(lambda: control.store_open, timeout=WAIT_MS)
    assert opened == [db]  # the library's own open answers the reports too
