"""The two decoders behind the format registry (audio.formats): libsndfile through soundfile, and FFmpeg through PyAV.

Each opens a file as a source: its channels, its sample rate, the frames its header claims, and float32 blocks of
(frames, channels) read from any frame on. audio.decode turns a source into a mono excerpt at the model's rate.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from likewise.audio.errors import LikewiseError


class AudioError(LikewiseError):
    """A file that cannot be analysed; the message is the reason shown to the user."""


class Source(Protocol):
    """An open audio file; use as a context manager."""

    name: str  # the decoder's name: "libsndfile" or "pyav"
    channels: int
    rate: int  # Hz
    frames: int  # what the header claims; 0 where it does not say

    def blocks(self, first: int, count: int, size: int) -> Iterator[np.ndarray]:
        """Up to `count` frames from frame `first`, as float32 (frames, channels) blocks of about `size` frames;
        they end early at the real end of the audio, or where the decoder fails on a damaged file."""

    def __enter__(self) -> "Source": ...

    def __exit__(self, *exc: object) -> None: ...


def _openable(path: Path) -> str | bytes:
    """The path for libsndfile: as text, or as bytes for a POSIX name that is not valid UTF-8 (soundfile would fail)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return text


class SoundfileSource:
    """A file read by libsndfile: MP3, FLAC, Ogg Vorbis and Opus, WAV and AIFF."""

    name = "libsndfile"

    def __init__(self, path: Path):
        import soundfile

        self._handle = soundfile.SoundFile(_openable(path))
        self.channels, self.rate, self.frames = self._handle.channels, self._handle.samplerate, self._handle.frames

    def blocks(self, first: int, count: int, size: int) -> Iterator[np.ndarray]:
        """See Source.blocks; libsndfile's error past the end of a file whose header overstates it ends them."""
        import soundfile

        try:
            self._handle.seek(first)
            while count > 0:
                block = self._handle.read(min(size, count), dtype="float32", always_2d=True)
                count -= len(block)
                if len(block):
                    yield block
                if len(block) < size:
                    return
        except soundfile.LibsndfileError:
            return

    def __enter__(self) -> "SoundfileSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


class PyAVSource:
    """A file read by FFmpeg through PyAV: its first audio stream, whatever the container and codec."""

    name = "pyav"

    def __init__(self, path: Path):
        import av

        self._container = av.open(str(path))
        if not self._container.streams.audio:
            kind = self._container.format.long_name
            self._container.close()
            raise AudioError(f"unsupported format: {kind} without an audio stream")
        self._stream = self._container.streams.audio[0]
        self.channels, self.rate = self._stream.codec_context.channels, self._stream.codec_context.sample_rate
        self.frames = self._claimed_frames()

    def _claimed_frames(self) -> int:
        """Frames the stream's header claims, else the container's; 0 where neither says."""
        if self._stream.duration and self._stream.time_base:
            return int(self._stream.duration * self._stream.time_base * self.rate)
        return int((self._container.duration or 0) * self.rate / 1_000_000)  # AV_TIME_BASE: microseconds

    def blocks(self, first: int, count: int, size: int) -> Iterator[np.ndarray]:
        """See Source.blocks: one block per decoded frame, after seeking to the key frame before `first`."""
        import av

        if first > 0:
            self._container.seek(int(first / self.rate / self._stream.time_base), stream=self._stream)
        planar = av.AudioResampler(format="fltp")  # float samples, channel layout and rate kept
        position = None
        for frame in self._container.decode(self._stream):
            if position is None:  # where the seek landed: at or before `first`
                position = first if frame.pts is None else round(frame.pts * self._stream.time_base * self.rate)
            for converted in planar.resample(frame):
                samples = converted.to_ndarray()[:, max(first - position, 0):][:, :count]
                position += converted.samples
                count -= samples.shape[1]
                if samples.shape[1]:
                    yield samples.T
            if count <= 0:
                return

    def __enter__(self) -> "PyAVSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self._container.close()


Decoder = type[SoundfileSource] | type[PyAVSource]
