"""Paint and hover times of the mood map with 50,000 songs (random moods, twelve top tags), offscreen.

Times, over several runs: setting the points; the first paint at a size (which draws every dot into the cached
layer); a repaint with the layer cached (what hovering, selecting and dragging cost); and finding the dot under
the cursor. Goal: a full paint well under a second.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_moodmap.py [--songs 50000] [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from likewise.desktop.mood_map import MoodPlot  # noqa: E402

TAGS = [f"tag{number}" for number in range(12)]


def timed(action) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    points = np.clip(rng.normal(0, 0.45, (args.songs, 2)), -1, 1)
    labels = [f"Artist {n} - Song {n}" for n in range(args.songs)]
    tags = [TAGS[n] for n in rng.integers(0, len(TAGS), args.songs)]
    plot = MoodPlot()
    plot.resize(900, 650)
    times: dict[str, list[float]] = {"set points": [], "full paint": [], "cached repaint": [], "dot under cursor": []}
    for run in range(args.runs):
        times["set points"].append(timed(lambda: plot.set_points(np.arange(args.songs), points, labels, tags)))
        times["full paint"].append(timed(plot.grab))
        plot.set_current(int(run))
        times["cached repaint"].append(timed(plot.grab))
        where = QPointF(*rng.uniform(50, 600, 2))
        times["dot under cursor"].append(timed(lambda: plot.song_at(where)))
    print(f"mood map, {args.songs:,} songs, {plot.width()}x{plot.height()} px, median of {args.runs} runs:")
    for name, values in times.items():
        print(f"  {name:18} {statistics.median(values) * 1000:8.1f} ms   (max {max(values) * 1000:.1f})")
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
