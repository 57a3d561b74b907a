"""Mood: the numpy mood model agrees with scikit-learn, and indexed songs get valence and arousal in [-1, 1]."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from likewise.model.mood import MoodModel, fit_mood, load_mood, mood_input


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
    from likewise.index.store import LibraryStore

    with LibraryStore(demo_library[1], read_only=True) as store:
        moods, songs = store.moods(), [track.id for track in store.tracks("ok")]
    assert sorted(moods) == sorted(songs)
    assert all(-1.0 <= value <= 1.0 for pair in moods.values() for value in pair)


def test_indexing_fills_missing_moods_from_the_stored_analysis(demo_library: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil
    import sqlite3
    from contextlib import closing

    from likewise.index.pipeline import Indexer
    from likewise.index.store import LibraryStore

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


def _moods_by_path(db: Path) -> dict[str, tuple[float, float]]:
    from likewise.index.paths import display_path
    from likewise.index.store import LibraryStore

    with LibraryStore(db, read_only=True) as store:
        moods = store.moods()
        return {display_path(track.relpath): moods[track.id] for track in store.tracks("ok")}


def test_mood_json_ranks_songs_by_distance_to_the_asked_mood(demo_library: tuple[Path, Path], capsys) -> None:
    import json

    from likewise.cli.main import main

    db = demo_library[1]
    assert main(["mood", "--valence", "0.5", "--arousal", "-0.5", "-n", "5", "--json", "--db", str(db)]) == 0
    found = json.loads(capsys.readouterr().out)["results"]
    moods = _moods_by_path(db)
    distances = sorted(float(np.hypot(v - 0.5, a + 0.5)) for v, a in moods.values())
    assert [round(item["distance"], 4) for item in found] == [round(d, 4) for d in distances[:5]]
    assert all(moods[item["path"]] == (item["valence"], item["arousal"]) for item in found)


def test_a_journey_walks_from_one_mood_to_the_other(demo_library: tuple[Path, Path], demo_store_copy: Path,
                                                    tmp_path: Path) -> None:
    from likewise.cli.main import main

    (music, _), db, out = demo_library, demo_store_copy, tmp_path / "journey.m3u8"  # -o keeps it in the store
    assert main(["mood", "--from", "-1,-1", "--to", "1,1", "-n", "8", "-o", str(out), "--absolute",
                 "--db", str(db)]) == 0
    lines = [str(Path(line).relative_to(music)) for line in out.read_text().splitlines() if not line.startswith("#")]
    moods = _moods_by_path(db)
    along = [moods[line][0] + moods[line][1] for line in lines]  # towards (1, 1)
    assert len(lines) == 8 and len(set(lines)) == 8
    assert all(later >= earlier - 0.15 for earlier, later in zip(along, along[1:])) and along[-1] > along[0]


def test_a_short_journey_says_why(demo_store_copy: Path, capsys) -> None:
    from likewise.cli.main import main

    assert main(["mood", "--from", "-1,-1", "--to", "1,1", "-n", "30", "--db", str(demo_store_copy)]) == 0
    assert "the library has 20 songs with a mood, not 30" in capsys.readouterr().err
    assert main(["mood", "--from", "-0.5,-0.8", "--to", "0.6,0.8", "-n", "19", "--db", str(demo_store_copy)]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) < 19  # the demo's moods leave no free song further along the way at some step
    assert "no other song lies further along the way" in err and "songs with a mood" not in err, err


def test_similar_json_carries_the_mood_of_every_track(demo_library: tuple[Path, Path], capsys) -> None:
    import json

    from likewise.cli.main import main

    music, db = demo_library
    moods = _moods_by_path(db)
    assert main(["similar", str(music / next(iter(moods))), "-n", "3", "--json", "--db", str(db)]) == 0
    answer = json.loads(capsys.readouterr().out)
    for item in [answer["seed"]] + answer["results"]:
        assert (item["valence"], item["arousal"]) == moods[item["path"]]


def _indexed_without_a_mood(tmp_path: Path, caplog, damage: Callable[[Path], None]) -> str:
    """Index one song with a copy of the shipped model whose mood.npz `damage` rewrote: it must be analysed, without
    a mood; the one warning said about the mood file."""
    import shutil

    from likewise.index.pipeline import Indexer
    from likewise.index.store import LibraryStore
    from likewise.model.info import default_model_dir
    from tests.test_index import make_library

    model_dir = tmp_path / "model"
    shutil.copytree(default_model_dir(), model_dir, ignore=shutil.ignore_patterns("model.keras", "*.md"))
    damage(model_dir / "mood.npz")
    db = tmp_path / "library.sqlite"
    summary = Indexer(make_library(tmp_path / "music", count=1), db, jobs=1, model_dir=model_dir).run()
    assert summary.analysed == 1
    with LibraryStore(db, read_only=True) as store:
        assert store.moods() == {}
    [warning] = [record.getMessage() for record in caplog.records if "mood" in record.getMessage()]
    return warning


def test_a_damaged_mood_file_is_said_once_and_songs_are_indexed_without_a_mood(tmp_path: Path, caplog) -> None:
    warning = _indexed_without_a_mood(tmp_path, caplog, lambda path: path.write_bytes(b"PK\x03\x04 damaged"))
    assert "mood.npz" in warning and "cannot be read" in warning


@pytest.mark.parametrize("damage", ["coefficients too narrow", "unknown input", "strength not a number",
                                    "strength complex", "not finite"])
def test_a_mood_file_whose_arrays_do_not_fit_the_model_is_said_and_songs_are_indexed_without_a_mood(
        tmp_path: Path, caplog, damage: str) -> None:
    """A mood.npz that reads and names the right model, but whose arrays cannot be applied to its outputs."""
    def rewrite(path: Path) -> None:
        mood = MoodModel.load(path)
        arrays = {"model_id": np.array(mood.model_id), "kind": np.array(mood.kind),
                  "strength": np.array(mood.strength), "mean": mood.mean, "scale": mood.scale, "coef": mood.coef,
                  "intercept": mood.intercept}
        if damage == "coefficients too narrow":
            arrays.update(mean=mood.mean[:10], scale=mood.scale[:10], coef=mood.coef[:, :10])
        elif damage == "unknown input":
            arrays["kind"] = np.array("tag")
        elif damage == "strength not a number":
            arrays["strength"] = np.array([1.0, 2.0])
        elif damage == "strength complex":
            arrays["strength"] = np.array(1.0 + 2.0j)
        else:
            arrays["coef"] = np.full_like(mood.coef, np.nan)
        path.unlink()
        np.savez(path, **arrays)

    warning = _indexed_without_a_mood(tmp_path, caplog, rewrite)
    assert "mood.npz" in warning and "cannot be" in warning


@pytest.mark.parametrize("names", ["kept", "gone", "damaged", "nested too deep"])
def test_a_song_whose_stored_tag_probabilities_are_cut_short_does_not_stop_indexing(
        demo_library: tuple[Path, Path], demo_store_copy: Path, names: str) -> None:
    """Its mood is missing, so the next run works it out from the stored probabilities, which a damaged row holds
    too few of: that song is left without a mood, the run goes on (whatever the store says its tags are called)."""
    import sqlite3
    from contextlib import closing

    from likewise.index.pipeline import Indexer
    from likewise.index.store import LibraryStore

    with LibraryStore(demo_store_copy, read_only=True) as store:
        victim = store.tracks("ok")[3].id
        moods = store.moods()
    with closing(sqlite3.connect(demo_store_copy)) as db, db:
        db.execute("DELETE FROM moods WHERE track_id = ?", (victim,))
        db.execute("UPDATE tracks SET genre_probs = ? WHERE id = ?", (np.full(10, 0.1, np.float32).tobytes(), victim))
        if names == "gone":
            db.execute("DELETE FROM meta WHERE key = 'genres'")
        elif names == "damaged":
            db.execute("UPDATE meta SET value = '5' WHERE key = 'genres'")
        elif names == "nested too deep":
            db.execute("UPDATE meta SET value = ? WHERE key = 'genres'", ("[" * 100000,))
    summary = Indexer(demo_library[0], demo_store_copy, jobs=1).run()
    assert summary.failed == 0
    with LibraryStore(demo_store_copy, read_only=True) as store:
        assert store.moods() == {song: mood for song, mood in moods.items() if song != victim}
        assert names in ("kept", "gone") or store.genres() == []  # read as unknown
