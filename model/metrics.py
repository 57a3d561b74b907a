"""Song-level voting, accuracy, confusion matrices and retrieval precision@k (no TensorFlow)."""
from __future__ import annotations

import numpy as np


def song_vote(slice_probs: np.ndarray) -> int:
    """Genre of a song by majority vote of its slices' top genres; ties go to the larger summed probability."""
    votes = np.bincount(slice_probs.argmax(axis=1), minlength=slice_probs.shape[1]).astype(np.float64)
    return int(np.argmax(votes + 1e-6 * slice_probs.sum(axis=0) / max(len(slice_probs), 1)))


def confusion(truth: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(truth), np.asarray(predicted)), 1)
    return matrix


def grouped_song_vectors(slices: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Song vector = mean of its L2-normalised slice embeddings, itself L2-normalised (cosine retrieval).

    Songs are stored one after another: song i owns slices[starts[i]:starts[i + 1]] (or to the end).
    """
    unit = slices / np.maximum(np.linalg.norm(slices, axis=1, keepdims=True), 1e-12)
    means = np.add.reduceat(unit, starts, axis=0) / np.diff(np.append(starts, len(slices)))[:, None]
    return means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)


def shared_label_relevance(label_sets: list[tuple[str, ...]]) -> np.ndarray:
    """(n, n) bool: item j is relevant to item i when they share at least one label (multi-label collections)."""
    names = sorted({name for labels in label_sets for name in labels})
    member = np.zeros((len(label_sets), len(names)), bool)
    for i, labels in enumerate(label_sets):
        member[i, [names.index(name) for name in labels]] = True
    return (member.astype(np.int32) @ member.T.astype(np.int32)) > 0


def precision_at_k(vectors: np.ndarray, labels: np.ndarray, k: int = 10, metric: str = "cosine",
                   exclude: np.ndarray | None = None) -> float:
    """Mean over queries of the share of the k nearest other items that are relevant to the query.

    labels: one label per item (relevant = same label), or an (n, n) bool relevance matrix. metric "cosine"
    expects unit vectors; "euclidean" uses plain distances. exclude[i, j] True removes candidate j for query i
    (the query itself is always removed).
    """
    x = np.asarray(vectors, dtype=np.float64)
    labels = np.asarray(labels)
    relevant = labels if labels.ndim == 2 else labels[:, None] == labels[None, :]
    if metric == "cosine":
        distances = -x @ x.T
    else:
        squared = (x**2).sum(axis=1)
        distances = squared[:, None] + squared[None, :] - 2 * x @ x.T
    np.fill_diagonal(distances, np.inf)
    if exclude is not None:
        distances = np.where(exclude, np.inf, distances)
    scores = []
    for i in range(len(x)):
        take = min(k, int(np.isfinite(distances[i]).sum()))
        if take == 0:
            continue
        nearest = np.argsort(distances[i], kind="stable")[:take]
        scores.append(np.mean(relevant[i, nearest]))
    return float(np.mean(scores))


def precision_ceiling(labels: np.ndarray, k: int = 10) -> float:
    """The best precision_at_k any ranking can reach: a song with n same-label others scores at most min(k, n) / k."""
    labels = np.asarray(labels)
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    same = counts[inverse] - 1
    return float(np.mean(np.minimum(same, k) / min(k, len(labels) - 1)))
