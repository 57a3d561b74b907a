"""Retrieval quality of the song embedding against MFCC statistics, measured in one run.

(a) GTZAN: genre precision@10 with one split (default: test) as the library. Query = each song of the split,
    candidates = the other songs of the same split. Artists are not in our files: the artist filter only
    guarantees that no artist of this split was seen in training; same-artist songs inside the split cannot be
    excluded (GTZAN clips of one artist are mostly numbered consecutively, so they are a real source of optimism
    for every system alike).
(b) Soundtracks: free game soundtracks from Debian packages (not GTZAN, not the app's demo library); positives of
    a song are the other songs of its soundtrack, precision@10 excluding the song itself. Each song is the app's
    excerpt (30 s from the middle). Fetch them once with --fetch (apt-get download, unpacked under scratch/).

Systems: "mfcc" = 20 MFCC mean+std, Euclidean neighbours (the issue-8 baseline); "cnn" = model song vectors
(mean of the L2-normalised slice embeddings, cosine neighbours); "app" = what the app recommends: the songs are
put in a real library store and ranked by the Recommender (its search index, slice voting, the seed's own slices
excluded; no artist caps or duplicate suppression, so that it ranks the same candidates as the others).

Each set also prints chance and the best precision@10 any ranking could reach: a song whose group has fewer than
10 other songs cannot fill its top 10 with them (GTZAN test: 7 genres have 1-6 songs).

    .venv/bin/python tests/bench/bench_quality.py [--model DIR] [--split test|valid] [--fetch]
"""
from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from audio.decode import AudioError, decode_excerpt  # noqa: E402
from audio.features import DEFAULT_PARAMS, cut_slices, log_mel, slice_offsets  # noqa: E402
from model import gtzan  # noqa: E402
from model.baseline import mfcc_stats  # noqa: E402
from model.metrics import grouped_song_vectors, precision_at_k, precision_ceiling  # noqa: E402

SCRATCH = REPO / "scratch"
SOUNDTRACK_DIR = SCRATCH / "soundtracks"
PACKAGES = ["wesnoth-1.16-music", "warzone2100-music", "nexuiz-music", "drascula-music", "ufoai-music",
            "planetblupi-music-ogg"]
# soundtrack name -> glob under SOUNDTRACK_DIR (pk3 archives are zips, unpacked to <package>/x)
SOUNDTRACKS = {
    "wesnoth": "wesnoth-1.16-music/usr/share/games/wesnoth/1.16/data/core/music/*.ogg",
    "warzone2100": "warzone2100-music/usr/share/games/warzone2100/music/**/*.opus",
    "nexuiz": "nexuiz-music/x/sound/cdtracks/*.ogg",
    "drascula": "drascula-music/usr/share/scummvm/drascula/audio/*.ogg",  # the de/en/... folders are copies
    "ufoai": "ufoai-music/x/music/*.ogg",
    "planetblupi": "planetblupi-music-ogg/usr/share/planetblupi/music/*.ogg",
}
MAX_SONGS = 40  # per soundtrack, first in sorted order, so large soundtracks do not dominate


def fetch_soundtracks(target: Path = SOUNDTRACK_DIR) -> None:
    """Download the Debian packages and unpack them (and their .pk3 zips) under target."""
    import zipfile

    downloads = target.parent / "debmusic"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=downloads, check=True)
    for deb in downloads.glob("*.deb"):
        package = target / deb.name.split("_")[0]
        package.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(package)], check=True)
        for pk3 in package.rglob("*.pk3"):
            zipfile.ZipFile(pk3).extractall(package / "x")


def soundtrack_files(root: Path = SOUNDTRACK_DIR) -> list[tuple[str, Path]]:
    """(soundtrack, file) pairs; byte-identical duplicates and "_enhanced" remasters are left out."""
    pairs, seen = [], set()
    for name, pattern in SOUNDTRACKS.items():
        files = [f for f in sorted(root.glob(pattern)) if "_enhanced" not in f.stem]
        kept = []
        for f in files:
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                kept.append(f)
        pairs += [(name, f) for f in kept[:MAX_SONGS]]
    return pairs


