"""Show in folder where no file manager answers (the offscreen test platform has none): it says so, and copies."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from likewise.desktop.desktop_services import open_folder, show_folder


def test_without_a_file_manager_the_path_is_offered(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "Music with “quotes”"
    folder.mkdir()
    parent = QWidget()
    qtbot.addWidget(parent)
    assert not open_folder(folder)  # nothing here can show a folder
    box = show_folder(parent, folder)
    assert box is not None and box.isVisible() and str(folder) in box.text()
    [copy] = [button for button in box.buttons() if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole]
    assert copy.text() == "Copy path"
    QGuiApplication.clipboard().clear()
    copy.click()
    assert QGuiApplication.clipboard().text() == str(folder)
    assert not box.isVisible()  # a button press answers the message
