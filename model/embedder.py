"""The app's slice embedder: raw log-mel dB slices in, unit-length embeddings and tag probabilities out.

It runs model.tflite with the LiteRT interpreter (ai-edge-litert) when that is installed, and otherwise falls back
to model.keras on TensorFlow (the [train] extra): both are the same weights, and their outputs agree within 1e-4.
"""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from likewise.model.info import (
    ARRAYS_FILE, NP_LOAD_ERRORS, TFLITE_FILE, WEIGHTS_FILE, ModelError, ModelInfo, read_model_info,
)
from likewise.model.network import EMBEDDING_LAYER, TAG_LAYER
from likewise.model.prep import normalise, project

BATCH = 256  # the TFLite batch is dynamic: a fixed batch of 64 padded with zeros took 33 ms for 7 slices, this 2-5 ms
THREADS = 2
_CACHE: dict[Path, "Embedder"] = {}

Forward = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # normalised slices -> (embeddings, tag probs)


def default_runtime(model_dir: Path) -> str:
    """"litert" when its interpreter is installed and the model has a TFLite file, else "keras" (TensorFlow)."""
    has_litert = importlib.util.find_spec("ai_edge_litert") is not None
    return "litert" if has_litert and (Path(model_dir) / TFLITE_FILE).exists() else "keras"


def litert_forward(info: ModelInfo) -> Forward:
    """The forward pass of model.tflite on the LiteRT interpreter (no TensorFlow)."""
    from ai_edge_litert.interpreter import Interpreter

    from likewise.model.tfsetup import native_stderr_silenced

    runner = Interpreter(model_path=str(info.model_dir / TFLITE_FILE), num_threads=THREADS).get_signature_runner()
    with native_stderr_silenced():  # the first run prints a notice about the CPU delegate
        runner(slices=np.zeros((1, info.params.slice_frames, info.params.n_mels), np.float32))

    def forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        outputs = runner(slices=x)
        return outputs[EMBEDDING_LAYER], outputs[TAG_LAYER]

    return forward


def keras_forward(info: ModelInfo) -> Forward:
    """The forward pass of model.keras on TensorFlow, imported here (seconds, and hundreds of MB)."""
    from likewise.model.tfsetup import import_tf

    tf = import_tf(THREADS)
    import keras

    network = keras.saving.load_model(info.model_dir / WEIGHTS_FILE, compile=False)
    traced = tf.function(
        lambda x: [network(x, training=False)[name] for name in (EMBEDDING_LAYER, TAG_LAYER)],
        input_signature=[tf.TensorSpec([None, info.params.slice_frames, info.params.n_mels], tf.float32)],
    )

    def forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        embeddings, probs = traced(x)
        return embeddings.numpy(), probs.numpy()

    return forward


FORWARDS: dict[str, Callable[[ModelInfo], Forward]] = {"litert": litert_forward, "keras": keras_forward}


class Embedder:
    """A loaded model. embed() is deterministic, batched and safe to call from several threads."""

    def __init__(self, info: ModelInfo, runtime: str | None = None):
        """Load the model's arrays and network; ModelError when a file of it is damaged."""
        self.info = info
        self.runtime = runtime or default_runtime(info.model_dir)
        self._centre = info.centre
        try:
            with np.load(info.model_dir / ARRAYS_FILE, allow_pickle=False) as arrays:
                self._mean, self._std = arrays["band_mean"], arrays["band_std"]
                has_projection = arrays["proj_matrix"].size > 0
                self._proj_mean = arrays["proj_mean"] if has_projection else None
                self._proj_matrix = arrays["proj_matrix"] if has_projection else None
        except NP_LOAD_ERRORS as error:
            raise ModelError(info.model_dir / ARRAYS_FILE, error) from error
        try:
            self._forward = FORWARDS[self.runtime](info)
        except (OSError, ValueError, RuntimeError) as error:  # a network file that does not load or does not run
            raise ModelError(info.model_dir / (TFLITE_FILE if self.runtime == "litert" else WEIGHTS_FILE),
                             error) from error
        self._lock = threading.Lock()  # the LiteRT interpreter runs one call at a time

    def embed(self, slices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, frames, mels) raw dB slices -> (L2-normalised embeddings (n, dim), tag probabilities (n, tags))."""
        slices = np.asarray(slices, dtype=np.float32)
        if len(slices) == 0:
            return (np.zeros((0, self.info.embedding_dim), np.float32), np.zeros((0, len(self.info.tags)), np.float32))
        embeddings, probs = [], []
        for start in range(0, len(slices), BATCH):
            x = normalise(slices[start : start + BATCH], self._mean, self._std, self._centre)
            with self._lock:
                e, p = self._forward(x)
            embeddings.append(e)
            probs.append(p)
        vectors = project(np.concatenate(embeddings), self._proj_mean, self._proj_matrix)
        return vectors, np.concatenate(probs).astype(np.float32)


def load_embedder(model_dir: Path | None = None) -> Embedder:
    """The embedder of a model directory (default: the shipped model), loaded once per process."""
    info = read_model_info(model_dir)
    key = info.model_dir.resolve()
    if key not in _CACHE:
        _CACHE[key] = Embedder(info)
    return _CACHE[key]
