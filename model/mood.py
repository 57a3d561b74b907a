"""Mood: where a song lies on the valence-arousal plane (each in [-1, 1]), from what its analysis computed anyway.

A 4-class logistic regression over Russell's quadrants reads a song's mean tag probabilities, its mean slice
embedding, or both (chosen on the 4Q valid split). Its quadrant probabilities give valence = P(Q1) + P(Q4) -
P(Q2) - P(Q3) and arousal = P(Q1) + P(Q2) - P(Q3) - P(Q4). The fitted arrays live in assets/model/mood.npz (plain
arrays, never a pickle) and are applied here with numpy. They belong to one embedding model: after a model change,
refit with `python -m likewise.model.mood fit --fourq ../shared/4q` (per-clip features are cached under scratch/mood/).
"""
from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.model.info import NP_LOAD_ERRORS, default_model_dir, read_model_info

log = logging.getLogger("likewise")

MOOD_FILE = "mood.npz"
REPORT_FILE = "MOOD.md"
VALENCE = np.array([1.0, -1.0, -1.0, 1.0])  # sign of valence in Q1..Q4
AROUSAL = np.array([1.0, 1.0, -1.0, -1.0])
INPUTS = {"tags": "tag probabilities", "embedding": "slice embedding", "both": "tag probabilities and slice embedding"}
STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # inverse L2 penalties tried on valid
REPO = Path(__file__).resolve().parents[1]
FEATURE_CACHE = REPO / "scratch" / "mood"


def mood_input(tag_probs: np.ndarray, embedding: np.ndarray, kind: str) -> np.ndarray:
    """(songs, d) classifier input: mean tag probabilities, mean embedding, or both side by side."""
    parts = {"tags": [tag_probs], "embedding": [embedding], "both": [tag_probs, embedding]}[kind]
    return np.concatenate([np.atleast_2d(np.asarray(part, np.float64)) for part in parts], axis=1)


def plane(quadrant_probs: np.ndarray) -> np.ndarray:
    """(songs, 4) quadrant probabilities -> (songs, 2) valence and arousal in [-1, 1]."""
    return np.clip(np.stack([quadrant_probs @ VALENCE, quadrant_probs @ AROUSAL], axis=1), -1.0, 1.0)


@dataclass
class MoodModel:
    """A fitted quadrant classifier: standardisation, then a softmax over Q1..Q4."""

    model_id: str  # the embedding model whose outputs it reads
    kind: str  # a key of INPUTS
    strength: float  # the inverse L2 penalty it was fitted with
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (4, d)
    intercept: np.ndarray  # (4,)

    def quadrant_probs(self, features: np.ndarray) -> np.ndarray:
        """(songs, d) inputs -> (songs, 4) quadrant probabilities."""
        logits = ((features - self.mean) / self.scale) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def can_read(self, tag_probs: np.ndarray, embedding: np.ndarray) -> bool:
        """Whether a song's mean tag probabilities and mean embedding are what it reads (a damaged store may hold
        others)."""
        return mood_input(tag_probs, embedding, self.kind).shape[1] == self.width

    def estimate(self, tag_probs: np.ndarray, embedding: np.ndarray) -> np.ndarray:
        """(songs, 2) valence and arousal of songs given their mean tag probabilities and mean embeddings."""
        return plane(self.quadrant_probs(mood_input(tag_probs, embedding, self.kind)))

    def save(self, path: Path) -> None:
        """Write the arrays to an .npz (no pickled objects)."""
        np.savez(path, model_id=np.array(self.model_id), kind=np.array(self.kind), strength=self.strength,
                 mean=self.mean, scale=self.scale, coef=self.coef, intercept=self.intercept)

    @property
    def width(self) -> int:
        """How many inputs it reads per song."""
        return self.coef.shape[1]

    @classmethod
    def load(cls, path: Path) -> "MoodModel":
        """Read what save() wrote; ValueError when its arrays do not make a quadrant classifier."""
        numbers = ("strength", "mean", "scale", "coef", "intercept")
        with np.load(path, allow_pickle=False) as arrays:
            if any(arrays[name].dtype.kind not in "iuf" for name in numbers):
                raise ValueError("its arrays are not all numbers")
            strength, mean, scale, coef, intercept = (np.asarray(arrays[name], np.float64) for name in numbers)
            model_id, kind = str(arrays["model_id"]), str(arrays["kind"])
        if kind not in INPUTS or strength.shape != () or coef.ndim != 2 or coef.shape[0] != 4:
            raise ValueError("its arrays are not a mood model")
        if mean.shape != (coef.shape[1],) or scale.shape != mean.shape or intercept.shape != (4,):
            raise ValueError("its arrays do not fit together")
        if not all(np.isfinite(part).all() for part in (mean, scale, coef, intercept)) or not np.all(scale > 0):
            raise ValueError("its arrays hold values that are not finite, or scales that are not positive")
        return cls(model_id, kind, float(strength), mean, scale, coef, intercept)


