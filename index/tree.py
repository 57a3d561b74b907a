"""The BallTree over all slice vectors: a cache derived from the store, rebuilt whenever the store changed.

The search is exact. The seed's slices are searched in parallel threads (the BallTree releases the GIL). A tree
over only the embedding's leading coordinates, with exact re-ranking, was tried for large libraries and dropped:
the shipped embedding is whitened, so every coordinate weighs the same and such a tree found only 5-11% of the
true nearest slices (tests/bench/bench_query.py).
"""
from __future__ import annotations

import os
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from index.store import LibraryStore

CACHE_VERSION = 4
LEAF_SIZE = 20
PARALLEL_FROM = 20_000  # slices in the tree from which a query is split across threads


@cache
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="likewise-tree")


@dataclass
class SliceTree:
    """Nearest-neighbour search over every slice of the library."""

    tree: object  # sklearn.neighbors.BallTree, or None for an empty library
    owners: np.ndarray  # (N,) track id of each slice
    positions: np.ndarray  # (N,) slice index within its track
    generation: int
    model_id: str | None

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
        parts = min(len(vectors), os.cpu_count() or 1) if self.size >= PARALLEL_FROM else 1
        if parts == 1:
            return self.tree.query(vectors, k=k, sort_results=True)
        answers = list(_threads().map(lambda rows: self.tree.query(rows, k=k, sort_results=True),
                                      np.array_split(vectors, parts)))
        return np.concatenate([a[0] for a in answers]), np.concatenate([a[1] for a in answers])


def cache_path(db_path: Path) -> Path:
    """Where the tree of a store is cached."""
    return Path(str(db_path) + ".tree")


def build_tree(store: LibraryStore) -> SliceTree:
    """Build the tree from the store's vectors."""
    from sklearn.neighbors import BallTree

    generation = store.generation
    model_id = store.analysis_settings()[0]
    vectors, owners, positions = store.all_slices()
    tree = BallTree(vectors, leaf_size=LEAF_SIZE) if len(vectors) else None
    return SliceTree(tree, owners, positions, generation, model_id)


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
