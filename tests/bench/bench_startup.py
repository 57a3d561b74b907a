"""Start-up time of the desktop app on a synthetic 10,000-song library, against a bare Qt window.

Builds a real LibraryStore (random unit vectors of the model's embedding size, ten slices per song) for a music
folder, then starts fresh Python processes with QT_QPA_PLATFORM=offscreen and times, from launching the process:
- the baseline: a bare QApplication + QMainWindow painted for the first time;
- the app: `desktop.app.run_app(folder)` (the real entry point) painted for the first time, and its library
  table filled.

    .venv/bin/python tests/bench/bench_startup.py [--songs 10000] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SLICES_PER_SONG = 10

# The child's first paint of a main window is "shown"; a filled library table is "listed".
CHILD_COMMON = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Watch(QObject):
    shown = False
    def eventFilter(self, obj, event):
        if not self.shown and event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            self.shown = True
            print("shown", flush=True)
            QTimer.singleShot(0, check)
        return False

def check():
    window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow)), None)
    if window is not None and getattr(window, "library", None) is not None and not window.library.model.rowCount():
        QTimer.singleShot(5, check)
        return
    print("listed", flush=True)
    window.close()
    QApplication.quit()

app = QApplication(sys.argv[:1])
watch = Watch()
app.installEventFilter(watch)
"""

CHILD_BASELINE = CHILD_COMMON + """
window = QMainWindow()
window.resize(1200, 750)
window.show()
app.exec()
"""

CHILD_APP = CHILD_COMMON + """
from pathlib import Path
from PySide6.QtCore import QSettings
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
from likewise.desktop.app import run_app
run_app(Path(sys.argv[1]))
"""


def embedding_dim() -> int:
    """The shipped model's embedding size (32 when no model is installed yet)."""
    try:
        from likewise.model.info import read_model_info

        return read_model_info().embedding_dim
    except (OSError, KeyError, ValueError):
        return 32


def build_library(folder: Path, db: Path, songs: int, dim: int, seed: int = 0) -> None:
    """A store of `songs` analysed songs with random unit vectors (the folder itself stays empty)."""
    from likewise.index.store import Analysis, LibraryStore
    from likewise.model.info import describe_tags
    from likewise.model.teacher import TAGS

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with LibraryStore(db, library_root=folder, create=True) as store:
        store.set_analysis_settings("synthetic", "{}")
        store.set_genres(TAGS)
        rows = [(f"Artist {i % 700:03d}/Album {i % 1400:04d}/{i:05d} Song {i}.mp3", 4_000_000, 0.0, f"Song {i}")
                for i in range(songs)]
        ids = store.add_pending(rows)
        for start in range(0, songs, 1000):
            batch = []
            for offset, track_id in enumerate(ids[start : start + 1000]):
                i = start + offset
                vectors = rng.standard_normal((SLICES_PER_SONG, dim)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                probs = rng.beta(0.5, 3.0, len(TAGS)).astype(np.float32)  # independent tag probabilities
                tags = {"title": f"Song {i}", "artist": f"Artist {i % 700:03d}", "album": f"Album {i % 1400:04d}",
                        "album_artist": "", "track_number": i % 12 + 1, "year": 2000 + i % 25, "genre": "",
                        "duration": float(rng.uniform(120, 360))}
                batch.append((track_id, Analysis(tags, f"fp{i}", 30.0, vectors,
                                                 np.arange(SLICES_PER_SONG, dtype=np.float32) * 3.0,
                                                 describe_tags(probs, TAGS), probs)))
            store.save_results(batch, [], "synthetic")


def time_child(code: str, args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from launching `python -c code` to each line it prints."""
    marks: dict[str, float] = {}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env)
    for line in child.stdout:
        marks.setdefault(line.strip(), time.perf_counter() - started)
    if child.wait(timeout=120) != 0 or "shown" not in marks:
        raise RuntimeError(f"the child process failed (exit code {child.returncode})")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="likewise-bench-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LIKEWISE_DATA_DIR=str(tmp_path / "data"))
        os.environ["LIKEWISE_DATA_DIR"] = env["LIKEWISE_DATA_DIR"]
        from likewise.index.paths import default_db_path

        folder = tmp_path / "music"
        dim = embedding_dim()
        started = time.perf_counter()
        build_library(folder, default_db_path(folder), args.songs, dim)
        print(f"built a {args.songs}-song store ({dim}-d vectors) in {time.perf_counter() - started:.1f} s")
        baseline, shown, listed = [], [], []
        for run in range(args.runs):
            baseline.append(time_child(CHILD_BASELINE, [], env)["shown"])
            marks = time_child(CHILD_APP, [str(folder), str(tmp_path / f"settings{run}")], env)
            shown.append(marks["shown"])
            listed.append(marks["listed"])
            print(f"run {run + 1}: bare window {baseline[-1]:.2f} s, likewise shown {shown[-1]:.2f} s, "
                  f"library listed {listed[-1]:.2f} s")
    print(f"median over {args.runs} runs: bare QMainWindow {statistics.median(baseline):.2f} s; likewise window "
          f"shown {statistics.median(shown):.2f} s, {args.songs} songs listed {statistics.median(listed):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
