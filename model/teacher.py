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
from fractions import Fraction
from pathlib import Path

import numpy as np

from likewise.audio.decode import decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS, FeatureParams, log_mel
from likewise.model.corpus import Clip, variant_clip

TEACHER = "MSD_musicnn"
HOP_FRAMES = 48  # teacher frames (256 samples at 16 kHz) between windows: 0.768 s
WINDOW_HOP = HOP_FRAMES * 256 / 16000
TAGS = ["rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s", "alternative rock",
        "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul", "indie rock", "mellow",
        "electronica", "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies", "blues", "hard rock",
        "ambient", "acoustic", "experimental", "female vocalist", "guitar", "hip-hop", "70s", "party", "country",
        "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "progressive rock", "60s", "rnb",
        "indie pop", "sad", "house", "happy"]  # musicnn's MSD_LABELS, in order (lower-cased)


MIX_CHUNK = 1024  # mixes per file of tools/teacher/mixes.py


def mix_power(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    """Two crops' power spectrograms mixed: each scaled to unit mean power, weighted, kept at their mean level.

    The teacher (its mel power) and the student (its own, from dB frames) mix the same two crops this way.
    """
    level_a, level_b = max(float(a.mean()), 1e-10), max(float(b.mean()), 1e-10)
    mixed = weight * a / level_a + (1 - weight) * b / level_b
    return mixed * (level_a ** weight * level_b ** (1 - weight))


def mix_db(a: np.ndarray, b: np.ndarray, weight: float, amin: float = 1e-10) -> np.ndarray:
    """`mix_power` of two dB crops (the student's log-mel frames), back in dB."""
    mixed = mix_power(10.0 ** (a.astype(np.float64) / 10), 10.0 ** (b.astype(np.float64) / 10), weight)
    return (10 * np.log10(np.maximum(mixed, amin))).astype(np.float32)


def speed_changed(samples: np.ndarray, speed: float) -> np.ndarray:
    """The samples played `speed` times faster at the same sample rate, tempo and pitch together (fewer samples when
    faster): the copies of training excerpts that tools/teacher/manifest.py --speed has the teacher tag."""
    from scipy.signal import resample_poly

    ratio = Fraction(speed).limit_denominator(100)
    return resample_poly(samples, ratio.denominator, ratio.numerator).astype(np.float32)


def write_variant(clip: Clip, speed: float, folder: Path, params: FeatureParams = DEFAULT_PARAMS) -> Clip:
    """The clip's excerpt (decoded as the app decodes it) at `speed`, written once below folder as a 16-bit WAV."""
    import soundfile

    variant = variant_clip(clip, speed, folder)
    if not variant.path.exists():
        samples = decode_excerpt(clip.path, params).samples
        variant.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = variant.path.with_suffix(".tmp.wav")
        soundfile.write(temporary, speed_changed(samples, speed), params.sample_rate, subtype="PCM_16")
        temporary.replace(variant.path)
    return variant


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
    name: str  # the cache file's name: what mixes call this excerpt


def load_targets(clip: Clip, excerpt: Excerpt, cache_dir: Path, hop_frames: int = HOP_FRAMES) -> Targets | None:
    """The cached teacher outputs of a clip's excerpt, or None if the teacher has not tagged it."""
    path = Path(cache_dir) / cache_name(clip.path, excerpt.start, excerpt.duration, hop_frames)
    if not path.exists():
        return None
    with np.load(path) as stored:
        return Targets(stored["tags"].astype(np.float32), stored["features"].astype(np.float32), float(stored["hop"]),
                       path.name)


@dataclass
class Mixes:
    """The teacher's outputs on mixes of two excerpts' windows (tools/teacher/mixes.py)."""

    clips: list[str]  # cache names of the excerpts that a and b index
    a: np.ndarray  # (n,) excerpt of the first crop
    wa: np.ndarray  # (n,) its window
    b: np.ndarray
    wb: np.ndarray
    weight: np.ndarray  # (n,) weight of the first crop
    tags: np.ndarray  # (n, 50) float32
    features: np.ndarray  # (n, 200) float32

    def __len__(self) -> int:
        return len(self.a)

    @classmethod
    def none(cls) -> "Mixes":
        """No mixes: training on the plain clips only."""
        empty = np.zeros((0,), np.int64)
        return cls([], empty, empty, empty, empty, np.zeros((0,), np.float32), np.zeros((0, len(TAGS)), np.float32),
                   np.zeros((0, 0), np.float32))


def load_mixes(cache_dir: Path) -> Mixes:
    """Every mix chunk in cache_dir (`Mixes.none()` if there is none), excerpt indices common to all chunks."""
    names: dict[str, int] = {}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("a", "wa", "b", "wb", "weight", "tags", "features")}
    for path in sorted(Path(cache_dir).glob("mixes-*.npz")):
        if path.name.endswith(".tmp.npz"):
            continue
        with np.load(path) as stored:
            index = np.array([names.setdefault(str(n), len(names)) for n in stored["clips"]], dtype=np.int64)
            for key in parts:
                value = stored[key]
                parts[key].append(index[value] if key in ("a", "b") else value)
    if not names:
        return Mixes.none()
    merged = {k: np.concatenate(v) for k, v in parts.items()}
    return Mixes(list(names), merged["a"], merged["wa"], merged["b"], merged["wb"], merged["weight"].astype(np.float32),
                 merged["tags"].astype(np.float32), merged["features"].astype(np.float32))
