"""Synthetic library stores for benchmarks: real SQLite stores filled with clustered unit vectors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.index.store import Analysis, LibraryStore
from likewise.model.info import describe_tags

SLICES_PER_SONG = 10


@dataclass
class Spectrum:
    """Second-order statistics of real slice embeddings: enough to synthesise vectors shaped like them."""

    mean: np.ndarray  # (dim,)
    axes: np.ndarray  # (dim, dim) principal axes, columns
    variances: np.ndarray  # (dim,) variance along each axis
    between_share: float  # share of the variance that lies between songs rather than within a song

    @classmethod
    def measure(cls, vectors: np.ndarray, owners: np.ndarray) -> "Spectrum":
        """The statistics of real slice vectors, grouped by the song (owner) they belong to."""
        variances, axes = np.linalg.eigh(np.cov(vectors.T))
        songs, index = np.unique(owners, return_inverse=True)
        song_means = np.stack([vectors[index == n].mean(axis=0) for n in range(len(songs))])
        within = float((vectors - song_means[index]).var(axis=0).sum())
        between = float(song_means.var(axis=0).sum())
        return cls(vectors.mean(axis=0), axes, np.maximum(variances, 0.0), between / (between + within))


def clustered_vectors(songs: int, spectrum: Spectrum, rng: np.random.Generator) -> np.ndarray:
    """(songs, SLICES_PER_SONG, dim) unit vectors: song centres and slice offsets drawn along `spectrum`'s axes."""
    dim = len(spectrum.variances)
    scale = np.sqrt(spectrum.variances)
    centres = rng.standard_normal((songs, dim)) * scale * np.sqrt(spectrum.between_share)
    offsets = rng.standard_normal((songs, SLICES_PER_SONG, dim)) * scale * np.sqrt(1 - spectrum.between_share)
    vectors = spectrum.mean + (centres[:, None, :] + offsets) @ spectrum.axes.T
    vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
    return vectors.astype(np.float32)


def build_store(db: Path, root: Path, songs: int, spectrum: Spectrum, model_id: str, tags: list[str], seed: int = 0,
                files: list[tuple[str, int, float]] | None = None) -> None:
    """A store of `songs` analysed tracks (artist per 8 songs, album per 4) with synthetic vectors.

    `files` (relpath, size, mtime) makes the rows match real files, so a re-scan finds them unchanged.
    """
    rng = np.random.default_rng(seed)
    vectors = clustered_vectors(songs, spectrum, rng)
    starts = np.arange(SLICES_PER_SONG, dtype=np.float32) * 2.97 + 60.0
    probs = np.full(len(tags), 1.0 / len(tags), np.float32)
    files = files or [(f"artist{i // 8:05d}/album{i // 4:05d}/song{i:06d}.mp3", 4_000_000, 0.0) for i in range(songs)]
    with LibraryStore(db, library_root=root, create=True) as store:
        store.set_analysis_settings(model_id, "{}")
        store.set_genres(tags)
        for start in range(0, songs, 5000):
            chunk = files[start : start + 5000]
            ids = store.add_pending([(path, size, mtime, Path(path).stem) for path, size, mtime in chunk])
            done = []
            for offset, track_id in enumerate(ids):
                number = start + offset
                file_tags = {"title": f"Song {number}", "artist": f"Artist {number // 8}",
                             "album": f"Album {number // 4}", "album_artist": "", "track_number": number % 4 + 1,
                             "year": 2000, "genre": "", "duration": 240.0}
                done.append((track_id, Analysis(file_tags, f"fp{number}", 60.0, vectors[number], starts,
                                                describe_tags(probs, tags), probs)))
            store.save_results(done, [], model_id)
