"""Per-file work done in worker processes: tags, fingerprint, excerpt decoding and log-mel slices."""
from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.audio.decode import AudioError, decode_excerpt
from likewise.audio.features import FeatureParams, cut_slices, log_mel, slice_offsets
from likewise.audio.tags import read_tags
from likewise.index.fingerprint import file_fingerprint


@dataclass
class Prepared:
    """A file ready for the embedding model."""

    track_id: int
    tags: dict
    fingerprint: str
    excerpt_start: float
    slices: np.ndarray  # (n, slice_frames, n_mels) float32 log-mel dB
    slice_starts: np.ndarray  # (n,) seconds from the start of the song


@dataclass
class Failed:
    """A file that could not be analysed, and why."""

    track_id: int
    reason: str
    fingerprint: str | None = None


_ENVIRONMENT_REASONS = ("file vanished", "permission denied", "cannot read file")


def caused_by_environment(reason: str) -> bool:
    """True for a failure caused by the file's surroundings (vanished, unreadable, I/O error): worth another try."""
    return reason.startswith(_ENVIRONMENT_REASONS)


class _TimeLimit:
    """Raise AudioError if the block runs longer than `seconds` (main thread on POSIX only; else no limit)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def _expired(self, *_: object) -> None:
        raise AudioError(f"timed out: analysis took longer than {self.seconds:.0f} s")

    def __enter__(self) -> None:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def prepare_file(task: tuple[int, str, str], params: FeatureParams, time_limit: float = 60.0) -> Prepared | Failed:
    """Analyse one file up to the model input. Never raises for a bad file: returns Failed with a reason."""
    track_id, root, relpath = task
    path = Path(root) / relpath
    fingerprint = None
    try:
        with _TimeLimit(time_limit):
            if not os.access(path, os.R_OK):
                if not path.exists():
                    return Failed(track_id, "file vanished before it could be read")
                return Failed(track_id, "permission denied")
            if path.stat().st_size == 0:
                return Failed(track_id, "empty file (0 bytes)")
            fingerprint = file_fingerprint(path)
            tags = read_tags(path)
            excerpt = decode_excerpt(path, params)
            if max(float(excerpt.samples.max()), -float(excerpt.samples.min())) < 1e-4:  # no |x| temporary
                return Failed(track_id, "silent: the excerpt holds no audible sound", fingerprint)
            slices = cut_slices(log_mel(excerpt.samples, params), params)
            if len(slices) == 0:
                return Failed(track_id, "too short for one slice", fingerprint)
            if tags.duration is None or abs(tags.duration - excerpt.song_duration) > 5:
                tags.duration = excerpt.song_duration
            starts = excerpt.start + slice_offsets(len(slices), params)
            return Prepared(track_id, tags.as_dict(), fingerprint, excerpt.start, slices, starts)
    except AudioError as error:
        return Failed(track_id, str(error), fingerprint)
    except OSError as error:
        return Failed(track_id, f"cannot read file: {error.strerror or error}", fingerprint)
    except MemoryError:
        return Failed(track_id, "not enough memory to analyse this file", fingerprint)
    except Exception as error:  # the per-file boundary: nothing a file does may stop the run
        return Failed(track_id, f"unexpected error: {type(error).__name__}: {error}", fingerprint)
