"""Query latency and memory of recommendations at 1,000 / 10,000 / 100,000 songs: BallTree vs brute-force NumPy;
and with the app's index, the latency of a mix of 5 seeds and of a 10-step sonic path.

Each size runs in its own process (so peak memory is its own). Stores are real SQLite files with synthetic unit
vectors of the shipped model's embedding size, 10 slices per song, drawn with the covariance spectrum of real
embeddings: the music in --real (default ../shared/gtzan if present, else the demo library) is indexed with the
shipped model first and its slice vectors measured. Both systems run the same voting code; only the search differs:
"balltree" is the app's index (a BallTree over song vectors picks candidate songs, their slices are searched
exactly), "bruteforce" searches every slice of the library. Recall compares the app's top 10 with brute force's.

    python -m tests.bench.bench_query [--sizes 1000 10000 100000] [--queries 200] [--real FOLDER]
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

from likewise.assets import DEMO_DIR

from likewise.index.playlist import sonic_path
from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore
from likewise.index.search import CANDIDATE_SONGS, load_index
from likewise.model.info import read_model_info
from likewise.model.metrics import grouped_song_vectors
from tests.bench.synthetic import Spectrum, build_store

SHARED_GTZAN = Path(__file__).resolve().parents[3] / "shared" / "gtzan"


class BruteForce:
    """Exact search by one matrix product against every slice vector (the baseline)."""

    def __init__(self, store: LibraryStore):
        self.vectors, self.owners, self.positions = store.all_slices()
        self.size = len(self.owners)
        self.song_ids, starts = np.unique(self.owners, return_index=True)
        self._song_vectors = grouped_song_vectors(self.vectors, starts)

    def song_row(self, track_id: int) -> int:
        """The song row of a track, as the app's index numbers them (for the duplicate check)."""
        return int(np.searchsorted(self.song_ids, track_id))

    def song_vectors(self) -> np.ndarray:
        return self._song_vectors

    def query(self, vectors: np.ndarray, k: int, exclude: set[int] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        similarity = vectors @ self.vectors.T
        similarity[:, np.isin(self.owners, list(exclude))] = -np.inf
        part = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(-similarity, part, axis=1).argsort(axis=1)
        indices = np.take_along_axis(part, order, axis=1)
        chosen = np.take_along_axis(similarity, indices, axis=1)
        return np.sqrt(np.maximum(2.0 - 2.0 * chosen, 0.0)), indices


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_spectrum(folder: Path, workdir: Path) -> Spectrum:
    """Index `folder` with the shipped model and measure its slice vectors."""
    from likewise.index.pipeline import Indexer

    db = workdir / "real.sqlite"
    Indexer(folder, db, jobs=2).run()
    with LibraryStore(db) as store:
        vectors, owners, _ = store.all_slices()
    return Spectrum.measure(vectors.astype(np.float64), owners)


def measure(songs: int, queries: int, system: str, workdir: Path) -> dict:
    """Latency of `queries` recommendations for random seeds, and the process's peak memory."""
    base_rss = peak_rss_mb()
    store = LibraryStore(workdir / f"lib{songs}.sqlite")
    started = time.perf_counter()
    search = load_index(store) if system == "balltree" else BruteForce(store)
    build_seconds = time.perf_counter() - started
    recommender = Recommender(store, search=search)
    rng = np.random.default_rng(1)
    seeds = rng.choice(np.arange(1, songs + 1), size=queries, replace=False)
    latencies = []
    for track_id in seeds:
        started = time.perf_counter()
        results = recommender.similar(recommender.seed_for_track(int(track_id)), Options(count=10))
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(results) == 10 and all(item.track.id != track_id for item in results)
    row = {
        "songs": songs, "system": system, "median_ms": float(np.median(latencies)),
        "p95_ms": float(np.percentile(latencies, 95)), "load_or_build_s": build_seconds,
        "peak_rss_mb": peak_rss_mb(), "rss_before_index_mb": base_rss, "recall": 1.0,
    }
    if system == "balltree":
        row["recall"] = top10_recall(recommender, Recommender(store, search=BruteForce(store)), seeds[:50])
        row["song_stage_ms"] = song_stage_ms(search, store, seeds[:50])
        row.update(listening_ms(recommender, songs, queries))
    return row


def listening_ms(recommender: Recommender, songs: int, queries: int) -> dict[str, tuple[float, float]]:
    """(median, p95) ms of a mix of 5 random seeds (10 results) and of a 10-step path between two random songs."""
    rng = np.random.default_rng(2)
    timings: dict[str, list[float]] = {"mix_ms": [], "path_ms": []}
    for _ in range(queries):
        picked = rng.choice(np.arange(1, songs + 1), size=5, replace=False).tolist()
        started = time.perf_counter()
        results = recommender.mix([recommender.seed_for_track(track_id) for track_id in picked], Options(count=10))
        timings["mix_ms"].append((time.perf_counter() - started) * 1000)
        assert len(results) == 10 and not set(picked) & {item.track.id for item in results}
        started = time.perf_counter()
        path = sonic_path(recommender, recommender.store.track(picked[0]), recommender.store.track(picked[1]), 10)
        timings["path_ms"].append((time.perf_counter() - started) * 1000)
        assert len(path) == 11 and len({track.id for track in path}) == 11
    return {name: (float(np.median(values)), float(np.percentile(values, 95))) for name, values in timings.items()}


def song_stage_ms(search, store: LibraryStore, seeds: np.ndarray) -> tuple[float, float]:
    """Mean ms to pick the candidate songs: with the index's BallTree, and with a NumPy scan of the song vectors."""
    songs = np.asarray(search.songs.data, np.float32)
    count = min(CANDIDATE_SONGS, len(songs) - 1)
    timings = [], []
    for track_id in seeds:
        centre = grouped_song_vectors(store.slices_of(int(track_id))[0].astype(np.float64), np.zeros(1, np.int64))
        started = time.perf_counter()
        search.songs.query(centre, k=count + 1)
        timings[0].append(time.perf_counter() - started)
        started = time.perf_counter()
        np.argpartition(songs @ centre[0].astype(np.float32), -count - 1)[-count - 1:]
        timings[1].append(time.perf_counter() - started)
    return float(np.mean(timings[0]) * 1000), float(np.mean(timings[1]) * 1000)


def top10_recall(app: Recommender, exact: Recommender, seeds: np.ndarray) -> float:
    """Share of the exact top 10 (brute-force search, same voting) that the app's search also recommends."""
    found = []
    for track_id in seeds:
        seed = app.seed_for_track(int(track_id))
        truth = {item.track.id for item in exact.similar(seed, Options(count=10))}
        found.append(len(truth & {item.track.id for item in app.similar(seed, Options(count=10))}) / 10)
    return float(np.mean(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--real", type=Path, default=SHARED_GTZAN if SHARED_GTZAN.is_dir() else DEMO_DIR)
    parser.add_argument("--one", nargs=3, metavar=("SONGS", "SYSTEM", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        songs, system, workdir = args.one
        print(json.dumps(measure(int(songs), args.queries, system, Path(workdir))))
        return
    with tempfile.TemporaryDirectory() as workdir:
        spectrum = real_spectrum(args.real, Path(workdir))
        share = np.sort(spectrum.variances)[::-1].cumsum() / spectrum.variances.sum()
        print(f"real embeddings of {args.real}: {int(np.searchsorted(share, 0.95)) + 1} of {len(share)} directions "
              f"hold 95% of the variance; {spectrum.between_share:.0%} of it lies between songs")
        print(f"{'songs':>8} {'system':>10} {'median ms':>10} {'p95 ms':>8} {'build s':>8} {'peak MB':>8} "
              f"{'recall@10':>9}")
        info = read_model_info()
        for songs in args.sizes:
            # built here, so that the memory of making the synthetic vectors is not charged to either system
            build_store(Path(workdir) / f"lib{songs}.sqlite", Path(workdir), songs, spectrum, info.model_id, info.tags)
            rows = {}
            for system in ("balltree", "bruteforce"):
                child = subprocess.run(
                    [sys.executable, "-m", "tests.bench.bench_query", "--queries", str(args.queries),
                     "--one", str(songs), system, workdir], capture_output=True, text=True)
                if child.returncode != 0:
                    sys.exit(f"the {system} run at {songs} songs failed:\n{child.stderr}")
                row = rows[system] = json.loads(child.stdout.strip().splitlines()[-1])
                print(f"{songs:>8} {system:>10} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
                      f"{row['load_or_build_s']:>8.1f} {row['peak_rss_mb']:>8.0f} {row['recall']:>9.2f}", flush=True)
            ratio = rows["bruteforce"]["p95_ms"] / rows["balltree"]["p95_ms"]
            tree_ms, scan_ms = rows["balltree"]["song_stage_ms"]
            print(f"{songs:>8} p95 speed-up of the index over brute force: {ratio:.1f}x; picking the candidate songs "
                  f"takes {tree_ms:.1f} ms with the BallTree, {scan_ms:.1f} ms with a NumPy scan", flush=True)
            (mix_median, mix_p95), (path_median, path_p95) = rows["balltree"]["mix_ms"], rows["balltree"]["path_ms"]
            print(f"{songs:>8} mix of 5 seeds: median {mix_median:.1f} ms, p95 {mix_p95:.1f} ms; path of 10 steps: "
                  f"median {path_median:.1f} ms, p95 {path_p95:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
