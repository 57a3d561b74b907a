"""A first analysis, as a new user watches it: every song moves the bar, and songs are stored as they are analysed."""
from __future__ import annotations

import shutil
from pathlib import Path

from likewise.audio.features import DEFAULT_PARAMS
from likewise.desktop.indexing import IndexingBar
from likewise.index.pipeline import Indexer, Progress
from likewise.index.store import LibraryStore
from likewise.model.embedder import load_embedder
from tests.corpus import MisbehavingPool, make_songs, run_likewise


def test_every_song_is_reported_and_songs_are_stored_while_the_run_goes_on(demo_copy: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    load_embedder()  # loaded once per process: the run does not wait for the model, as in a long first run
    music, db = tmp_path / "music", tmp_path / "library.sqlite"
    music.mkdir()
    for number, song in enumerate(sorted(demo_copy.rglob("*.mp3"))[:8]):  # each takes SLOW_SECONDS longer: the
        shutil.copy(song, music / f"slow{number}.mp3")  # run lasts over a second on any machine
    monkeypatch.setattr("likewise.index.pipeline.AnalysisPool", MisbehavingPool)
    reports: list[Progress] = []
    summary = Indexer(music, db, jobs=2, on_progress=reports.append).run()
    counted = [report.done for report in reports if report.current]
    assert counted == list(range(1, summary.analysed + 1))  # one report per song, not one per batch
    saves = [report.saved_ids for report in reports if report.saved_ids]
    with LibraryStore(db) as store:
        assert sorted(track_id for saved in saves for track_id in saved) == sorted(t.id for t in store.tracks())
    assert len(saves) >= 3, "songs must reach the store (and the window) in several steps, not all at the end"


def test_the_pool_calls_idle_while_it_waits_for_workers(demo_copy: Path, tmp_path: Path) -> None:
    song = shutil.copy(next(demo_copy.rglob("*.mp3")), tmp_path / "slow.mp3")  # SLOW_SECONDS: over two ticks
    ticks = []
    pool = MisbehavingPool(2, DEFAULT_PARAMS)
    try:
        results = list(pool.run([(1, str(tmp_path), Path(song).name)], idle=lambda: ticks.append(1)))
    finally:
        pool.close()
    assert len(results) == 1 and len(ticks) >= 2


def test_the_bar_counts_songs_and_says_the_time_left(qtbot) -> None:
    bar = IndexingBar()
    qtbot.addWidget(bar)
    bar.start(Path("/music/Mine"))
    assert bar.bar.maximum() == 0  # busy until the first song is done
    bar.update_progress(Progress(done=1, total=20, failed=0, elapsed=4.0, model_loading=True))
    assert (bar.bar.maximum(), bar.bar.value()) == (20, 1)
    assert "1 of 20 songs" in bar.label.text() and "loading the analysis model" in bar.label.text()
    bar.update_progress(Progress(done=5, total=20, failed=1, elapsed=6.0))
    text = bar.label.text()
    assert "5 of 20 songs" in text and "2.0 songs/s" in text and "7 s left" in text and "1 failed" in text
    assert "loading" not in text


def test_likewise_index_without_a_terminal_says_the_last_count_once(tmp_path: Path) -> None:
    make_songs(tmp_path / "music", 3)
    finished = run_likewise(["index", str(tmp_path / "music"), "--db", str(tmp_path / "store.sqlite"), "--jobs", "2"],
                            tmp_path / "data")
    assert finished.returncode == 0, finished.stderr
    assert finished.stderr.count("analysed 3/3 songs") == 1, finished.stderr
