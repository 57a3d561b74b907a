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
