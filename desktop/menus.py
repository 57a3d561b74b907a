"""The window's menu bar, made of the window's own actions: File, Edit, View, Playback, Help."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from likewise.desktop.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """Fill the menu bar of `window` (its actions keep their shortcuts, which work without the menus)."""
    bar = window.menuBar()
    file = bar.addMenu("&File")
    file.addActions([window.open_action, window.rescan_action, window.export_action])
    file.addSeparator()
    file.addAction(window.quit_action)
    edit = bar.addMenu("&Edit")
    edit.addActions([window.find_action, window.select_all_action])
    view = bar.addMenu("&View")
    view.addActions(window.tab_actions)
    playback = bar.addMenu("&Playback")
    playback.addActions([window.play_action, window.previous_action, window.next_action, window.stop_action])
    playback.addSeparator()
    playback.addActions([window.radio_action, window.folder_action])
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([window.shortcuts_action, window.about_action])
