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
    assert ("Ctrl+Shift+N", "Play next") in rows and ("Ctrl+M", "Mix of these songs") in rows  # the library's
    assert ("Alt+Up", "Move up") in rows and ("Del", "Remove") in rows  # the queue's
    assert len(rows) == len(set(rows))
    assert rows[-len(LIBRARY_KEYS):] == list(LIBRARY_KEYS)
    assert all(keys and does for keys, does in rows)
    window.close()
