"""Embedding throughput of the shipped model on this CPU: one batched call vs one call per song, same run; with
--baseline DIR, another model directory (a copy with another model.tflite, say) measured the same way right after.

    .venv/bin/python tests/bench/bench_embed.py [--songs 200] [--slices-per-song 10] [--baseline DIR]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from likewise.audio.features import DEFAULT_PARAMS  # noqa: E402
from likewise.model.embedder import load_embedder  # noqa: E402


def timed(function, repeats: int = 3) -> float:
    """Best wall time of a few runs (seconds)."""
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--songs", type=int, default=200)
    parser.add_argument("--slices-per-song", type=int, default=10, help="a 30-s excerpt gives 10 slices")
    parser.add_argument("--baseline", type=Path, help="a model directory to measure after the shipped one")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    shape = (args.songs * args.slices_per_song, DEFAULT_PARAMS.slice_frames, DEFAULT_PARAMS.n_mels)
    slices = (rng.normal(-40.0, 10.0, shape)).astype(np.float32)
    songs = np.split(slices, args.songs)
    for model_dir in [None] + ([args.baseline] if args.baseline else []):
        started = time.perf_counter()
        embedder = load_embedder(model_dir)
        embedder.embed(slices[:1])
        print(f"{'shipped' if model_dir is None else model_dir}: model {embedder.info.model_id}, dim "
              f"{embedder.info.embedding_dim}, load + first call {time.perf_counter() - started:.2f} s")
        batched = timed(lambda: embedder.embed(slices))
        per_song = timed(lambda: [embedder.embed(song) for song in songs])
        print(f"  batched        : {len(slices) / batched:8.0f} slices/s ({len(slices)} slices in {batched:.2f} s)")
        print(f"  one call a song: {len(slices) / per_song:8.0f} slices/s ({args.songs} calls of "
              f"{args.slices_per_song})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
