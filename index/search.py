"""The library's search index: which slices of the library lie nearest the slices of a seed.

Two stages. A scikit-learn BallTree over song vectors (the normalised mean of each song's slice vectors) picks the
candidate songs nearest the seed; then every seed slice finds its nearest slices among the candidates' slices,
exactly, with one matrix product. Libraries of up to CANDIDATE_SONGS songs are therefore searched exactly.

Why not one BallTree over all slice vectors: the shipped embedding is whitened, so its 32 coordinates weigh the
same and a tree over the 1,000,000 slices of a 100,000-song library prunes almost nothing (p95 about 1 s per
click). Song vectors are ten times fewer and the seed asks the tree once, not once per slice; the nearest songs
hold almost all of the seed slices' nearest slices (tests/bench/bench_query.py measures how many).

The index is a cache derived from the store, saved beside it as plain arrays (never a pickle: a cache file found
beside a store must not be able to run code) and rebuilt whenever it was not made from the store's current contents.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from likewise.index.cache_file import read_arrays, write_arrays
from likewise.index.store import LibraryStore
from likewise.model.metrics import grouped_song_vectors

CACHE_VERSION = 6
LEAF_SIZE = 40
CANDIDATE_SONGS = 2000  # at least this many candidate songs per query
CANDIDATES_PER_VOTE = 4  # and at least this many per neighbour slice asked for (slices x k)


@dataclass
class SearchIndex:
    """Nearest-slice search over a library: a BallTree over song vectors, then exact search among their slices."""

    songs: object  # sklearn.neighbors.BallTree over the song vectors (model.metrics), or None for an empty library
    song_ids: np.ndarray  # (S,) track id of each song row
    bounds: np.ndarray  # (S + 1,) song row r owns slices bounds[r]:bounds[r + 1]
    vectors: np.ndarray  # (N, dim) float32 slice vectors, grouped by song
    squared_norms: np.ndarray  # (N,) float32
    owners: np.ndarray  # (N,) track id of each slice
    positions: np.ndarray  # (N,) slice index within its track
    generation: int
    model_id: str | None

    @property
    def size(self) -> int:
        """Number of slices in the index."""
        return len(self.owners)

    def candidate_songs(self, vectors: np.ndarray, count: int, exclude: Collection[int] = ()) -> np.ndarray:
        """Rows of the `count` songs whose song vectors lie nearest the seed's, leaving out tracks in `exclude`."""
        return self.nearest_songs(grouped_song_vectors(np.asarray(vectors, np.float64), np.zeros(1, np.int64))[0],
                                  count, exclude)

    def nearest_songs(self, point: np.ndarray, count: int, exclude: Collection[int] = ()) -> np.ndarray:
        """Rows of the `count` songs whose song vectors lie nearest `point` (every other song's, unordered, when
        they are that few), leaving out tracks in `exclude`."""
        excluded = np.isin(self.song_ids, list(exclude)) if len(exclude) else np.zeros(len(self.song_ids), bool)
        if count + int(excluded.sum()) >= len(self.song_ids):
            return np.flatnonzero(~excluded)
        rows = self.songs.query(point[None, :], k=count + int(excluded.sum()), sort_results=True)[1][0]
        return rows[~excluded[rows]][:count]

    def song_vectors(self) -> np.ndarray:
        """(S, dim) the song vector of each song row (float64; not to be modified)."""
        return np.asarray(self.songs.get_arrays()[0]) if self.songs is not None else np.zeros((0, 0))

    def song_row(self, track_id: int) -> int:
        """The song row of a track; KeyError if the index has no slices of it."""
        row = int(np.searchsorted(self.song_ids, track_id))
        if row == len(self.song_ids) or self.song_ids[row] != track_id:
            raise KeyError(track_id)
        return row

    def squared_distances(self, vectors: np.ndarray, slices: np.ndarray) -> np.ndarray:
        """Squared distances (len(vectors), len(slices)) from the vectors to the stored slices of those indices."""
        seed = np.asarray(vectors, np.float32)
        with _blas().limit(limits=1, user_api="blas"):  # a small product: threads only add contention
            products = seed @ np.take(self.vectors, slices, axis=0).T
        return (seed**2).sum(axis=1)[:, None] + self.squared_norms[slices][None, :] - 2.0 * products

    def query(self, vectors: np.ndarray, k: int, exclude: Collection[int] = ()) -> tuple[np.ndarray, np.ndarray]:
        """(distances, slice indices), each (len(vectors), k or fewer), nearest first; slices of `exclude` never."""
        slices = np.zeros(0, np.int64)
        if self.songs is not None and len(vectors):
            rows = self.candidate_songs(vectors, max(CANDIDATE_SONGS, CANDIDATES_PER_VOTE * k * len(vectors)), exclude)
            slices = _ranges(self.bounds[rows], self.bounds[rows + 1])
        k = min(k, len(slices))
        if k == 0:
            return np.zeros((len(vectors), 0)), np.zeros((len(vectors), 0), np.int64)
        squared = self.squared_distances(vectors, slices)
        nearest = np.argpartition(squared, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(squared, nearest, axis=1).argsort(axis=1, kind="stable")
        nearest = np.take_along_axis(nearest, order, axis=1)
        distances = np.sqrt(np.maximum(np.take_along_axis(squared, nearest, axis=1), 0.0)).astype(np.float64)
        return distances, slices[nearest]


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _ranges(begins: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of range(b, e) for each pair, without a Python loop."""
    lengths = ends - begins
    return np.repeat(begins - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())


def cache_path(db_path: Path) -> Path:
    """Where the search index of a store is cached."""
    return Path(str(db_path) + ".tree")


def build_index(store: LibraryStore) -> SearchIndex:
    """Build the search index from the store's vectors."""
    vectors, owners, positions = store.all_slices()  # grouped by track
    return _assemble(vectors, owners, positions, None, store.generation, store.analysis_settings()[0])


def _assemble(vectors: np.ndarray, owners: np.ndarray, positions: np.ndarray, song_vectors: np.ndarray | None,
              generation: int, model_id: str | None) -> SearchIndex:
    """The index over slices grouped by owner (ascending), with the song vectors when already known."""
    from sklearn.neighbors import BallTree

    song_ids, first = np.unique(owners, return_index=True)
    bounds = np.append(first, len(owners)).astype(np.int64)
    songs = None
    if len(song_ids):
        if song_vectors is None:
            song_vectors = grouped_song_vectors(vectors, first).astype(np.float64)
        songs = BallTree(song_vectors, leaf_size=LEAF_SIZE)
    squared_norms = (vectors**2).sum(axis=1) if len(vectors) else np.zeros(0, np.float32)
    return SearchIndex(songs, song_ids, bounds, vectors, squared_norms, owners, positions, generation, model_id)


# --- the cache: plain arrays (numpy .npz, never pickled objects), served only to the store it was made from -------

_ARRAYS = ("vectors", "owners", "positions", "song_vectors")


def store_id(store: LibraryStore) -> str:
    """The store's random id (set when it was created), or for an older store its creation time. Never writes."""
    return store.get_meta("store_id") or f"created {store.get_meta('created_at')}"


def _cache_key(store: LibraryStore) -> str:
    """What a cache must have been made from to be served: format, store, generation and model, and the contents id
    (the generation alone does not tell a store from a copy of it restored and changed as often since)."""
    return json.dumps([CACHE_VERSION, store_id(store), store.generation, store.analysis_settings()[0],
                       store.contents_id])


def _read_cache(path: Path, key: str) -> SearchIndex | None:
    """The cached index when `path` is a regular file made for `key` whose contents check out; else None."""
    arrays = read_arrays(path, key, _ARRAYS)
    if arrays is None or not _consistent(**arrays):
        return None
    generation, model_id = json.loads(key)[2:4]
    song_vectors = arrays.pop("song_vectors")
    return _assemble(**arrays, song_vectors=song_vectors if len(song_vectors) else None, generation=generation,
                     model_id=model_id)


def _consistent(vectors: np.ndarray, owners: np.ndarray, positions: np.ndarray, song_vectors: np.ndarray) -> bool:
    """Whether cached arrays fit together: one owner and position (integers) per finite slice vector, owners grouped,
    a finite song vector per owner, of the slices' size."""
    if not (vectors.dtype == np.float32 and song_vectors.dtype == np.float64 and owners.dtype.kind == "i"
            and positions.dtype.kind == "i" and vectors.ndim == 2 and song_vectors.ndim == 2):
        return False
    songs = len(np.unique(owners))
    return (len(vectors) == len(owners) == len(positions) and not np.any(np.diff(owners) < 0)
            and song_vectors.shape == (songs, vectors.shape[1] if songs else 0) and (vectors.shape[1] > 0 or not songs)
            and bool(np.isfinite(vectors).all() and np.isfinite(song_vectors).all()))


def _write_cache(path: Path, index: SearchIndex, key: str) -> None:
    """Cache the index beside the store (never written through what is there)."""
    write_arrays(path, key, {"vectors": index.vectors, "owners": index.owners, "positions": index.positions,
                             "song_vectors": np.asarray(index.song_vectors(), np.float64)})


def load_index(store: LibraryStore) -> SearchIndex:
    """The index for the store's current contents: from the cache when it was made from them, else rebuilt."""
    path = cache_path(store.path)
    key = _cache_key(store)
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    index = build_index(store)
    _write_cache(path, index, key)
    return index