def load_mood(model_dir: Path | None = None) -> MoodModel | None:
    """The mood model fitted for the model in model_dir, or None (with a warning) when it has none for this model or
    its file cannot be read."""
    info = read_model_info(model_dir)
    path = info.model_dir / MOOD_FILE
    try:
        mood = MoodModel.load(path) if path.exists() else None
    except NP_LOAD_ERRORS as error:
        log.warning("no mood estimate: %s cannot be read (%s); songs are indexed without one", path, error)
        return None
    if mood is None or mood.model_id != info.model_id:
        log.warning("no mood estimate for model %s: run `python -m likewise.model.mood fit --fourq DIR`", info.model_id)
        return None
    widths = {"tags": len(info.tags), "embedding": info.embedding_dim}
    given = widths.get(mood.kind, sum(widths.values()))  # "both": side by side
    if mood.width != given:
        log.warning("no mood estimate: %s cannot be applied (it reads %d inputs per song, the model gives %d); songs "
                    "are indexed without one", path, mood.width, given)
        return None
    return mood


def fit_mood(features: np.ndarray, quadrants: np.ndarray, kind: str, strength: float, model_id: str) -> MoodModel:
    """Standardised, class-balanced multinomial logistic regression on (songs, d) inputs and quadrants 0..3."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-6
    classifier = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000)
    classifier.fit((features - mean) / scale, quadrants)
    return MoodModel(model_id, kind, strength, mean, scale, classifier.coef_, classifier.intercept_)


def mood_scores(quadrant_probs: np.ndarray, quadrants: np.ndarray) -> dict[str, float]:
    """Quadrant accuracy, valence- and arousal-sign accuracy, and Spearman rho of each axis with its true sign."""
    from scipy.stats import spearmanr

    estimate, truth = plane(quadrant_probs), np.stack([VALENCE[quadrants], AROUSAL[quadrants]], axis=1)
    return {"quadrant": float(np.mean(quadrant_probs.argmax(axis=1) == quadrants)),
            "valence_sign": float(np.mean(np.sign(estimate[:, 0]) == truth[:, 0])),
            "arousal_sign": float(np.mean(np.sign(estimate[:, 1]) == truth[:, 1])),
            "valence_rho": float(spearmanr(estimate[:, 0], truth[:, 0])[0]),
            "arousal_rho": float(spearmanr(estimate[:, 1], truth[:, 1])[0])}


@dataclass
class ClipFeatures:
    """What the app would compute for each 4Q clip, plus the MFCC-statistics baseline's input and the labels."""

    split: np.ndarray  # (clips,) "train", "valid" or "test"
    quadrant: np.ndarray  # (clips,) 0..3
    tags: np.ndarray  # (clips, tags) mean tag probabilities
    embedding: np.ndarray  # (clips, dim) mean slice embedding
    mfcc: np.ndarray  # (clips, 40)

    def where(self, split: str) -> "ClipFeatures":
        """The clips of one split."""
        keep = self.split == split
        return ClipFeatures(*(values[keep] for values in vars(self).values()))


def clip_features(fourq: Path, excerpts: Path, model_dir: Path | None = None) -> ClipFeatures:
    """Features of every 4Q clip with the model in model_dir, cached in scratch/mood/<model id>.npz."""
    from likewise.audio.features import cut_slices
    from likewise.model.baseline import mfcc_stats
    from likewise.model.corpus import fourq_clips
    from likewise.model.embedder import load_embedder
    from likewise.model.teacher import load_excerpt

    info = read_model_info(model_dir)
    clips = fourq_clips(fourq)
    cache = FEATURE_CACHE / f"{info.model_id}.npz"
    labels = {"split": np.array([clip.split for clip in clips]), "quadrant": np.array([c.quadrant for c in clips])}
    if cache.exists():
        with np.load(cache, allow_pickle=False) as stored:
            if list(stored["keys"]) == [clip.key for clip in clips]:
                return ClipFeatures(**labels, tags=stored["tags"], embedding=stored["embedding"], mfcc=stored["mfcc"])
    embedder = load_embedder(model_dir)
    tags, embedding, mfcc = [], [], []
    for number, clip in enumerate(clips, 1):
        frames = load_excerpt(clip, excerpts, info.params).frames
        vectors, probs = embedder.embed(cut_slices(frames, info.params))
        tags.append(probs.mean(axis=0))
        embedding.append(vectors.mean(axis=0))
        mfcc.append(mfcc_stats(frames))
        if number % 100 == 0:
            log.info("4Q features: %d of %d clips", number, len(clips))
    computed = {"tags": np.stack(tags), "embedding": np.stack(embedding), "mfcc": np.stack(mfcc)}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, keys=np.array([clip.key for clip in clips]), **computed)
    return ClipFeatures(**labels, **computed)


