"""Decoding audio to mono at the model's sample rate, reading only the excerpt where the format can seek."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.features import FeatureParams


class AudioError(Exception):
    """A file that cannot be analysed; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Excerpt:
    """Mono samples of an excerpt and where it sits in the song."""

    samples: np.ndarray  # float32 mono at params.sample_rate
    start: float  # seconds from the start of the song
    song_duration: float  # seconds


def excerpt_window(duration: float, length: float) -> tuple[float, float]:
    """(start, length) of an excerpt of at most `length` seconds centred in a song of `duration` seconds."""
    if duration <= length:
        return 0.0, max(duration, 0.0)
    return (duration - length) / 2.0, length


def _span(duration: float, params: FeatureParams, start: float | None) -> tuple[float, float]:
    """(start, length) to read: the centred excerpt, or up to excerpt_seconds from a given start."""
    if start is None:
        return excerpt_window(duration, params.excerpt_seconds)
    return start, min(params.excerpt_seconds, max(duration - start, 0.0))


def _to_mono(block: np.ndarray) -> np.ndarray:
    return block.mean(axis=1) if block.ndim == 2 else block


def _resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    if source_rate == target_rate:
        return samples.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(samples, source_rate, target_rate, quality="HQ").astype(np.float32, copy=False)


def _openable(path: Path) -> str | bytes:
    """The path for libsndfile: as text, or as bytes for a POSIX name that is not valid UTF-8 (soundfile would fail)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return text


def _read_soundfile(path: Path, params: FeatureParams, start: float | None) -> Excerpt:
    import soundfile

    with soundfile.SoundFile(_openable(path)) as handle:
        rate = handle.samplerate
        total = handle.frames
        duration = total / rate if rate else 0.0
        start, length = _span(duration, params, start)
        first = int(round(start * rate))
        count = int(round(length * rate))
        if first:
            handle.seek(first)
        block = handle.read(count, dtype="float32", always_2d=True)
    samples = _resample(_to_mono(block), rate, params.sample_rate)
    return Excerpt(samples=samples, start=start, song_duration=duration)


def _read_audioread(path: Path, params: FeatureParams, start: float | None) -> Excerpt:
    """Fallback for formats libsndfile cannot read (M4A/AAC): needs an audioread backend such as ffmpeg."""
    import audioread
    import librosa

    try:
        with audioread.audio_open(str(path)) as handle:
            duration = float(handle.duration)
    except audioread.NoBackendError as error:
        raise AudioError(f"unsupported format {path.suffix.lower()}: no decoder installed (install ffmpeg)") from error
    start, length = _span(duration, params, start)
    samples, _ = librosa.load(str(path), sr=params.sample_rate, mono=True, offset=start, duration=length)
    return Excerpt(samples=samples.astype(np.float32), start=start, song_duration=duration)


_UNRECOGNISED = "File does not exist or is not a regular file"  # what libsndfile says of any file it cannot identify


def _decoder_reason(error: Exception, path: Path) -> str:
    """One line saying why a decoder failed: without the path (the user knows it) and without misleading words."""
    text = str(getattr(error, "error_string", "") or error).strip()
    if text.startswith(_UNRECOGNISED) and path.is_file():
        return "not a recognised audio format (not audio, or a damaged header)"
    return text.splitlines()[0] if text else type(error).__name__


SOUNDFILE_SUFFIXES = {".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"}


def decode_excerpt(path: Path, params: FeatureParams, start: float | None = None) -> Excerpt:
    """Decode the excerpt of a song that the model looks at: centred by default, or from `start` seconds.

    Raises AudioError with a user-facing reason when the file cannot be decoded or holds too little audio.
    """
    path = Path(path)
    try:
        if path.suffix.lower() in SOUNDFILE_SUFFIXES:
            excerpt = _read_soundfile(path, params, start)
        else:
            excerpt = _read_audioread(path, params, start)
    except AudioError:
        raise
    except MemoryError as error:
        raise AudioError("not enough memory to decode this file") from error
    except PermissionError as error:
        raise AudioError("permission denied") from error
    except FileNotFoundError as error:
        raise AudioError("file vanished before it could be read") from error
    except Exception as error:  # decoders raise many types for damaged files; all mean the same to the user
        if not path.exists():  # libsndfile reports a file deleted under it as a bare "System error"
            raise AudioError("file vanished while it was being read") from error
        raise AudioError(f"cannot decode audio: {_decoder_reason(error, path)}") from error
    if len(excerpt.samples) < params.min_samples:
        raise AudioError(
            f"too short: {len(excerpt.samples) / params.sample_rate:.1f} s of audio, "
            f"need at least {params.min_samples / params.sample_rate:.1f} s"
        )
    if not np.all(np.isfinite(excerpt.samples)):
        raise AudioError("cannot decode audio: decoder returned invalid samples")
    return excerpt
