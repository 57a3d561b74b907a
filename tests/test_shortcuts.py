"""The shortcuts list of the Help dialog, read from the real main window."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from likewise.desktop.main_window import MainWindow
from likewise.desktop.shortcuts import LIBRARY_KEYS, ShortcutsDialog


def test_the_dialog_lists_every_shortcut_of_the_window_and_the_table_keys(qtbot, tmp_path: Path) -> None:
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    dialog = ShortcutsDialog(window)
    rows = dialog.rows()
    native = QKeySequence.SequenceFormat.NativeText
    assert ("Ctrl+R", "Song radio") in rows and ("Ctrl+Shift+O", "Show in folder") in rows
    assert (window.open_action.shortcut().toString(native), "Open music folder") in rows
    with_keys = [action for action in window.actions() if not action.shortcut().isEmpty()]
    assert len(rows) == len(with_keys) + len(LIBRARY_KEYS)
    assert rows[-len(LIBRARY_KEYS):] == list(LIBRARY_KEYS)
    assert all(keys and does for keys, does in rows)
    window.close()