def select_mood(data: ClipFeatures, model_id: str) -> tuple[MoodModel, dict[str, float]]:
    """Fit every input kind and strength on train; keep the best on valid (quadrant accuracy, then arousal sign)."""
    train, valid = data.where("train"), data.where("valid")
    best: tuple[tuple[float, float], MoodModel, dict[str, float]] | None = None
    for kind in INPUTS:
        for strength in STRENGTHS:
            mood = fit_mood(mood_input(train.tags, train.embedding, kind), train.quadrant, kind, strength, model_id)
            scores = mood_scores(mood.quadrant_probs(mood_input(valid.tags, valid.embedding, kind)), valid.quadrant)
            log.info("valid %-9s C=%-5g %s", kind, strength, format_scores(scores))
            rank = (scores["quadrant"], scores["arousal_sign"])
            if best is None or rank > best[0]:
                best = (rank, mood, scores)
    return best[1], best[2]


def baseline_probs(data: ClipFeatures, split: str) -> np.ndarray:
    """Quadrant probabilities of the MFCC-statistics + logistic-regression baseline, fitted on train."""
    from likewise.model.baseline import fit_classifier

    train, target = data.where("train"), data.where(split)
    return fit_classifier(train.mfcc, train.quadrant).predict_proba(target.mfcc)


def format_scores(scores: dict[str, float]) -> str:
    """One line of scores, as in MOOD.md."""
    return ", ".join(f"{name} {value:.3f}" for name, value in scores.items())


def write_report(path: Path, mood: MoodModel, count: int, valid: dict[str, float], test: dict[str, float],
                 baseline: dict[str, float]) -> None:
    """MOOD.md beside mood.npz: data, method and figures."""
    path.write_text(
        f"# Mood estimate for model `{mood.model_id}`\n\n"
        f"- Data: 4Q (Panda et al. 2018), {count} clips, our artist-disjoint split; labels are quadrants only.\n"
        f"- Method: standardised 4-class logistic regression (class-balanced, C {mood.strength:g}) on the song's mean "
        f"{INPUTS[mood.kind]} (input and C chosen on valid);\n  valence = P(Q1)+P(Q4)-P(Q2)-P(Q3), "
        "arousal = P(Q1)+P(Q2)-P(Q3)-P(Q4).\n"
        f"- Valid: {format_scores(valid)}\n- Test: {format_scores(test)}\n"
        f"- Test, MFCC-statistics + logistic-regression baseline: {format_scores(baseline)}\n"
        "- Chance: quadrant 0.25, each sign 0.5.\n"
        "- Refit after a model change: `python -m likewise.model.mood fit --fourq ../shared/4q`.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m likewise.model.mood", description="fit the mood estimate on 4Q")
    parser.add_argument("command", choices=["fit"])
    parser.add_argument("--fourq", type=Path, required=True, help="the 4Q folder (metadata.csv)")
    parser.add_argument("--excerpts", type=Path, default=REPO / "scratch" / "cache", help="excerpt cache folder")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model_dir = args.model or default_model_dir()
    data = clip_features(args.fourq, args.excerpts, model_dir)
    mood, valid = select_mood(data, read_model_info(model_dir).model_id)
    test_set = data.where("test")
    test = mood_scores(mood.quadrant_probs(mood_input(test_set.tags, test_set.embedding, mood.kind)), test_set.quadrant)
    baseline = mood_scores(baseline_probs(data, "test"), test_set.quadrant)
    mood.save(Path(model_dir) / MOOD_FILE)
    write_report(Path(model_dir) / REPORT_FILE, mood, len(data.split), valid, test, baseline)
    log.info("chose %s; test %s; baseline %s", mood.kind, format_scores(test), format_scores(baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
