"""Query latency and memory of recommendations at 1,000 / 10,000 / 100,000 songs: BallTree vs brute-force NumPy.

Each size runs in its own process (so peak memory is its own). Stores are real SQLite files with synthetic,
clustered unit vectors of the shipped model's embedding size, 10 slices per song. Both systems run the same
voting code; only the nearest-neighbour search differs.

    python -m tests.bench.bench_query [--sizes 1000 10000 100000] [--queries 200]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.recommend import Options, Recommender
from index.store import LibraryStore
from index.tree import SliceTree, load_tree
from model.info import read_model_info
from tests.bench.synthetic import build_store


class BruteForce:
    """Exact search by one matrix product against every slice vector (the baseline)."""

    def __init__(self, store: LibraryStore):
        self.vectors, self.owners, self.positions = store.all_slices()
        self.size = len(self.owners)

    def query(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        similarity = vectors @ self.vectors.T
        part = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(-similarity, part, axis=1).argsort(axis=1)
        indices = np.take_along_axis(part, order, axis=1)
        chosen = np.take_along_axis(similarity, indices, axis=1)
        return np.sqrt(np.maximum(2.0 - 2.0 * chosen, 0.0)), indices


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(songs: int, queries: int, system: str, workdir: Path) -> dict:
    """Latency of `queries` recommendations for random seeds, and the process's peak memory."""
    info = read_model_info()
    db = workdir / f"lib{songs}.sqlite"
    if not db.exists():
        build_store(db, workdir, songs, info.embedding_dim, info.model_id, info.genres)
    base_rss = peak_rss_mb()
    store = LibraryStore(db)
    started = time.perf_counter()
    search = load_tree(store) if system == "balltree" else BruteForce(store)
    build_seconds = time.perf_counter() - started
    recommender = Recommender(store, tree=search)
    rng = np.random.default_rng(1)
    seeds = rng.choice(np.arange(1, songs + 1), size=queries, replace=False)
    latencies = []
    for track_id in seeds:
        started = time.perf_counter()
        results = recommender.similar(recommender.seed_for_track(int(track_id)), Options(count=10))
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(results) == 10 and all(item.track.id != track_id for item in results)
    return {
        "songs": songs, "system": system, "median_ms": float(np.median(latencies)),
        "p95_ms": float(np.percentile(latencies, 95)), "load_or_build_s": build_seconds,
        "peak_rss_mb": peak_rss_mb(), "rss_before_index_mb": base_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--one", nargs=3, metavar=("SONGS", "SYSTEM", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        songs, system, workdir = args.one
        print(json.dumps(measure(int(songs), args.queries, system, Path(workdir))))
        return
    print(f"{'songs':>8} {'system':>10} {'median ms':>10} {'p95 ms':>8} {'build s':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as workdir:
        for songs in args.sizes:
            rows = {}
            for system in ("balltree", "bruteforce"):
                output = subprocess.run(
                    [sys.executable, "-m", "tests.bench.bench_query", "--queries", str(args.queries),
                     "--one", str(songs), system, workdir], check=True, capture_output=True, text=True).stdout
                rows[system] = json.loads(output.strip().splitlines()[-1])
                row = rows[system]
                print(f"{songs:>8} {system:>10} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
                      f"{row['load_or_build_s']:>8.1f} {row['peak_rss_mb']:>8.0f}", flush=True)
            ratio = rows["bruteforce"]["p95_ms"] / rows["balltree"]["p95_ms"]
            print(f"{songs:>8} p95 speed-up of the BallTree over brute force: {ratio:.1f}x", flush=True)


if __name__ == "__main__":
    main()
