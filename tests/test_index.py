"""The indexing pipeline on real files with the real model: incremental, moves, removals, model change, resume."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from likewise.cli.main import main
from likewise.index.pipeline import Indexer
from likewise.index.store import LibraryStore
from likewise.model.info import default_model_dir
from tests.conftest import tone, write_audio


def make_library(root: Path, count: int = 6) -> Path:
    """A small folder of tones in three formats, each a different pitch."""
    for number in range(count):
        suffix = [".mp3", ".flac", ".ogg"][number % 3]
        write_audio(root / f"album{number % 2}" / f"{number:02d} - Artist{number % 3} - Song {number}{suffix}",
                    tone(8.0 + number, frequency=220.0 * (1 + number / 4), seed=number))
    return root


def analysed_at(db: Path) -> dict[str, float]:
    with LibraryStore(db) as store:
        return {path: value for path, value in store.db.execute("SELECT CAST(path AS TEXT), analysed_at FROM tracks")}


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, Path]:
    return make_library(tmp_path / "music"), tmp_path / "store.sqlite"


def test_first_run_analyses_everything_then_nothing(library: tuple[Path, Path]) -> None:
    root, db = library
    first = Indexer(root, db, jobs=1).run()
    assert (first.added, first.analysed, first.failed) == (6, 6, 0)
    before = analysed_at(db)
    second = Indexer(root, db, jobs=1).run()
    assert (second.added, second.analysed, second.unchanged) == (0, 0, 6)
    assert analysed_at(db) == before  # not one file re-analysed
    with LibraryStore(db) as store:
        track = store.tracks()[0]
        vectors, starts = store.slices_of(track.id)
        assert track.status == "ok" and track.genre and track.fingerprint
        assert vectors.shape[0] == len(starts) >= 2
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_changed_file_is_reanalysed(library: tuple[Path, Path]) -> None:
    root, db = library
    Indexer(root, db, jobs=1).run()
    target = next(root.rglob("*.flac"))
    write_audio(target, tone(12.0, frequency=3000.0))
    summary = Indexer(root, db, jobs=1).run()
    assert (summary.updated, summary.analysed, summary.unchanged) == (1, 1, 5)


def test_moved_file_keeps_its_analysis_and_deleted_file_is_removed(library: tuple[Path, Path]) -> None:
    root, db = library
    Indexer(root, db, jobs=1).run()
    files = sorted(root.rglob("*.mp3"))
    with LibraryStore(db) as store:
        old = store.track_by_path(str(files[0].relative_to(root)))
        old_vectors = store.slices_of(old.id)[0].copy()
    (root / "moved").mkdir()
    new_path = root / "moved" / "renamed.mp3"
    shutil.move(files[0], new_path)
    files[1].unlink()
    summary = Indexer(root, db, jobs=1).run()
    assert (summary.moved, summary.removed, summary.analysed, summary.added) == (1, 1, 0, 0)
    with LibraryStore(db) as store:
        moved = store.track_by_path(str(new_path.relative_to(root)))
        assert moved.id == old.id and moved.status == "ok"
        assert np.array_equal(store.slices_of(moved.id)[0], old_vectors)
        assert store.counts()["ok"] == 5


def test_model_change_reanalyses_everything_and_keeps_the_rest(library: tuple[Path, Path], tmp_path: Path) -> None:
    root, db = library
    (root / "broken.mp3").write_bytes(os.urandom(5000))
    Indexer(root, db, jobs=1).run()
    with LibraryStore(db) as store, store.transaction():  # the person's data: plays, and a meta key
        store.db.execute("INSERT INTO plays (track_id, started_at, heard, fraction, counted, skipped) "
                         "SELECT id, 1.0, 20.0, 1.0, 1, 0 FROM tracks")
        store.set_meta("last_played", "1.0")
    other_model = tmp_path / "model"
    shutil.copytree(default_model_dir(), other_model)
    meta = json.loads((other_model / "model.json").read_text())
    meta["model_id"] += "-retrained"
    (other_model / "model.json").write_text(json.dumps(meta))
    summary = Indexer(root, db, jobs=1, model_dir=other_model).run()
    assert (summary.reanalysed, summary.analysed) == (6, 6)
    with LibraryStore(db) as store:
        assert store.analysis_settings()[0] == meta["model_id"]
        assert {track.model_id for track in store.tracks("ok")} == {meta["model_id"]}
        [failure] = store.tracks("failed")
        assert failure.relpath == "broken.mp3" and failure.reason.startswith("cannot decode audio")
        assert store.db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 7
        assert store.get_meta("last_played") == "1.0"


def test_interrupted_run_resumes_where_it_stopped(library: tuple[Path, Path], monkeypatch) -> None:
    root, db = library
    monkeypatch.setattr("likewise.index.pipeline.BATCH_SLICES", 1)  # store after every file
    indexer = Indexer(root, db, jobs=1)
    indexer.on_progress = lambda progress: indexer.cancel()  # stop after the first stored batch
    first = indexer.run()
    assert first.interrupted
    with LibraryStore(db) as store:
        counts = store.counts()
    assert 0 < counts["ok"] < 6 and counts["pending"] == 6 - counts["ok"]
    second = Indexer(root, db, jobs=1).run()
    assert second.resumed == counts["pending"] and second.analysed == counts["pending"]
    with LibraryStore(db) as store:
        assert store.counts() == {"ok": 6, "pending": 0, "failed": 0}


def test_a_run_cancelled_while_analysing_leaves_the_playlists_to_the_next_run(tmp_path: Path, monkeypatch) -> None:
    """Cancelling (the window closing, Ctrl-C) during analysis stops after storing what is finished: it must not go on
    to read the folder's playlists and learn co-listening from them, which can take seconds; the next run does."""
    from likewise.index.colisten import colistening_path
    from tests.corpus import make_songs

    music = tmp_path / "music"
    songs = make_songs(music, 4)
    for number in range(3):
        (music / f"mix {number}.m3u").write_text("\n".join(path.name for path in songs[number:number + 2]) + "\n")
    db = tmp_path / "library.sqlite"
    monkeypatch.setattr("likewise.index.pipeline.BATCH_SLICES", 1)  # store after every file
    indexer = Indexer(music, db, jobs=1)
    indexer.on_progress = lambda progress: indexer.cancel()
    cancelled = indexer.run()
    assert cancelled.interrupted and cancelled.playlists_read == 0
    assert not colistening_path(db).exists()
    finished = Indexer(music, db, jobs=1).run()
    assert not finished.interrupted and finished.playlists_read == 3
    assert colistening_path(db).exists()


