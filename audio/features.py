"""Log-mel features: the exact parameters the model was trained with, and slicing into model inputs."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class FeatureParams:
    """Everything that turns a waveform into model input. Stored with the model and in each library store."""

    sample_rate: int = 22050
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    fmin: float = 20.0
    fmax: float = 8000.0  # 16 kHz GTZAN copies have nothing above 8 kHz: cut every input there
    slice_frames: int = 128  # about 2.97 s at these settings
    excerpt_seconds: float = 30.0
    log_amin: float = 1e-10  # log compression: 10*log10(max(power, amin)), no per-clip reference

    @property
    def slice_seconds(self) -> float:
        """Duration of one model slice in seconds."""
        return self.slice_frames * self.hop_length / self.sample_rate

    @property
    def min_samples(self) -> int:
        """Fewest samples that still give one full slice."""
        return self.n_fft + (self.slice_frames - 1) * self.hop_length

    def to_json(self) -> str:
        """Canonical JSON form, used to detect a change of parameters."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict) -> "FeatureParams":
        """Build from a dict such as the one in a model's metadata (unknown keys are an error)."""
        return cls(**values)


DEFAULT_PARAMS = FeatureParams()


@lru_cache(maxsize=4)
def mel_filterbank(params: FeatureParams) -> np.ndarray:
    """The mel filterbank (n_mels, 1 + n_fft // 2), float32, built once per parameter set."""
    import librosa

    return librosa.filters.mel(
        sr=params.sample_rate, n_fft=params.n_fft, n_mels=params.n_mels, fmin=params.fmin, fmax=params.fmax,
        dtype=np.float32,
    )


def log_mel(samples: np.ndarray, params: FeatureParams = DEFAULT_PARAMS) -> np.ndarray:
    """Log-compressed mel spectrogram of mono samples, shape (frames, n_mels), float32, in dB.

    Frames are not centred (frame i starts at sample i*hop) so slice times are exact. Same values as
    librosa.feature.melspectrogram(power=2, center=False), with the filterbank built once.
    """
    import librosa

    spectrum = librosa.stft(np.asarray(samples, dtype=np.float32), n_fft=params.n_fft, hop_length=params.hop_length,
                            center=False)
    power = spectrum.real**2 + spectrum.imag**2
    mel = mel_filterbank(params) @ power
    db = 10.0 * np.log10(np.maximum(mel, params.log_amin))
    return db.T.astype(np.float32)


def cut_slices(frames: np.ndarray, params: FeatureParams = DEFAULT_PARAMS, hop_frames: int | None = None) -> np.ndarray:
    """Cut (frames, n_mels) into slices of shape (n, slice_frames, n_mels); a trailing partial slice is dropped.

    hop_frames defaults to slice_frames (no overlap); training may use a smaller hop for overlapping crops.
    """
    size = params.slice_frames
    hop = hop_frames or size
    count = 0 if len(frames) < size else 1 + (len(frames) - size) // hop
    if count == 0:
        return np.zeros((0, size, frames.shape[1] if frames.ndim == 2 else params.n_mels), dtype=np.float32)
    starts = np.arange(count) * hop
    return np.stack([frames[s : s + size] for s in starts]).astype(np.float32)


def slice_offsets(n_slices: int, params: FeatureParams = DEFAULT_PARAMS) -> np.ndarray:
    """Start time in seconds of each non-overlapping slice, relative to the start of the excerpt."""
    return np.arange(n_slices, dtype=np.float64) * params.slice_seconds
