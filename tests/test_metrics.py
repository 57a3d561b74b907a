"""Retrieval precision and its ceiling, on hand-made vectors where the answer is known."""
from __future__ import annotations

import numpy as np

from likewise.model.metrics import precision_at_k, precision_ceiling, shared_label_relevance


def test_precision_at_k_counts_same_label_neighbours_and_never_the_query() -> None:
    # Two tight pairs far apart: each song's nearest other song shares its label; the query is not its own match.
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.141, 0.99]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1])
    assert precision_at_k(vectors, labels, k=1) == 1.0
    assert precision_at_k(vectors, labels, k=2) == 0.5
    assert precision_at_k(vectors, np.array([0, 1, 0, 1]), k=1) == 0.0


def test_ceiling_is_what_small_groups_allow() -> None:
    # Three songs of label 0 can each find both others; the lone song of label 1 can find nothing.
    assert precision_ceiling(np.array([0, 0, 0, 1]), k=2) == 0.75
    assert precision_ceiling(np.array([0, 0, 1, 1]), k=1) == 1.0


def test_a_perfect_embedding_reaches_the_ceiling_and_no_higher() -> None:
    rng = np.random.default_rng(7)
    labels = rng.choice(6, size=60, p=[0.4, 0.3, 0.2, 0.05, 0.03, 0.02])
    perfect = np.eye(6)[labels]  # unit vectors, one direction per label
    ceiling = precision_ceiling(labels, k=10)
    assert ceiling < 1.0  # the small labels cap it
    assert precision_at_k(perfect, labels, k=10) == ceiling
    assert precision_at_k(rng.normal(size=(60, 6)), labels, k=10) < ceiling


def test_shared_labels_make_items_relevant_to_each_other() -> None:
    relevant = shared_label_relevance([("Jazz", "Vocal"), ("Vocal",), ("Rock",), ()])
    assert relevant[0, 1] and relevant[1, 0] and not relevant[0, 2] and not relevant[3, 3]
    # Item 0's nearest is item 2 (no shared genre), then item 1 (shares "Vocal"); item 2 shares nothing.
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.99, 0.141], [-1.0, 0.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert precision_at_k(vectors[:3], relevant[:3, :3], k=1) == 0.0
    assert abs(precision_at_k(vectors[:3], relevant[:3, :3], k=2) - (0.5 + 0.5 + 0.0) / 3) < 1e-9
