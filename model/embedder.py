"""The app's slice embedder: raw log-mel dB slices in, unit-length embeddings and tag probabilities out."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from model.info import ARRAYS_FILE, MODEL_JSON, WEIGHTS_FILE, ModelInfo, read_model_info
from model.network import EMBEDDING_LAYER, TAG_LAYER
from model.prep import normalise, project

BATCH = 256
_CACHE: dict[Path, "Embedder"] = {}


class Embedder:
    """A loaded model. embed() is deterministic and batched; TensorFlow is imported on construction."""

    def __init__(self, info: ModelInfo):
        from model.tfsetup import import_tf

        tf = import_tf()
        import keras

        self.info = info
        meta = json.loads((info.model_dir / MODEL_JSON).read_text())
        self._centre = bool(meta["centre"])
        with np.load(info.model_dir / ARRAYS_FILE) as arrays:
            self._mean, self._std = arrays["band_mean"], arrays["band_std"]
            has_projection = arrays["proj_matrix"].size > 0
            self._proj_mean = arrays["proj_mean"] if has_projection else None
            self._proj_matrix = arrays["proj_matrix"] if has_projection else None
        network = keras.saving.load_model(info.model_dir / WEIGHTS_FILE, compile=False)
        params = info.params
        self._forward = tf.function(
            lambda x: [network(x, training=False)[name] for name in (EMBEDDING_LAYER, TAG_LAYER)],
            input_signature=[tf.TensorSpec([None, params.slice_frames, params.n_mels], tf.float32)],
        )

    def embed(self, slices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, frames, mels) raw dB slices -> (L2-normalised embeddings (n, dim), tag probabilities (n, tags))."""
        slices = np.asarray(slices, dtype=np.float32)
        if len(slices) == 0:
            return (np.zeros((0, self.info.embedding_dim), np.float32), np.zeros((0, len(self.info.tags)), np.float32))
        embeddings, probs = [], []
        for start in range(0, len(slices), BATCH):
            x = normalise(slices[start : start + BATCH], self._mean, self._std, self._centre)
            e, p = self._forward(x)
            embeddings.append(e.numpy())
            probs.append(p.numpy())
        vectors = project(np.concatenate(embeddings), self._proj_mean, self._proj_matrix)
        return vectors, np.concatenate(probs).astype(np.float32)


def load_embedder(model_dir: Path | None = None) -> Embedder:
    """The embedder of a model directory (default: the shipped model), loaded once per process."""
    info = read_model_info(model_dir)
    key = info.model_dir.resolve()
    if key not in _CACHE:
        _CACHE[key] = Embedder(info)
    return _CACHE[key]
