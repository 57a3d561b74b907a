"""Starting the app: pick the library to show, create the window, run the event loop."""
from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from likewise.assets import DEMO_DIR
from likewise.desktop.main_window import MainWindow
from likewise.desktop.style import apply_style
from likewise.desktop.system_libraries import audio_problem
from likewise.desktop.tasks import wait_for_background
from likewise.index.paths import default_db_path, last_library

APP_NAME = "likewise"
BACKGROUND_WAIT_S = 30.0  # after the window closed, how long cancelled runs may take to wind down
SIGNAL_CHECK_MS = 200  # how often Python gets to run signal handlers (Ctrl-C) while Qt waits for events


def initial_library(folder: Path | None) -> tuple[Path | None, Path]:
    """(music folder or None when only the store is known, store): the folder given, else the library shown last
    (by the app or by a `likewise` command: the store knows its folder), else the bundled demo library."""
    if folder is not None:
        return folder, default_db_path(folder)
    if (db := last_library()) is not None:
        return None, db
    return DEMO_DIR, default_db_path(DEMO_DIR)


def run_app(folder: Path | None) -> int:
    """Open the main window on `folder` (an existing folder, or None: the remembered or demo library); returns the
    exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    apply_style(app)
    window = MainWindow(QSettings())
    _close_on_ctrl_c(window)
    window.show()
    root, db = initial_library(Path(folder).expanduser() if folder is not None else None)
    QTimer.singleShot(0, lambda: _open(window, root, db))  # paint the window first, then load
    code = app.exec()
    wait_for_background(BACKGROUND_WAIT_S)  # the window is gone: indexing runs store what they finished
    return code


def _close_on_ctrl_c(window: MainWindow) -> None:
    """Ctrl-C in the terminal (SIGINT) closes the window as its close button does, which winds indexing down,
    instead of raising KeyboardInterrupt in whichever slot runs. Python runs a signal handler only when it runs
    Python code, which Qt's event loop alone never does: a short timer makes it."""
    signal.signal(signal.SIGINT, lambda _signum, _frame: QTimer.singleShot(0, window.close))
    timer = QTimer(window, interval=SIGNAL_CHECK_MS)
    timer.timeout.connect(lambda: None)
    timer.start()


def _open(window: MainWindow, root: Path | None, db: Path) -> None:
    """Open the library in the window, then show a banner if playback cannot work here."""
    window.open_library(root, db)
    if problem := audio_problem():
        window.player.unavailable = problem
        window.notify(problem)
