"""Synthetic library stores for benchmarks: real SQLite stores filled with clustered unit vectors."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from index.store import Analysis, LibraryStore

SLICES_PER_SONG = 10


def clustered_vectors(songs: int, dim: int, rng: np.random.Generator, clusters: int = 200) -> np.ndarray:
    """(songs, SLICES_PER_SONG, dim) unit vectors: songs sit near one of `clusters` centres, slices near their song."""
    centres = rng.standard_normal((clusters, dim))
    song_centres = centres[rng.integers(0, clusters, songs)] + 0.6 * rng.standard_normal((songs, dim))
    vectors = song_centres[:, None, :] + 0.4 * rng.standard_normal((songs, SLICES_PER_SONG, dim))
    vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
    return vectors.astype(np.float32)


def build_store(db: Path, root: Path, songs: int, dim: int, model_id: str, genres: list[str], seed: int = 0,
                files: list[tuple[str, int, float]] | None = None) -> None:
    """A store of `songs` analysed tracks (artist per 8 songs, album per 4) with synthetic vectors.

    `files` (relpath, size, mtime) makes the rows match real files, so a re-scan finds them unchanged.
    """
    rng = np.random.default_rng(seed)
    vectors = clustered_vectors(songs, dim, rng)
    starts = np.arange(SLICES_PER_SONG, dtype=np.float32) * 2.97 + 60.0
    probs = np.full(len(genres), 1.0 / len(genres), np.float32)
    files = files or [(f"artist{i // 8:05d}/album{i // 4:05d}/song{i:06d}.mp3", 4_000_000, 0.0) for i in range(songs)]
    with LibraryStore(db, library_root=root, create=True) as store:
        store.set_analysis_settings(model_id, "{}")
        store.set_genres(genres)
        for start in range(0, songs, 5000):
            chunk = files[start : start + 5000]
            ids = store.add_pending([(path, size, mtime, Path(path).stem) for path, size, mtime in chunk])
            done = []
            for offset, track_id in enumerate(ids):
                number = start + offset
                tags = {"title": f"Song {number}", "artist": f"Artist {number // 8}", "album": f"Album {number // 4}",
                        "album_artist": "", "track_number": number % 4 + 1, "year": 2000, "genre": "",
                        "duration": 240.0}
                done.append((track_id, Analysis(tags, f"fp{number}", 60.0, vectors[number], starts, genres[0], probs)))
            store.save_results(done, [], model_id)