def test_failures_are_recorded_with_reason_and_do_not_stop_the_run(library: tuple[Path, Path], capsys) -> None:
    root, db = library
    (root / "broken.mp3").write_bytes(os.urandom(5000))
    write_audio(root / "blip.wav", tone(1.0))
    summary = Indexer(root, db, jobs=2).run()
    assert (summary.analysed, summary.failed) == (6, 2)
    assert main(["index", "--failures", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "broken.mp3\tcannot decode audio" in listing
    assert "blip.wav\ttoo short: 1.0 s" in listing


def test_cli_index_and_info(library: tuple[Path, Path], capsys) -> None:
    root, db = library
    assert main(["index", str(root), "--db", str(db), "--jobs", "1"]) == 0
    assert "added 6, updated 0, moved 0, removed 0, failed 0, unchanged 0" in capsys.readouterr().out
    assert main(["info", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "6 analysed, 0 waiting, 0 failed" in out and str(root.resolve()) in out


def test_default_store_is_per_folder_in_user_data(library: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    root, _ = library
    monkeypatch.setenv("LIKEWISE_DATA_DIR", str(tmp_path / "data"))
    assert main(["index", str(root), "--jobs", "1"]) == 0
    stores = list((tmp_path / "data" / "libraries").glob("music-*.sqlite"))
    assert len(stores) == 1
    assert main(["info"]) == 0  # finds the library used last


def test_a_run_cancelled_while_walking_the_folder_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """Cancelling (the window closing, SIGTERM) during the scan stops at once, and a scan cut short must neither add
    songs nor forget the playlists it had not reached yet."""
    from tests.corpus import make_songs

    music = tmp_path / "music"
    songs = make_songs(music, 3)
    (music / "mine.m3u").write_text("\n".join(path.name for path in songs[:2]) + "\n")
    db = tmp_path / "library.sqlite"
    first = Indexer(music, db, jobs=1).run()
    assert first.analysed == 3 and not first.interrupted
    make_songs(music / "new", 2)
    (music / "mine.m3u").unlink()
    cancelled = Indexer(music, db, jobs=1)
    cancelled.cancel()
    summary = cancelled.run()
    assert summary.interrupted and summary.added == 0 and summary.removed == 0
    with LibraryStore(db) as store:
        assert store.counts() == {"ok": 3, "pending": 0, "failed": 0}
        assert store.db.execute("SELECT COUNT(*) FROM playlists").fetchone()[0] == 1