def soundtrack_frames(pairs: list[tuple[str, Path]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Log-mel frames of each song's excerpt (cached under scratch/) and soundtrack labels; unreadable songs skipped."""
    key = hashlib.sha256((DEFAULT_PARAMS.to_json() + "|".join(str(p) for _, p in pairs)).encode()).hexdigest()[:12]
    cache = SCRATCH / "cache" / f"soundtracks-{key}.npz"
    if cache.exists():
        with np.load(cache) as stored:
            return [stored[f"c{i}"] for i in range(int(stored["n"]))], stored["labels"]
    frames, labels, names = [], [], sorted({n for n, _ in pairs})
    for name, path in pairs:
        try:
            frames.append(log_mel(decode_excerpt(path, DEFAULT_PARAMS).samples))
            labels.append(names.index(name))
        except AudioError as error:
            print(f"skipped {path.name}: {error}", file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, n=len(frames), labels=np.array(labels), **{f"c{i}": f for i, f in enumerate(frames)})
    return frames, np.array(labels)


def mfcc_system(frames: list[np.ndarray], labels: np.ndarray) -> float:
    """P@10 of MFCC mean+std vectors with Euclidean neighbours."""
    return precision_at_k(np.stack([mfcc_stats(f) for f in frames]), labels, 10, metric="euclidean")


def cnn_system(model_dir: Path | None) -> Callable[[list[np.ndarray], np.ndarray], float]:
    """P@10 of model-level song vectors (mean of L2-normalised slice embeddings), cosine neighbours."""
    from model.embedder import load_embedder

    embedder = load_embedder(model_dir)

    def score(frames: list[np.ndarray], labels: np.ndarray) -> float:
        slices = [cut_slices(f) for f in frames]
        embeddings, _ = embedder.embed(np.concatenate(slices))
        starts = np.cumsum([0] + [len(s) for s in slices[:-1]])
        return precision_at_k(grouped_song_vectors(embeddings, starts), labels, 10)

    return score


def app_system(model_dir: Path | None) -> Callable[[list[np.ndarray], np.ndarray], float]:
    """P@10 of the app's recommendations: a real store of the songs, the search index and slice voting."""
    import tempfile

    from audio.tags import Tags
    from index.recommend import Options, Recommender
    from index.store import Analysis, LibraryStore
    from model.embedder import load_embedder

    embedder = load_embedder(model_dir)
    options = Options(count=10, per_artist=None, per_album=None, suppress_duplicates=False)

    def score(frames: list[np.ndarray], labels: np.ndarray) -> float:
        with tempfile.TemporaryDirectory() as folder, LibraryStore(
                Path(folder) / "library.sqlite", library_root=Path(folder), create=True) as store:
            store.set_analysis_settings(embedder.info.model_id, embedder.info.params.to_json())
            ids = store.add_pending([(f"song{n}.mp3", 0, 0.0, f"song{n}") for n in range(len(frames))])
            analyses = []
            for track_id, song in zip(ids, frames):
                slices = cut_slices(song)
                vectors, probs = embedder.embed(slices)
                analyses.append((track_id, Analysis(Tags(title=f"song{track_id}").as_dict(), str(track_id), 0.0,
                                                    vectors, slice_offsets(len(slices)), "", probs.mean(axis=0))))
            store.save_results(analyses, [], embedder.info.model_id)
            recommender = Recommender(store)
            label_of = dict(zip(ids, labels))
            return float(np.mean([
                np.mean([label_of[item.track.id] == label_of[track_id]
                         for item in recommender.similar(recommender.seed_for_track(track_id), options)])
                for track_id in ids
            ]))

    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: assets/model)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "gtzan")
    parser.add_argument("--split", choices=["test", "valid"], default="test", help="GTZAN library (tune on valid)")
    parser.add_argument("--fetch", action="store_true", help="download and unpack the soundtracks first")
    args = parser.parse_args()
    if args.fetch:
        fetch_soundtracks()
    clips = gtzan.read_clips(args.data)
    all_frames = gtzan.load_frames(clips, SCRATCH / "cache")
    chosen = [i for i, c in enumerate(clips) if c.split == args.split]
    sets = {
        f"gtzan-{args.split} genre P@10": ([all_frames[i] for i in chosen], np.array([clips[i].label for i in chosen])),
        "soundtrack P@10": soundtrack_frames(soundtrack_files()),
    }
    systems: dict[str, Callable[[list[np.ndarray], np.ndarray], float]] = {
        "mfcc": mfcc_system,
        "cnn": cnn_system(args.model),
        "app": app_system(args.model),
    }
    for set_name, (frames, labels) in sets.items():
        counts = np.bincount(labels)
        chance = float(np.sum(counts * (counts - 1)) / (len(labels) * (len(labels) - 1)))
        print(f"{set_name}: {len(labels)} songs in {np.count_nonzero(counts)} groups, chance {chance:.3f}, "
              f"best possible {precision_ceiling(labels, 10):.3f}")
        results = {}
        for system, score in systems.items():
            started = time.time()
            results[system] = score(frames, labels)
            print(f"  {system:8s} {results[system]:.3f}  ({time.time() - started:.1f} s)")
        for system in systems:
            if system != "mfcc":
                print(f"  {system} vs mfcc: {100 * (results[system] / results['mfcc'] - 1):+.1f}% relative")
    return 0


if __name__ == "__main__":
    sys.exit(main())
