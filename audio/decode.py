"""Decoding audio to mono at the model's sample rate, reading only the excerpt (every decoder seeks)."""
from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.audio.decoders import AudioError, Decoder, Source
from likewise.audio.features import FeatureParams
from likewise.audio.formats import format_of
from likewise.audio.mp3 import ends_mid_frame


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


MAX_CHANNELS = 8  # 7.1 surround; more is no music file, and each channel costs memory while decoding
MIN_RATE, MAX_RATE = 4000, 384000  # Hz
BLOCK_FRAMES = 1 << 16  # frames read at once: with MAX_CHANNELS, 2 MB of float32
COUNT_FRAMES = 1 << 12  # frames read at once to find where the audio of a lying header ends: a tenth of a second


def _check_format(channels: int, rate: int) -> None:
    """Refuse, with the reason, a channel count or sample rate that no music file has (a decode would balloon)."""
    if channels > MAX_CHANNELS:
        raise AudioError(f"refused: {channels} channels (at most {MAX_CHANNELS} are supported)")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"refused: sample rate {rate} Hz (supported: {MIN_RATE} to {MAX_RATE} Hz)")


def _read_mono(source: Source, first: int, count: int, target_rate: int) -> tuple[np.ndarray, int]:
    """Up to `count` frames from frame `first`, mixed to mono and resampled block by block; and how many were read.

    Memory is bounded by one block and the output, whatever the file's channels and rate.
    """
    import soxr

    stream = None if source.rate == target_rate else soxr.ResampleStream(
        source.rate, target_rate, 1, dtype="float32", quality="HQ")
    pieces, read = [np.zeros(0, np.float32)], 0
    for block in source.blocks(first, count, BLOCK_FRAMES):
        read += len(block)
        mono = block @ np.full(block.shape[1], 1.0 / block.shape[1], np.float32)  # 50x faster than mean(axis=1)
        pieces.append(mono if stream is None else stream.resample_chunk(mono))
    if stream is not None:
        pieces.append(stream.resample_chunk(np.zeros(0, np.float32), last=True))
    return np.concatenate(pieces), read


def _frames_held(decoder: Decoder, path: Path) -> int:
    """How many frames a file really holds, decoded from the start: for a header that claims more than is there."""
    with decoder(path) as source:
        return sum(len(block) for block in source.blocks(0, sys.maxsize, COUNT_FRAMES))


def _decode_span(source: Source, duration: float, params: FeatureParams, start: float | None) -> tuple[Excerpt, bool]:
    """The excerpt of a song of `duration` seconds, and whether the file held it (within a second)."""
    rate = source.rate
    start, length = _span(duration, params, start)
    first, count = int(round(start * rate)), int(round(length * rate))
    samples, read = _read_mono(source, first, count, params.sample_rate)
    return Excerpt(samples=samples, start=start, song_duration=duration), read >= count - rate


def read_with(decoder: Decoder, path: Path, params: FeatureParams, start: float | None = None) -> Excerpt:
    """Read with `decoder`; when the header claims more audio than the file holds, or none, read what it holds."""
    with decoder(path) as source:
        _check_format(source.channels, source.rate)
        rate = source.rate
        claimed = source.frames / rate
        excerpt, complete = _decode_span(source, claimed, params, start)
    if complete and claimed > 0:
        return excerpt
    duration = _frames_held(decoder, path) / rate
    with decoder(path) as source:  # a new handle: libsndfile's errors stick to the one that met them
        excerpt, _ = _decode_span(source, duration, params, start)
    if claimed > 0 and len(excerpt.samples) < params.min_samples:
        raise AudioError(f"damaged or truncated: {duration:.1f} s of audio where its header says {claimed:.1f} s")
    return excerpt


_UNRECOGNISED = "File does not exist or is not a regular file"  # what libsndfile says of any file it cannot identify


def _decoder_reason(error: Exception, path: Path) -> str:
    """One line saying why a decoder failed: without the path (the user knows it) and without misleading words."""
    text = str(getattr(error, "error_string", "") or getattr(error, "strerror", "") or error).strip()
    if text.startswith(_UNRECOGNISED) and path.is_file():
        return "not a recognised audio format (not audio, or a damaged header)"
    return text.splitlines()[0] if text else type(error).__name__


_SIGNATURES = (  # how files that are plainly not audio begin
    (b"PK\x03\x04", "zip archive"), (b"PK\x05\x06", "zip archive"), (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"\x1f\x8b", "gzip archive"), (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"\x7fELF", "program"),
)


def non_audio_kind(path: Path) -> str | None:
    """What a file plainly is instead of audio ('zip archive', 'text', ...), from its first bytes; None if it may be audio.

    Some decoders take anything that holds a few MPEG frame headers: a zip of MP3s would pass as one long song.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    try:  # audio always holds bytes that are not text in its first few kilobytes (NULs, or invalid UTF-8)
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return None
    return "text" if head and b"\x00" not in head else None


def decode_excerpt(path: Path, params: FeatureParams, start: float | None = None) -> Excerpt:
    """Decode the excerpt of a song that the model looks at: centred by default, or from `start` seconds.

    Raises AudioError with a user-facing reason when the file cannot be decoded or holds too little audio.
    """
    path = Path(path)
    try:
        kind = non_audio_kind(path)
        if kind is not None:
            raise AudioError(f"not an audio file ({kind})")
        found = format_of(path)
        if found is None:
            raise AudioError(f"unsupported format: {path.suffix.lower() or 'a file name without a suffix'}")
        excerpt = read_with(found.decoder, path, params, start)
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
        heard = len(excerpt.samples) / params.sample_rate
        if found.name == "MP3" and ends_mid_frame(path):  # cut short, not a short song: say so
            raise AudioError(f"damaged or truncated: the file stops in the middle of its audio, after {heard:.1f} s")
        needed = params.min_samples / params.sample_rate
        raise AudioError(f"too short: {heard:.1f} s of audio, need at least {needed:.1f} s")
    if not np.all(np.isfinite(excerpt.samples)):
        raise AudioError("cannot decode audio: decoder returned invalid samples")
    return excerpt
