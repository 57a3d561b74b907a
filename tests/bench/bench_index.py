"""Indexing throughput on realistic songs, against the decode floor and the ancestor notebook, in one run.

The library: SONGS MP3s of 3-5 minutes at 128-320 kbps, stereo 44.1 kHz, each a different concatenation of the
bundled demo excerpts (cached between runs in --cache). Three measurements, same files, same machine (floor and
likewise --repeats times, back to back, as pairs):
  floor     decode just the centred 30 s excerpts (soundfile seek + read + resample), with --jobs processes
  ancestor  the notebook's way: librosa.load(offset=30, duration=30) per file, mel spectrogram, one model call
            per song, one process
  likewise  `Indexer.run()` into a fresh store (worker processes, batched model, SQLite writes), model load included
Then a no-change re-scan of 10,000 files against a store that already holds them.

    python -m tests.bench.bench_index [--songs 200] [--jobs N] [--repeats 3] [--cache DIR]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import soundfile

from likewise.assets import DEMO_DIR
from likewise.audio.decode import decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS
from tests.bench.synthetic import Spectrum, build_store

RATE = 44100


def _demo_clips() -> list[np.ndarray]:
    clips = []
    for path in sorted(DEMO_DIR.rglob("*")):
        if path.suffix in {".mp3", ".ogg", ".flac"}:
            samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
            if rate == RATE:
                clips.append(samples if samples.shape[1] == 2 else np.repeat(samples, 2, axis=1))
    return clips


def _make_song(number: int, folder: Path) -> None:
    rng = np.random.default_rng(number)
    clips = _demo_clips()
    seconds = rng.uniform(180, 300)
    parts, total = [], 0
    while total < seconds * RATE:
        clip = clips[rng.integers(len(clips))] * rng.uniform(0.5, 1.0)
        parts.append(clip)
        total += len(clip)
    song = np.concatenate(parts)[: int(seconds * RATE)]
    level = float(rng.uniform(0.0, 0.6))  # libsndfile: 0 = 320 kbps ... 1 = lowest bitrate; 0.6 is about 128 kbps
    soundfile.write(str(folder / f"song{number:04d}.mp3"), song, RATE, format="MP3",
                    bitrate_mode="CONSTANT", compression_level=level)


def make_library(folder: Path, songs: int, jobs: int) -> list[Path]:
    """SONGS distinct 3-5 minute MP3s in `folder` (made once, reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [n for n in range(songs) if not (folder / f"song{n:04d}.mp3").exists()]
    if missing:
        print(f"making {len(missing)} songs in {folder} (once) ...", flush=True)
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            pool.map(partial(_make_song, folder=folder), missing)
    return [folder / f"song{n:04d}.mp3" for n in range(songs)]


def _decode_only(path: Path) -> int:
    return len(decode_excerpt(path, DEFAULT_PARAMS).samples)


def floor(files: list[Path], jobs: int) -> float:
    """Seconds to decode every centred excerpt, nothing else."""
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        pool.map(_decode_only, files, chunksize=4)
    return time.perf_counter() - started


def ancestor(files: list[Path]) -> float:
    """Seconds for the notebook's way: full librosa.load of 30 s at offset 30, linear mel, one model call per song."""
    import librosa

    from likewise.model.embedder import load_embedder

    started = time.perf_counter()
    embedder = load_embedder()
    params = DEFAULT_PARAMS
    for path in files:
        samples, _ = librosa.load(str(path), sr=params.sample_rate, offset=30.0, duration=30.0)
        mel = librosa.feature.melspectrogram(y=samples, sr=params.sample_rate, n_fft=params.n_fft,
                                             hop_length=params.hop_length, n_mels=params.n_mels).T
        count = len(mel) // params.slice_frames
        slices = mel[: count * params.slice_frames].reshape(count, params.slice_frames, params.n_mels)
        embedder.embed(slices.astype(np.float32))
    return time.perf_counter() - started


def likewise(root: Path, jobs: int, workdir: Path) -> tuple[float, int]:
    """Seconds for a full first index of `root` into a fresh store, and songs analysed."""
    from likewise.index.pipeline import Indexer

    started = time.perf_counter()
    summary = Indexer(root, workdir / "bench.sqlite", jobs=jobs).run()
    return time.perf_counter() - started, summary.analysed


def rescan(workdir: Path, count: int = 10_000) -> tuple[float, float]:
    """Seconds for the first scan of `count` unchanged files in a store without moods (as one upgraded from an older
    likewise: the moods are filled in from the stored analyses), then for a no-change re-scan."""
    from likewise.index.pipeline import Indexer
    from likewise.model.info import read_model_info

    root = workdir / "rescan"
    source = root / "source.bin"
    root.mkdir()
    source.write_bytes(b"\xff\xfb" + b"\x00" * 2000)
    files = []
    for number in range(count):
        relpath = f"a{number // 100:03d}/s{number:05d}.mp3"
        (root / relpath).parent.mkdir(exist_ok=True)
        os.link(source, root / relpath)
        stat = (root / relpath).stat()
        files.append((relpath, stat.st_size, stat.st_mtime))
    source.unlink()
    info = read_model_info()
    db = workdir / "rescan.sqlite"
    build_store(db, root, count, Spectrum(np.zeros(info.embedding_dim), np.eye(info.embedding_dim), np.ones(info.embedding_dim), 0.8),
                info.model_id, info.tags, files=files)
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        summary = Indexer(root, db, jobs=1).run()
        seconds.append(time.perf_counter() - started)
        assert summary.unchanged == count and summary.analysed == 0, summary
    return seconds[0], seconds[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3, help="floor + likewise pairs (the ratio's median is kept)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "likewise-bench-library")
    args = parser.parse_args()
    files = make_library(args.cache / f"songs{args.songs}", args.songs, args.jobs)
    size_mb = sum(path.stat().st_size for path in files) / 1e6
    print(f"library: {len(files)} MP3s, {size_mb:.0f} MB; {args.jobs} worker processes on {os.cpu_count()} cores")
    ancestor_s = ancestor(files)
    print(f"ancestor  {ancestor_s:7.1f} s  {len(files) / ancestor_s:6.1f} songs/s  (librosa.load + per-song model call)",
          flush=True)
    ratios, likewise_times = [], []
    with tempfile.TemporaryDirectory() as workdir:
        for run in range(args.repeats):  # floor and likewise back to back, so both see the same machine
            floor_s = floor(files, args.jobs)
            store_dir = Path(workdir) / f"run{run}"
            store_dir.mkdir()
            likewise_s, analysed = likewise(files[0].parent, args.jobs, store_dir)
            ratios.append(likewise_s / floor_s)
            likewise_times.append(likewise_s)
            print(f"run {run + 1}: floor {floor_s:5.1f} s ({len(files) / floor_s:5.1f} songs/s, decode excerpts only); "
                  f"likewise {likewise_s:5.1f} s ({analysed / likewise_s:5.1f} songs/s, full index, model load "
                  f"included): {ratios[-1]:.2f}x the floor's time", flush=True)
        print(f"likewise vs floor, median of {len(ratios)} runs: {np.median(ratios):.2f}x the time; "
              f"vs ancestor: {ancestor_s / np.median(likewise_times):.2f}x faster")
        first_s, rescan_s = rescan(Path(workdir))
        print(f"re-scan of 10,000 unchanged files: {rescan_s:.2f} s (the first, filling in their moods: {first_s:.2f} s)")


if __name__ == "__main__":
    main()
