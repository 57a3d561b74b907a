"""Retrieval quality of the song embedding against MFCC statistics and the teacher, all measured in one run.

Libraries (each song is the app's excerpt, 30 s from the middle; every song queries the others):
(a) 4Q test split (125 songs, 99 artists): relevant = shares an AllMusic genre (multi-label), and separately the
    same valence-arousal quadrant; songs by the query's own artist are left out of its candidates.
(b) Soundtracks: 6 free game soundtracks from Debian packages (not trained on; fetch once with --fetch); relevant
    = the same soundtrack.
(c) GTZAN test split (artist-filtered; 100 songs): relevant = the same genre. Artists are not in our files, so
    same-artist songs inside the split cannot be left out (a source of optimism for every system alike).

Systems:
  mfcc     20 MFCC mean+std, Euclidean (the long-standing baseline)
  teacher  musicnn MSD_musicnn, mean taggram over 3-s windows, cosine. Its outputs come from the teacher cache;
           missing ones are computed with the teacher's own environment (tools/teacher/setup.sh), if it exists
  before   song vectors of an earlier model (--before DIR, e.g. a copy of the previous assets/model)
  cnn      song vectors of the model (mean of its L2-normalised slice embeddings), cosine
  app      what the app recommends: a real library store, the search index and slice voting (no artist caps or
           duplicate suppression; same-artist songs dropped afterwards where the set leaves them out)

Each set prints chance (a random ranking's expected score) and the best any ranking can reach.

    .venv/bin/python tests/bench/bench_quality.py [--model DIR] [--before DIR] [--split test|valid] [--fetch]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from likewise.audio.decode import AudioError  # noqa: E402
from likewise.audio.features import cut_slices, slice_offsets  # noqa: E402
from likewise.model import corpus  # noqa: E402
from likewise.model.baseline import mfcc_stats  # noqa: E402
from likewise.model.corpus import Clip  # noqa: E402
from likewise.model.metrics import grouped_song_vectors, precision_at_k, shared_label_relevance  # noqa: E402
from likewise.model.teacher import Excerpt, load_excerpt, load_targets  # noqa: E402

SCRATCH = REPO / "scratch"
SOUNDTRACK_DIR = SCRATCH / "soundtracks"
TEACHER_CACHE = SCRATCH / "teacher-cache"
TEACHER_PYTHON = SCRATCH / "teacher-env" / "bin" / "python"
TEACHER_HOP = 187  # no overlap: the baseline only averages the windows
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
K = 10


@dataclass
class Library:
    """Songs to search among, and what makes one relevant to another."""

    name: str
    clips: list[Clip]
    excerpts: list[Excerpt]
    judgements: dict[str, np.ndarray]  # name -> (n, n) bool relevance
    exclude: np.ndarray | None  # (n, n) bool: candidates left out of each query (same artist)

    @property
    def slices(self) -> list[np.ndarray]:
        return [cut_slices(e.frames) for e in self.excerpts]


def fetch_soundtracks(target: Path = SOUNDTRACK_DIR) -> None:
    """Download the Debian packages and unpack them (and their .pk3 zips) under target."""
    import zipfile

    downloads = target.parent / "debmusic-bench"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *PACKAGES], cwd=downloads, check=True)
    for deb in downloads.glob("*.deb"):
        package = target / deb.name.split("_")[0]
        package.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(package)], check=True)
        for pk3 in package.rglob("*.pk3"):
            zipfile.ZipFile(pk3).extractall(package / "x")


def soundtrack_clips(root: Path = SOUNDTRACK_DIR) -> list[Clip]:
    """The soundtracks' songs; byte-identical duplicates and "_enhanced" remasters are left out."""
    clips, seen = [], set()
    for name, pattern in SOUNDTRACKS.items():
        kept = []
        for f in sorted(root.glob(pattern)):
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
            if "_enhanced" not in f.stem and digest not in seen:
                seen.add(digest)
                kept.append(f)
        clips += [Clip(f"soundtrack/{name}/{f.name}", f, "soundtrack", "test", artist=name) for f in kept[:MAX_SONGS]]
    return clips


def library(name: str, clips: list[Clip], judgements: Callable[[list[Clip]], dict[str, np.ndarray]],
            same_artist_out: bool) -> Library:
    """A Library of the clips that decode (the others are reported and skipped)."""
    kept, excerpts = [], []
    for clip in clips:
        try:
            excerpts.append(load_excerpt(clip, SCRATCH / "cache"))
            kept.append(clip)
        except AudioError as error:
            print(f"skipped {clip.path.name}: {error}", file=sys.stderr)
    artists = np.array([c.artist for c in kept])
    exclude = artists[:, None] == artists[None, :] if same_artist_out else None
    return Library(name, kept, excerpts, judgements(kept), exclude)


