"""The library table on its own, filled with the demo library's tracks: searching and the keyboard."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from likewise.desktop.library_view import LibraryView
from likewise.index.store import LibraryStore, Track


@pytest.fixture
def view(qtbot, demo_library: tuple[Path, Path]) -> LibraryView:
    with LibraryStore(demo_library[1]) as store:
        tracks = store.tracks()
    shown = LibraryView()
    qtbot.addWidget(shown)
    shown.model.merge(tracks, complete=True)
    shown.show_table()
    shown.resize(900, 500)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _title(view: LibraryView, title: str) -> Track:
    return next(view.model.track_at(row) for row in range(view.model.rowCount())
                if view.model.track_at(row).title == title)


def test_a_search_that_hides_the_current_song_keeps_it_current(qtbot, view: LibraryView) -> None:
    desert = _title(view, "Desert")
    assert view.select_track(desert.id)
    changes = []
    view.current_changed.connect(changes.append)
    view.set_query("Nebula")
    assert view.visible_count() == 1
    assert changes == [] and view.current_track() == desert  # the panel has no reason to move
    view.set_query("")
    assert changes == [] and view.current_track() == desert
    assert view.table.currentIndex().isValid()  # the cursor is back on it
    view.set_query("Nebula")
    view.table.selectRow(0)  # choosing a row that is shown does move on
    assert changes and changes[-1].title == "Nebula" and view.current_track().title == "Nebula"


def test_a_search_without_matches_says_so_in_the_table(qtbot, view: LibraryView) -> None:
    assert not view.no_match.isVisible()
    view.set_query("  zzqx  ")
    assert view.visible_count() == 0
    assert view.no_match.isVisible() and view.no_match.text() == "No songs match “zzqx”"
    assert view.no_match.geometry() == view.table.viewport().rect()
    view.proxy.set_mood("calm")
    assert view.no_match.text() == "No songs match “zzqx” and the mood “calm”"
    view.set_query("")
    view.proxy.set_mood("")
    assert not view.no_match.isVisible() and view.visible_count() == view.model.rowCount()


def test_home_end_and_typing_a_title_move_the_cursor(qtbot, view: LibraryView) -> None:
    view.table.setFocus()
    view.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by title
    titles = [view.proxy.index(row, 0).data() for row in range(view.visible_count())]
    view.table.setCurrentIndex(view.proxy.index(3, 2))  # a cell of the Album column
    qtbot.keyClick(view.table, Qt.Key.Key_End)
    assert view.current_track().display_title == titles[-1]
    qtbot.keyClick(view.table, Qt.Key.Key_Home)
    assert view.current_track().display_title == titles[0]
    view.table.setCurrentIndex(view.proxy.index(0, 1))  # the Artist column: typing still finds titles
    qtbot.keyClicks(view.table, "neb")
    assert view.current_track().title == "Nebula"
