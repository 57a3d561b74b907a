"""Numpy-side input normalisation and embedding projection, shared by training and the embedder (no TensorFlow)."""
from __future__ import annotations

import numpy as np


def band_stats(frames: list[np.ndarray], centre: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-mel-band mean and standard deviation of training log-mel frames, each clip's mean level removed if centre."""
    stacked = np.concatenate([f - f.mean() if centre else f for f in frames]).astype(np.float64)
    return stacked.mean(axis=0).astype(np.float32), (stacked.std(axis=0) + 1e-3).astype(np.float32)


def normalise(slices: np.ndarray, mean: np.ndarray, std: np.ndarray, centre: bool) -> np.ndarray:
    """Model input from raw dB slices (n, frames, mels): optionally remove each slice's mean level, then per band."""
    x = np.asarray(slices, dtype=np.float32)
    offset = x.reshape(len(x), -1).mean(axis=1)[:, None, None] + mean if centre else mean
    x = x - offset  # one new array (the caller's slices stay as they are), then scaled in place
    x *= 1.0 / std
    return x


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def tag_space(probabilities: np.ndarray) -> np.ndarray:
    """Tag probabilities and their logits side by side, each centred and scaled to unit mean squared length: songs
    then compare equally by the tags that dominate them (the probabilities, in which the teacher's own taggrams
    retrieve best) and by the faint tags that tell songs of one style apart (the logits)."""
    p = np.clip(np.asarray(probabilities, np.float64), 1e-5, 1 - 1e-5)

    def unit(part: np.ndarray) -> np.ndarray:
        centred = part - part.mean(axis=0)
        return centred / np.sqrt(np.mean(np.sum(centred**2, axis=1)))

    return np.hstack([unit(p), unit(np.log(p / (1 - p)))])


def fit_projection(embeddings: np.ndarray, targets: np.ndarray, ridge: float,
                   dim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression from L2-normalised embeddings to targets (both centred): (mean, matrix (d_in, d_out)). With
    `dim`, the matrix keeps only the `dim` principal directions of the projected embeddings (a rotation of them
    when they span no more: the tag space's two halves are read off the same few directions)."""
    x = l2_normalise(embeddings).astype(np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    y = np.asarray(targets, np.float64)
    matrix = np.linalg.solve(centred.T @ centred + ridge * np.eye(x.shape[1]), centred.T @ (y - y.mean(axis=0)))
    if dim is not None and dim < matrix.shape[1]:
        projected = centred @ matrix
        _, directions = np.linalg.eigh(projected.T @ projected)  # ascending variance; `dim` even from few rows
        matrix = matrix @ directions[:, ::-1][:, :dim]
    return mean.astype(np.float32), matrix.astype(np.float32)


def project(embeddings: np.ndarray, mean: np.ndarray | None, matrix: np.ndarray | None) -> np.ndarray:
    """App embedding: L2-normalise, apply the projection if there is one, L2-normalise again."""
    x = l2_normalise(embeddings)
    if matrix is not None:
        x = l2_normalise((x - mean) @ matrix)
    return x