def same(values: list) -> np.ndarray:
    array = np.array(values)
    return array[:, None] == array[None, :]


def chance_and_ceiling(relevant: np.ndarray, exclude: np.ndarray | None) -> tuple[float, float]:
    """A random ranking's expected P@K, and the best any ranking can reach, per query then averaged."""
    allowed = ~np.eye(len(relevant), dtype=bool) & (~exclude if exclude is not None else True)
    hits = (relevant & allowed).sum(axis=1)
    candidates = allowed.sum(axis=1)
    return float(np.mean(hits / np.maximum(candidates, 1))), float(np.mean(np.minimum(hits, K) / np.minimum(K, candidates)))


def vector_system(vectors_of: Callable[[Library], np.ndarray], metric: str = "cosine"):
    """A system that ranks by song vectors."""
    def score(lib: Library) -> dict[str, float]:
        vectors = vectors_of(lib)
        return {j: precision_at_k(vectors, rel, K, metric, lib.exclude) for j, rel in lib.judgements.items()}
    return score


def mfcc_vectors(lib: Library) -> np.ndarray:
    return np.stack([mfcc_stats(e.frames) for e in lib.excerpts])


def teacher_vectors(lib: Library) -> np.ndarray:
    """Mean taggram of each song's excerpt, from the teacher cache (filled first with the teacher's env if needed)."""
    missing = [(c, e) for c, e in zip(lib.clips, lib.excerpts) if load_targets(c, e, TEACHER_CACHE, TEACHER_HOP) is None]
    if missing:
        if not TEACHER_PYTHON.exists():
            raise SystemExit(f"the teacher has not tagged {len(missing)} songs of {lib.name} and there is no "
                             f"teacher environment: run tools/teacher/setup.sh")
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as manifest:
            manifest.write("".join(json.dumps({"path": str(c.path), "start": e.start, "duration": e.duration}) + "\n"
                                   for c, e in missing))
            manifest.flush()
            subprocess.run([str(TEACHER_PYTHON), str(REPO / "tools/teacher/targets.py"), manifest.name,
                            str(TEACHER_CACHE), str(TEACHER_HOP)], check=True, stderr=subprocess.DEVNULL)
    means = np.stack([load_targets(c, e, TEACHER_CACHE, TEACHER_HOP).tags.mean(axis=0)
                      for c, e in zip(lib.clips, lib.excerpts)])
    return means / np.linalg.norm(means, axis=1, keepdims=True)


def grouped(embed: Callable[[np.ndarray], np.ndarray]) -> Callable[[Library], np.ndarray]:
    """Song vectors (mean of L2-normalised slice embeddings) from a slice embedder."""
    def vectors(lib: Library) -> np.ndarray:
        slices = lib.slices
        starts = np.cumsum([0] + [len(s) for s in slices[:-1]])
        return grouped_song_vectors(embed(np.concatenate(slices)), starts)
    return vectors


