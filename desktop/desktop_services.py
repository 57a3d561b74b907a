"""Handing things to the desktop: open a folder in the file manager, or, where none answers, offer its path."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def open_folder(folder: Path) -> bool:
    """Ask the desktop to show a folder; False when nothing could (no file manager, no desktop session)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


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
