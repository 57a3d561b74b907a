"""Take assets/screenshot.png: the main window on the demo library with recommendations showing (with --mood-map,
assets/mood-map.png: the same window on its Mood map tab, with the songs of the happy, energetic quarter listed).

Run under Xvfb (Debian package `xvfb`), with the shipped model installed:

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tests/bench/screenshot.py [--out PATH] [--theme dark] [--mood-map]

The demo library is indexed into a temporary data folder, so the user's libraries and settings are untouched.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEED_TITLE = "Crossroads"


def wait_for(app, condition, timeout: float = 60.0) -> None:
    """Process events until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def pump(app, seconds: float) -> None:
    """Process events for a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="default: assets/screenshot.png, or assets/mood-map.png")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--mood-map", action="store_true", help="show the Mood map tab")
    args = parser.parse_args()
    args.out = args.out or REPO / "assets" / ("mood-map.png" if args.mood_map else "screenshot.png")
    tmp = Path(tempfile.mkdtemp(prefix="likewise-shot-"))
    os.environ["LIKEWISE_DATA_DIR"] = str(tmp / "data")
    os.environ["LIKEWISE_THEME"] = args.theme
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

    from PySide6.QtCore import QPoint, QRectF, QSettings
    from PySide6.QtGui import QCursor
    from PySide6.QtWidgets import QApplication

    from likewise.assets import DEMO_DIR
    from likewise.desktop.main_window import MainWindow
    from likewise.desktop.style import apply_style
    from likewise.index.paths import default_db_path
    from likewise.index.pipeline import Indexer

    db = default_db_path(DEMO_DIR)
    Indexer(DEMO_DIR, db).run()

    app = QApplication(sys.argv[:1])
    app.setApplicationName("likewise")
    apply_style(app)
    window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1200, 750)
    window.show()
    QCursor.setPos(window.mapToGlobal(QPoint(600, 740)))
    window.open_library(DEMO_DIR, db)
    model = window.library.model
    wait_for(app, lambda: model.rowCount() > 0)
    seed = next(model.track_at(row) for row in range(model.rowCount()) if model.track_at(row).title == SEED_TITLE)
    window.library.select_track(seed.id)
    window.library.table.setFocus()
    wait_for(app, lambda: bool(window.panel.items))
    window.panel.table.selectRow(1)
    best = window.panel.items[1]
    window.queue.play_now([best.track], start=best.matches[0].time)
    wait_for(app, lambda: window.player.is_playing(), timeout=10)
    pump(app, 1.5)
    window.player.toggle()
    if args.mood_map:
        window.tabs.setCurrentWidget(window.mood_map)
        window.mood_map.list_area(QRectF(0.0, 0.0, 1.0, 1.0))
    pump(app, 0.5)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        raise OSError(f"could not write {args.out}")
    print(f"wrote {args.out} ({window.width()}x{window.height()})")
    window.close()
    from likewise.desktop.tasks import wait_for_background

    wait_for_background(10)  # the library and cover threads end before Python does, as in desktop/app.py
    return 0


if __name__ == "__main__":
    sys.exit(main())
