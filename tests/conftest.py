"""Shared fixtures: an isolated user data folder, synthetic audio, and a real indexed library."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from likewise.assets import DEMO_DIR

# Every test that makes a Qt application runs offscreen, whichever test files are run together.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")

SAMPLE_RATE = 22050


@pytest.fixture(autouse=True, scope="session")
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test away from the real user data folder."""
    folder = tmp_path_factory.mktemp("likewise-data")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("LIKEWISE_DATA_DIR", str(folder))
    yield folder
    patcher.undo()


def tone(seconds: float, frequency: float = 440.0, rate: int = SAMPLE_RATE, noise: float = 0.05, seed: int = 0,
         channels: int = 1) -> np.ndarray:
    """A sine tone with a little noise, float32, shape (samples,) or (samples, channels)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.4 * np.sin(2 * np.pi * frequency * t) + noise * rng.standard_normal(len(t))
    wave = wave.astype(np.float32)
    return np.repeat(wave[:, None], channels, axis=1) if channels > 1 else wave


def write_audio(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE, **kwargs) -> Path:
    """Encode samples to `path`, format from its suffix (MP3, FLAC, OGG, WAV), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), samples, rate, **kwargs)
    return path


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled demo library (real, tagged music files)."""
    target = tmp_path_factory.mktemp("demo") / "music"
    shutil.copytree(DEMO_DIR, target, ignore=shutil.ignore_patterns("*.md", "*.py"))
    return target


@pytest.fixture(scope="session")
def demo_library(demo_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo library indexed with the shipped model: (music folder, store path). Do not modify it."""
    from likewise.index.pipeline import Indexer

    db = tmp_path_factory.mktemp("demo-db") / "library.sqlite"
    summary = Indexer(demo_copy, db, jobs=2).run()
    assert summary.failed == 0 and summary.analysed > 0
    return demo_copy, db


def copy_store(db: Path, target: Path) -> Path:
    """A consistent copy of a store (SQLite's backup), same songs and ids."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return target


@pytest.fixture
def demo_store_copy(demo_library: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the indexed demo store (same songs and ids), to write plays and the like into."""
    return copy_store(demo_library[1], tmp_path / "library.sqlite")


def select_row(view, row: int) -> None:
    """Select one row of an item view as a click would, whatever keyboard modifiers Qt believes held: selectRow
    reads them, and a test that pressed Ctrl or Shift earlier can leave them set."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    index = view.model().index(row, 0)
    view.selectionModel().setCurrentIndex(index, flags)
