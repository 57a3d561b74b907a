"""Show in folder: a folder Qt cannot name goes to the desktop's opener byte for byte; where no file manager answers
(the offscreen test platform has none), it says so, and copies."""
from __future__ import annotations

import os
import sys
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


def test_a_folder_whose_name_is_not_utf8_reaches_the_opener_byte_for_byte(qtbot, tmp_path: Path, monkeypatch) -> None:
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9 \xff"))  # Latin-1 name: Qt's URLs cannot carry it
    folder.mkdir()
    bin_dir, heard = tmp_path / "bin", tmp_path / "heard"
    bin_dir.mkdir()
    opener = bin_dir / ("open" if sys.platform == "darwin" else "xdg-open")
    opener.write_text('#!/bin/sh\nprintf "%s" "$1" > "$HEARD"\n', encoding="utf-8")  # the desktop's opener, recording
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HEARD", str(heard))
    assert open_folder(folder)
    qtbot.waitUntil(lambda: heard.exists() and heard.stat().st_size > 0, timeout=5000)
    assert heard.read_bytes() == os.fsencode(folder)
