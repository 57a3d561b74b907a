"""The shipped genre CNN: loading, embedding contract, the penultimate cut, determinism, and a tiny training run."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.features import DEFAULT_PARAMS
from model.info import default_model_dir, read_model_info

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def embedder():
    from model.embedder import load_embedder

    return load_embedder()


def _slices(n: int, seed: int = 0) -> np.ndarray:
    """Plausible raw log-mel dB slices: noise around -40 dB with a falling spectral tilt."""
    rng = np.random.default_rng(seed)
    tilt = np.linspace(0.0, -30.0, DEFAULT_PARAMS.n_mels, dtype=np.float32)
    return (rng.normal(-40.0, 8.0, (n, DEFAULT_PARAMS.slice_frames, DEFAULT_PARAMS.n_mels)) + tilt).astype(np.float32)


def test_info_reads_without_tensorflow():
    code = ("import sys; from model.info import read_model_info; import model.cli; info = read_model_info(); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules; print(info.model_id)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    info = read_model_info()
    assert result.stdout.strip() == info.model_id
    assert info.model_dir == default_model_dir()
    assert info.params == DEFAULT_PARAMS
    assert len(info.genres) == 10 and 0 < info.embedding_dim <= 64


def test_shipped_model_is_small_and_id_matches_weights(embedder):
    from model.train import SliceModel, weights_digest

    files = list(default_model_dir().iterdir())
    assert sum(f.stat().st_size for f in files) < 5_000_000
    assert (default_model_dir() / "MODEL.md").exists()
    meta = json.loads((default_model_dir() / "model.json").read_text())
    import keras

    network = keras.saving.load_model(default_model_dir() / "model.keras", compile=False)
    with np.load(default_model_dir() / "model.npz") as arrays:
        model = SliceModel(network, arrays["band_mean"], arrays["band_std"], meta["centre"],
                           arrays["proj_mean"], arrays["proj_matrix"])
    assert meta["model_id"].endswith(weights_digest(model)[:8])


@pytest.mark.parametrize("n", [0, 1, 7, 300])
def test_embed_shape_and_unit_norm(embedder, n):
    vectors, probs = embedder.embed(_slices(n))
    assert vectors.shape == (n, embedder.info.embedding_dim) and vectors.dtype == np.float32
    assert probs.shape == (n, len(embedder.info.genres)) and probs.dtype == np.float32
    if n:
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_same_input_same_embedding(embedder):
    slices = _slices(5, seed=3)
    first, _ = embedder.embed(slices)
    again, _ = embedder.embed(slices)
    batched, _ = embedder.embed(np.concatenate([_slices(260, seed=4), slices]))
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, batched[-5:], atol=1e-5)


def test_embedding_is_the_layer_before_the_classifier(embedder):
    import keras

    from model.network import CLASSIFIER_LAYER, EMBEDDING_LAYER

    network = keras.saving.load_model(default_model_dir() / "model.keras", compile=False)
    classifier = network.get_layer(CLASSIFIER_LAYER)
    assert isinstance(classifier, keras.layers.Dense) and classifier.activation.__name__ == "softmax"
    # only a dropout (identity at inference) sits between the embedding layer and the classifier
    feeding = classifier.input._keras_history.operation
    assert isinstance(feeding, keras.layers.Dropout)
    assert feeding.input._keras_history.operation is network.get_layer(EMBEDDING_LAYER)
    assert network.outputs[0]._keras_history.operation is network.get_layer(EMBEDDING_LAYER)


def _write_clips(root: Path) -> None:
    """A fake GTZAN folder: 3 genres of synthetic tones/noise, 4 s each, with manifest and splits."""
    import soundfile

    rate = DEFAULT_PARAMS.sample_rate
    t = np.arange(int(4 * rate)) / rate
    rng = np.random.default_rng(0)
    rows, splits = [], {"train": [], "valid": [], "test": []}
    for genre, kind in [("blues", "tone"), ("classical", "chord"), ("metal", "noise")]:
        (root / genre).mkdir(parents=True)
        for number in range(4):
            f0 = 110.0 * (1 + number)
            if kind == "tone":
                audio = 0.3 * np.sin(2 * np.pi * f0 * t)
            elif kind == "chord":
                audio = 0.1 * sum(np.sin(2 * np.pi * f0 * r * t) for r in (1, 1.25, 1.5))
            else:
                audio = 0.2 * rng.standard_normal(len(t))
            name = f"{genre}/{genre}.{number:05d}"
            soundfile.write(root / f"{name}.wav", audio.astype(np.float32), rate)
            rows.append(f"{genre},{number:05d},{name}.wav,{rate},{rate},4.0,0,synthetic,x")
            splits[["train", "train", "valid", "test"][number]].append(f"{name}.wav")
    header = "genre,number,file,source_sample_rate,sample_rate,duration_s,full_length,source_repo,source_path"
    (root / "manifest.csv").write_text("\n".join([header, *rows]) + "\n")
    (root / "splits").mkdir()
    for split, names in splits.items():
        (root / "splits" / f"{split}_filtered.txt").write_text("\n".join(names) + "\n")


def test_tiny_training_run_end_to_end(tmp_path):
    from model.embedder import Embedder
    from model.train import TrainConfig, run_training

    _write_clips(tmp_path / "data")
    config = dataclasses.replace(TrainConfig(), epochs=1, batch_clips=4, crops_per_clip=1, pca_dim=8)
    model_id = run_training(tmp_path / "data", tmp_path / "model", config, cache_dir=tmp_path / "cache",
                            log=lambda line: None)
    info = read_model_info(tmp_path / "model")
    assert info.model_id == model_id and info.embedding_dim == 8
    vectors, probs = Embedder(info).embed(_slices(3))
    assert vectors.shape == (3, 8) and probs.shape == (3, 10)


def test_train_and_evaluate_refuse_a_folder_that_is_not_gtzan(tmp_path, capsys) -> None:
    from index.cli import main

    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "model")]) == 1
    assert main(["evaluate", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("is not a GTZAN folder") == 2
    assert not (tmp_path / "model").exists()
