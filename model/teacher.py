"""The teacher's side of training: which excerpts it must tag, and its cached outputs, aligned to student crops.

The teacher (musicnn's MSD_musicnn) runs only in its own environment (tools/teacher/); this module needs no
TensorFlow. For each training clip the student's excerpt (decoded exactly as the app decodes it) is written to a
manifest; tools/teacher/targets.py tags 3-s windows of it every WINDOW_HOP seconds into a cache keyed by the file's
bytes. A student crop starting at window w's time sees the same 3 s of music as the teacher's window w.
"""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.audio.decode import decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS, FeatureParams, log_mel
from likewise.model.corpus import Clip

TEACHER = "MSD_musicnn"
HOP_FRAMES = 48  # teacher frames (256 samples at 16 kHz) between windows: 0.768 s
WINDOW_HOP = HOP_FRAMES * 256 / 16000
TAGS = ["rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock",
        "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "mellow",
        "electronica", "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock",
        "ambient", "acoustic", "experimental", "female vocalist", "guitar", "hip-hop", "70s", "party", "country",
        "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "progressive rock", "60s", "rnb",
        "indie pop", "sad", "house", "happy"]  # musicnn's MSD_LABELS, in order (lower-cased)


@dataclass
class Excerpt:
    """A clip's log-mel frames as the app computes them, and where the excerpt lies in the file."""

    frames: np.ndarray  # (frames, n_mels) dB
    start: float
    duration: float


def cache_name(path: Path, start: float, duration: float, hop_frames: int = HOP_FRAMES) -> str:
    """The teacher-cache file of one excerpt: sha256 of the file's bytes, the excerpt, the teacher and its hop."""
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(f"|{start:.4f}|{duration:.4f}|{TEACHER}|{hop_frames}".encode())
    return digest.hexdigest()[:32] + ".npz"


def _excerpt_cache(cache_dir: Path, clip: Clip, params: FeatureParams) -> Path:
    digest = hashlib.sha256(f"{params.to_json()}|{clip.key}|{clip.path}".encode()).hexdigest()[:24]
    return Path(cache_dir) / "excerpts" / f"{digest}.npz"


def load_excerpt(clip: Clip, cache_dir: Path, params: FeatureParams = DEFAULT_PARAMS) -> Excerpt:
    """A clip's excerpt, from (or into) its .npz in cache_dir."""
    path = _excerpt_cache(cache_dir, clip, params)
    if path.exists():
        with np.load(path) as stored:
            return Excerpt(stored["frames"], float(stored["start"]), float(stored["duration"]))
    decoded = decode_excerpt(clip.path, params)
    excerpt = Excerpt(log_mel(decoded.samples, params), decoded.start, len(decoded.samples) / params.sample_rate)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, frames=excerpt.frames, start=excerpt.start, duration=excerpt.duration)
    return excerpt


def load_excerpts(clips: list[Clip], cache_dir: Path, params: FeatureParams = DEFAULT_PARAMS) -> list[Excerpt]:
    """Excerpts of every clip (two decoding threads), cached per clip in cache_dir."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda clip: load_excerpt(clip, cache_dir, params), clips))


def write_manifest(clips: list[Clip], excerpts: list[Excerpt], out: Path) -> None:
    """The JSON-lines manifest that tools/teacher/targets.py reads: one excerpt per line."""
    lines = [json.dumps({"path": str(c.path), "start": e.start, "duration": e.duration})
             for c, e in zip(clips, excerpts)]
    Path(out).write_text("\n".join(lines) + "\n")


@dataclass
class Targets:
    """The teacher's outputs on an excerpt's windows: tag probabilities and penultimate features."""

    tags: np.ndarray  # (windows, 50) float32
    features: np.ndarray  # (windows, 200) float32
    hop: float  # seconds between window starts


def load_targets(clip: Clip, excerpt: Excerpt, cache_dir: Path, hop_frames: int = HOP_FRAMES) -> Targets | None:
    """The cached teacher outputs of a clip's excerpt, or None if the teacher has not tagged it."""
    path = Path(cache_dir) / cache_name(clip.path, excerpt.start, excerpt.duration, hop_frames)
    if not path.exists():
        return None
    with np.load(path) as stored:
        return Targets(stored["tags"].astype(np.float32), stored["features"].astype(np.float32), float(stored["hop"]))
