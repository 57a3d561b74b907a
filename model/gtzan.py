"""Reading the partial GTZAN set: manifest, artist-filtered splits, and a log-mel cache outside the repo's tracked files."""
from __future__ import annotations

import csv
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.audio.decode import decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS, FeatureParams, log_mel

GENRES = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"]
SPLITS = ("train", "valid", "test")
NO_SPLIT = "none"


@dataclass(frozen=True)
class Clip:
    """One GTZAN clip on disk and the split it belongs to ("none" for clips outside the filtered lists)."""

    genre: str
    number: str
    path: Path
    split: str

    @property
    def label(self) -> int:
        """Index of the clip's genre in GENRES."""
        return GENRES.index(self.genre)

    @property
    def key(self) -> str:
        """Stable identifier such as "blues.00012"."""
        return f"{self.genre}.{self.number}"


def _split_of(data_dir: Path) -> dict[str, str]:
    membership: dict[str, str] = {}
    for split in SPLITS:
        for line in (data_dir / "splits" / f"{split}_filtered.txt").read_text().split():
            membership[Path(line).stem] = split  # "blues.00012"
    return membership


def read_clips(data_dir: Path) -> list[Clip]:
    """All clips listed in manifest.csv, each tagged with its artist-filtered split."""
    data_dir = Path(data_dir).resolve()
    membership = _split_of(data_dir)
    clips = []
    with open(data_dir / "manifest.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            key = f"{row['genre']}.{row['number']}"
            clips.append(Clip(row["genre"], row["number"], data_dir / row["file"], membership.get(key, NO_SPLIT)))
    return clips


def clip_frames(clip: Clip, params: FeatureParams = DEFAULT_PARAMS) -> np.ndarray:
    """Log-mel frames (frames, n_mels) of a clip's excerpt, exactly as the app computes them."""
    return log_mel(decode_excerpt(clip.path, params).samples, params)


def _cache_path(cache_dir: Path, clips: list[Clip], params: FeatureParams) -> Path:
    digest = hashlib.sha256((params.to_json() + "|".join(str(c.path) for c in clips)).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"gtzan-logmel-{digest}.npz"


def load_frames(clips: list[Clip], cache_dir: Path | None, params: FeatureParams = DEFAULT_PARAMS,
                workers: int = 2) -> list[np.ndarray]:
    """Log-mel frames of every clip, read from (or written to) an .npz cache in cache_dir when one is given."""
    path = _cache_path(cache_dir, clips, params) if cache_dir is not None else None
    if path is not None and path.exists():
        with np.load(path) as stored:
            return [stored[f"c{i}"] for i in range(len(clips))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        frames = list(pool.map(lambda clip: clip_frames(clip, params), clips))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f"c{i}": f for i, f in enumerate(frames)})
    return frames
