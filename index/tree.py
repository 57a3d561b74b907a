"""The BallTree over all slice vectors: a cache derived from the store, rebuilt whenever the store changed.

A BallTree slows down sharply with dimension. Up to EXACT_LIMIT slices the tree holds the full vectors and the
search is exact. Beyond it, the tree holds only the vectors' first TREE_DIMS coordinates: the model's embedding is
a PCA projection, so these are its leading components (the directions of most variance in training); the
candidates found there are re-ranked by their exact distance over all coordinates.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.store import LibraryStore

CACHE_VERSION = 3
LEAF_SIZE = 20
EXACT_LIMIT = 50_000  # slices (about 5,000 songs): up to here the tree holds the full vectors
TREE_DIMS = 8  # leading coordinates the tree holds beyond EXACT_LIMIT
CANDIDATES = 3  # candidates fetched from a reduced tree per neighbour wanted


@dataclass
class SliceTree:
    """Nearest-neighbour search over every slice of the library."""

    tree: object  # sklearn.neighbors.BallTree, or None for an empty library
    vectors: np.ndarray  # (N, dim) float32, the full slice vectors
    owners: np.ndarray  # (N,) track id of each slice
    positions: np.ndarray  # (N,) slice index within its track
    generation: int
    model_id: str | None
    tree_dims: int | None = None  # the tree holds only this many leading coordinates (None: all)

    @property
    def size(self) -> int:
        """Number of slices in the tree."""
        return len(self.owners)

    def query(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, slice indices), each (len(vectors), min(k, size)), nearest first."""
        k = min(k, self.size)
        if k == 0 or len(vectors) == 0:
            return np.zeros((len(vectors), 0)), np.zeros((len(vectors), 0), np.int64)
        vectors = np.asarray(vectors, np.float64)
        if self.tree_dims is None:
            return self.tree.query(vectors, k=k, sort_results=True)
        _, candidates = self.tree.query(vectors[:, : self.tree_dims], k=min(k * CANDIDATES, self.size))
        exact = np.linalg.norm(self.vectors[candidates] - vectors[:, None, :].astype(np.float32), axis=2)
        order = np.argsort(exact, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(exact, order, axis=1).astype(np.float64), np.take_along_axis(candidates, order, axis=1)


def cache_path(db_path: Path) -> Path:
    """Where the tree of a store is cached."""
    return Path(str(db_path) + ".tree")


def build_tree(store: LibraryStore) -> SliceTree:
    """Build the tree from the store's vectors."""
    from sklearn.neighbors import BallTree

    generation = store.generation
    model_id = store.analysis_settings()[0]
    vectors, owners, positions = store.all_slices()
    if len(vectors) == 0:
        return SliceTree(None, vectors, owners, positions, generation, model_id)
    if len(vectors) <= EXACT_LIMIT or vectors.shape[1] <= TREE_DIMS:
        return SliceTree(BallTree(vectors, leaf_size=LEAF_SIZE), vectors, owners, positions, generation, model_id)
    tree = BallTree(vectors[:, :TREE_DIMS], leaf_size=LEAF_SIZE)
    return SliceTree(tree, vectors, owners, positions, generation, model_id, TREE_DIMS)


def _read_cache(path: Path) -> SliceTree | None:
    try:
        with open(path, "rb") as handle:
            version, tree = pickle.load(handle)
    except Exception:  # missing, truncated, corrupt or from another version: all mean "rebuild"
        return None
    return tree if version == CACHE_VERSION and isinstance(tree, SliceTree) else None


def _write_cache(path: Path, tree: SliceTree) -> None:
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            pickle.dump((CACHE_VERSION, tree), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)  # a cache we cannot write is only slower next time


def load_tree(store: LibraryStore) -> SliceTree:
    """The tree for the store's current contents: from the cache when it is current, else rebuilt and cached."""
    path = cache_path(store.path)
    cached = _read_cache(path)
    if cached is not None and cached.generation == store.generation and cached.model_id == store.analysis_settings()[0]:
        return cached
    tree = build_tree(store)
    _write_cache(path, tree)
    return tree