def earlier_model(model_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """Slice embedder of an earlier model: this format (named outputs) or the earlier one (outputs [embedding,
    genre probabilities])."""
    import keras

    from likewise.model.network import EMBEDDING_LAYER
    from likewise.model.prep import normalise, project
    from likewise.model.tfsetup import import_tf

    import_tf()
    meta = json.loads((model_dir / "model.json").read_text())
    network = keras.saving.load_model(model_dir / "model.keras", compile=False)
    with np.load(model_dir / "model.npz") as arrays:
        stats = {k: arrays[k] for k in arrays.files}
    projection = (stats["proj_mean"], stats["proj_matrix"]) if stats["proj_matrix"].size else (None, None)

    def embedding(slices: np.ndarray) -> np.ndarray:
        out = network(normalise(slices, stats["band_mean"], stats["band_std"], meta["centre"]), training=False)
        return np.asarray(out[EMBEDDING_LAYER] if isinstance(out, dict) else out[0])

    def embed(slices: np.ndarray) -> np.ndarray:
        parts = [embedding(slices[s:s + 256]) for s in range(0, len(slices), 256)]
        return project(np.concatenate(parts), *projection)
    return embed


def app_system(model_dir: Path | None):
    """P@10 of the app's recommendations: a real store of the songs, the search index and slice voting."""
    from likewise.audio.tags import Tags
    from likewise.index.recommend import Options, Recommender
    from likewise.index.store import Analysis, LibraryStore
    from likewise.model.embedder import load_embedder

    embedder = load_embedder(model_dir)

    def score(lib: Library) -> dict[str, float]:
        extra = int(lib.exclude.sum(axis=1).max()) if lib.exclude is not None else 0
        options = Options(count=K + extra, per_artist=None, per_album=None, suppress_duplicates=False)
        with tempfile.TemporaryDirectory() as folder, LibraryStore(
                Path(folder) / "library.sqlite", library_root=Path(folder), create=True) as store:
            store.set_analysis_settings(embedder.info.model_id, embedder.info.params.to_json())
            ids = store.add_pending([(f"song{n}.mp3", 0, 0.0, f"song{n}") for n in range(len(lib.clips))])
            analyses = []
            for track_id, slices in zip(ids, lib.slices):
                vectors, probs = embedder.embed(slices)
                analyses.append((track_id, Analysis(Tags(title=f"song{track_id}").as_dict(), str(track_id), 0.0,
                                                    vectors, slice_offsets(len(slices)), "", probs.mean(axis=0))))
            store.save_results(analyses, [], embedder.info.model_id)
            recommender = Recommender(store)
            row = {track_id: n for n, track_id in enumerate(ids)}
            ranked = []
            for n, track_id in enumerate(ids):
                found = [row[item.track.id] for item in recommender.similar(recommender.seed_for_track(track_id), options)]
                ranked.append([m for m in found if lib.exclude is None or not lib.exclude[n, m]][:K])
        return {j: float(np.mean([np.mean(rel[n, r]) for n, r in enumerate(ranked) if r]))
                for j, rel in lib.judgements.items()}
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: assets/model)")
    parser.add_argument("--before", type=Path, default=None, help="an earlier model to compare")
    parser.add_argument("--gtzan", type=Path, default=REPO.parent / "shared" / "gtzan")
    parser.add_argument("--fourq", type=Path, default=REPO.parent / "shared" / "4q")
    parser.add_argument("--split", choices=["test", "valid"], default="test", help="held-out split (tune on valid)")
    parser.add_argument("--fetch", action="store_true", help="download and unpack the soundtracks first")
    args = parser.parse_args()
    if args.fetch:
        fetch_soundtracks()
    from likewise.model.embedder import load_embedder

    libraries = [
        library(f"4q-{args.split}", [c for c in corpus.fourq_clips(args.fourq) if c.split == args.split],
                lambda cs: {"genre": shared_label_relevance([c.tags for c in cs]), "quadrant": same([c.quadrant for c in cs])},
                same_artist_out=True),
        library("soundtracks", soundtrack_clips(), lambda cs: {"soundtrack": same([c.artist for c in cs])}, False),
        library(f"gtzan-{args.split}", [c for c in corpus.gtzan_clips(args.gtzan) if c.split == args.split],
                lambda cs: {"genre": same([c.genre for c in cs])}, False),
    ]
    embedder = load_embedder(args.model)
    systems = {"mfcc": vector_system(mfcc_vectors, "euclidean"), "teacher": vector_system(teacher_vectors)}
    if args.before is not None:
        systems["before"] = vector_system(grouped(earlier_model(args.before)))
    systems["cnn"] = vector_system(grouped(lambda s: embedder.embed(s)[0]))
    systems["app"] = app_system(args.model)
    print(f"model {embedder.info.model_id}" + (f", before: {args.before}" if args.before else ""))
    for lib in libraries:
        print(f"\n{lib.name}: {len(lib.clips)} songs" + (", same-artist songs left out" if lib.exclude is not None else ""))
        for judgement, relevant in lib.judgements.items():
            chance, ceiling = chance_and_ceiling(relevant, lib.exclude)
            print(f"  {judgement} P@{K}: chance {chance:.3f}, best possible {ceiling:.3f}")
        results = {}
        for system, score in systems.items():
            started = time.time()
            results[system] = score(lib)
            cells = "  ".join(f"{j} {v:.3f}" for j, v in results[system].items())
            print(f"  {system:8s} {cells}  ({time.time() - started:.1f} s)")
        for system in systems:
            if system in ("mfcc", "teacher"):
                continue
            cells = "  ".join(f"{j} {results[system][j] / results['mfcc'][j]:.2f}x mfcc, "
                              f"{results[system][j] / results['teacher'][j]:.2f}x teacher" for j in lib.judgements)
            print(f"  {system:8s} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
