"""Mood: the numpy mood model agrees with scikit-learn, and indexed songs get valence and arousal in [-1, 1]."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.mood import MoodModel, fit_mood, load_mood, mood_input


def test_the_numpy_model_is_the_fitted_classifier_and_survives_a_round_trip(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    tags, embedding = rng.random((80, 5)), rng.standard_normal((80, 4))
    quadrants = rng.integers(0, 4, 80)
    mood = fit_mood(mood_input(tags, embedding, "both"), quadrants, "both", 1.0, "some-model")
    features = mood_input(tags, embedding, "both")
    expected = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(
        (features - mood.mean) / mood.scale, quadrants).predict_proba((features - mood.mean) / mood.scale)
    mood.save(tmp_path / "mood.npz")
    loaded = MoodModel.load(tmp_path / "mood.npz")
    assert np.allclose(loaded.quadrant_probs(features), expected, atol=1e-6)
    plane = loaded.estimate(tags, embedding)
    assert plane.shape == (80, 2) and np.all(np.abs(plane) <= 1.0)


def test_the_shipped_mood_model_belongs_to_the_shipped_model() -> None:
    assert load_mood() is not None


def test_indexed_songs_have_a_mood_in_the_unit_square(demo_library: tuple[Path, Path]) -> None:
    from index.store import LibraryStore

    with LibraryStore(demo_library[1], read_only=True) as store:
        moods, songs = store.moods(), [track.id for track in store.tracks("ok")]
    assert sorted(moods) == sorted(songs)
    assert all(-1.0 <= value <= 1.0 for pair in moods.values() for value in pair)


def test_indexing_fills_missing_moods_from_the_stored_analysis(demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil
    import sqlite3
    from contextlib import closing

    from index.pipeline import Indexer
    from index.store import LibraryStore

    music, db = demo_library
    copy = Path(shutil.copy(db, tmp_path / "library.sqlite"))
    with LibraryStore(db, read_only=True) as store:
        expected = store.moods()
    with closing(sqlite3.connect(copy)) as connection, connection:
        connection.execute("DELETE FROM moods")
    summary = Indexer(music, copy, jobs=1).run()
    with LibraryStore(copy, read_only=True) as store:
        filled = store.moods()
    assert summary.analysed == 0 and sorted(filled) == sorted(expected)
    assert np.allclose([filled[key] for key in expected], [expected[key] for key in expected], atol=1e-5)
