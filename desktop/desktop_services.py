"""Handing things to the desktop: open a folder in the file manager, or, where none answers, offer its path."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def open_folder(folder: Path) -> bool:
    """Ask the desktop to show a folder; False when nothing could (no file manager, no desktop session)."""
    if qt_can_name(folder):
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    return _open_by_bytes(folder)


def qt_can_name(path: Path) -> bool:
    """Whether Qt can name `path`: its bytes are UTF-8 (Qt 6 names files in UTF-8, whatever the locale, and its URLs
    and strings cannot carry other bytes)."""
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _open_by_bytes(folder: Path) -> bool:
    """Hand the folder's exact bytes to the desktop's opener (xdg-open; open on macOS), where Qt cannot name it;
    False when there is no opener."""
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        return False
    try:
        process = subprocess.Popen([opener, os.fsencode(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    threading.Thread(target=process.wait, daemon=True).start()  # reaped when it ends, without holding the window
    return True


def copy_text(text: str) -> None:
    """Put text on the clipboard."""
    QGuiApplication.clipboard().setText(text)


def show_folder(parent: QWidget, folder: Path) -> QMessageBox | None:
    """Open `folder` in the file manager; where that fails, say so in a message that offers to copy the path
    (returned, already shown; None when the folder opened)."""
    if open_folder(folder):
        return None
    box = QMessageBox(QMessageBox.Icon.Information, "Show in folder",
                      f"No file manager could open the folder:\n{folder}", QMessageBox.StandardButton.Close, parent)
    copy = box.addButton("Copy path", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: copy_text(str(folder)))
    box.setDefaultButton(copy)
    box.show()
    return box
