"""Decoding audio to mono at the model's sample rate, reading only the excerpt where the format can seek."""
from __future__ import annotations

import codecs
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


def _open(path: Path):
    """A libsndfile handle on `path` (soundfile.SoundFile)."""
    import soundfile

    return soundfile.SoundFile(_openable(path))


def _read_mono(handle, first: int, count: int, target_rate: int) -> tuple[np.ndarray, int]:
    """Up to `count` frames from frame `first`, mixed to mono and resampled block by block; and how many were read.

    Memory is bounded by one block and the output, whatever the file's channels and rate. Reading stops at the real
    end of the audio, or where libsndfile fails (as libFLAC does past the end of a file whose header overstates it).
    """
    import soundfile
    import soxr

    stream = None if handle.samplerate == target_rate else soxr.ResampleStream(
        handle.samplerate, target_rate, 1, dtype="float32", quality="HQ")
    pieces, read = [np.zeros(0, np.float32)], 0
    try:
        handle.seek(first)
        while read < count:
            wanted = min(BLOCK_FRAMES, count - read)
            block = handle.read(wanted, dtype="float32", always_2d=True)
            read += len(block)
            last = len(block) < wanted or read == count
            mono = block.mean(axis=1, dtype=np.float32)
            pieces.append(mono if stream is None else stream.resample_chunk(mono, last=last))
            if last:
                break
    except soundfile.LibsndfileError:
        pass
    return np.concatenate(pieces), read


def _frames_held(path: Path) -> int:
    """How many frames a file really holds, decoded from the start: for a header that claims more than is there."""
    import soundfile

    total = 0
    with _open(path) as handle:
        try:
            while True:
                count = len(handle.read(COUNT_FRAMES, dtype="float32", always_2d=True))
                total += count
                if count < COUNT_FRAMES:
                    break
        except soundfile.LibsndfileError:  # the real end, where the header said there was more
            pass
    return total


def _decode_span(handle, duration: float, params: FeatureParams, start: float | None) -> tuple[Excerpt, bool]:
    """The excerpt of a song of `duration` seconds, and whether the file held it (within a second)."""
    rate = handle.samplerate
    start, length = _span(duration, params, start)
    first, count = int(round(start * rate)), int(round(length * rate))
    samples, read = _read_mono(handle, first, count, params.sample_rate)
    return Excerpt(samples=samples, start=start, song_duration=duration), read >= count - rate


def _openable(path: Path) -> str | bytes:
    """The path for libsndfile: as text, or as bytes for a POSIX name that is not valid UTF-8 (soundfile would fail)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return text


def _read_soundfile(path: Path, params: FeatureParams, start: float | None) -> Excerpt:
    """Read with libsndfile; when the header claims more audio than the file holds, read what it really holds."""
    with _open(path) as handle:
        _check_format(handle.channels, handle.samplerate)
        rate = handle.samplerate
        claimed = handle.frames / rate
        excerpt, complete = _decode_span(handle, claimed, params, start)
    if complete:
        return excerpt
    duration = _frames_held(path) / rate
    with _open(path) as handle:  # a new handle: libsndfile's errors stick to the one that met them
        excerpt, _ = _decode_span(handle, duration, params, start)
    if len(excerpt.samples) < params.min_samples:
        raise AudioError(f"damaged or truncated: {duration:.1f} s of audio where its header says {claimed:.1f} s")
    return excerpt


def _read_audioread(path: Path, params: FeatureParams, start: float | None) -> Excerpt:
    """Fallback for formats libsndfile cannot read (M4A/AAC): needs an audioread backend such as ffmpeg."""
    import audioread
    import librosa

    try:
        with audioread.audio_open(str(path)) as handle:
            _check_format(handle.channels, handle.samplerate)
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


SOUNDFILE_SUFFIXES = {".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"}


def decode_excerpt(path: Path, params: FeatureParams, start: float | None = None) -> Excerpt:
    """Decode the excerpt of a song that the model looks at: centred by default, or from `start` seconds.

    Raises AudioError with a user-facing reason when the file cannot be decoded or holds too little audio.
    """
    path = Path(path)
    try:
        kind = non_audio_kind(path)
        if kind is not None:
            raise AudioError(f"not an audio file ({kind})")
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
