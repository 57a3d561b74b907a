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


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    """The inverse of `_hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), (200.0 / 3) * mel)


@lru_cache(maxsize=4)
def mel_filterbank(params: FeatureParams) -> np.ndarray:
    """The mel filterbank (n_mels, 1 + n_fft // 2), float32, built once per parameter set: librosa.filters.mel's
    triangles with Slaney's area normalisation, in NumPy so that the app never imports librosa."""
    frequencies = np.fft.rfftfreq(params.n_fft, 1.0 / params.sample_rate)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(params.fmin), _hz_to_mel(params.fmax), params.n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - frequencies[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


FRAMES_AT_ONCE = 64  # frames transformed together: their temporaries stay in cache (a quarter faster than all at once)


@lru_cache(maxsize=4)
def _window(n_fft: int) -> np.ndarray:
    """The periodic Hann window librosa.stft uses, in float32 (so the FFT runs in single precision)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)


@lru_cache(maxsize=4)
def _filterbank_bins(params: FeatureParams) -> tuple[int, "scipy.sparse.csr_matrix"]:
    """How many FFT bins the mel filters reach (none above fmax), and the filterbank over those as a sparse matrix
    (each bin feeds at most two filters: a sparse product is several times faster than a dense one)."""
    import scipy.sparse  # here, like scipy.fft below: importing them takes 0.3 s that only analysis should pay

    weights = mel_filterbank(params)
    bins = int(np.flatnonzero(weights.any(axis=0)).max()) + 1
    return bins, scipy.sparse.csr_matrix(weights[:, :bins])


def log_mel(samples: np.ndarray, params: FeatureParams = DEFAULT_PARAMS) -> np.ndarray:
    """Log-compressed mel spectrogram of mono samples, shape (frames, n_mels), float32, in dB.

    Frames are not centred (frame i starts at sample i*hop) so slice times are exact. The same values as
    librosa.feature.melspectrogram(power=2, center=False) (a test compares them), computed without librosa: a
    single-precision FFT (scipy.fft), and only the bins below fmax, where the filters are.
    """
    import scipy.fft

    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) < params.n_fft:
        return np.zeros((0, params.n_mels), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, params.n_fft)[::params.hop_length]
    bins, filterbank = _filterbank_bins(params)
    window = _window(params.n_fft)
    mel = np.empty((len(frames), params.n_mels), np.float32)
    windowed = np.empty((FRAMES_AT_ONCE, params.n_fft), np.float32)
    for start in range(0, len(frames), FRAMES_AT_ONCE):
        part = frames[start : start + FRAMES_AT_ONCE]
        np.multiply(part, window, out=windowed[: len(part)])
        power = np.abs(scipy.fft.rfft(windowed[: len(part)], axis=-1, overwrite_x=True)[:, :bins])
        power *= power
        mel[start : start + len(part)] = (filterbank @ power.T).T
    np.maximum(mel, params.log_amin, out=mel)
    np.log10(mel, out=mel)
    mel *= 10.0
    return mel


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
