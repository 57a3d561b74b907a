"""Held-out evaluation on the GTZAN test split: the shipped CNN and an MFCC-statistics baseline, in one run."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from likewise.audio.features import cut_slices
from likewise.model import gtzan
from likewise.model.baseline import fit_classifier, mfcc_stats
from likewise.model.metrics import confusion, song_vote


@dataclass
class Scores:
    """Slice and song accuracy with the song-level confusion matrix (rows true, columns predicted)."""

    name: str
    slice_acc: float
    song_acc: float
    matrix: np.ndarray


def score(name: str, slice_probs: list[np.ndarray], labels: np.ndarray) -> Scores:
    """Scores from per-song arrays of slice probabilities."""
    slice_labels = np.concatenate([np.full(len(p), y) for p, y in zip(slice_probs, labels)])
    slice_pred = np.concatenate([p.argmax(axis=1) for p in slice_probs])
    song_pred = np.array([song_vote(p) for p in slice_probs])
    return Scores(name, float(np.mean(slice_pred == slice_labels)), float(np.mean(song_pred == labels)),
                  confusion(labels, song_pred, len(gtzan.GENRES)))


def format_scores(scores: Scores) -> str:
    """Readable summary: overall accuracies, per-genre correct/total, confusion matrix."""
    genres = gtzan.GENRES
    present = [i for i in range(len(genres)) if scores.matrix[i].sum()]
    lines = [f"{scores.name}: slice accuracy {scores.slice_acc:.3f}, song accuracy {scores.song_acc:.3f} "
             f"({int(np.trace(scores.matrix))}/{int(scores.matrix.sum())} songs)"]
    lines.append("  per genre (correct/songs): " + ", ".join(
        f"{genres[i]} {scores.matrix[i, i]}/{scores.matrix[i].sum()}" for i in present))
    lines.append("  confusion (rows true, columns predicted): " + " ".join(f"{g[:4]:>4s}" for g in genres))
    for i in present:
        lines.append(f"    {genres[i]:>9s} " + " ".join(f"{v:4d}" for v in scores.matrix[i]))
    return "\n".join(lines)


def evaluate(data_dir: Path, model_dir: Path | None, cache_dir: Path | None,
             log: Callable[[str], None] = print) -> tuple[Scores, Scores]:
    """Score the model and the MFCC + logistic-regression baseline (fitted on all non-test clips) on test."""
    from likewise.model.info import read_model_info
    from likewise.model.network import GENRE_LAYER
    from likewise.model.train import SliceModel

    clips = gtzan.read_clips(data_dir)
    frames = gtzan.load_frames(clips, cache_dir)
    test = [i for i, c in enumerate(clips) if c.split == "test"]
    fit_on = [i for i, c in enumerate(clips) if c.split != "test"]
    labels = np.array([c.label for c in clips])
    slices = {i: cut_slices(frames[i]) for i in test + fit_on}
    counts = np.bincount(labels[test], minlength=len(gtzan.GENRES))
    log(f"test split: {len(test)} songs: " + ", ".join(f"{g} {n}" for g, n in zip(gtzan.GENRES, counts) if n))

    info = read_model_info(model_dir)
    model = SliceModel.load(info.model_dir)
    log(f"model {info.model_id}")
    cnn = score("cnn", [model.outputs(slices[i])[GENRE_LAYER] for i in test], labels[test])

    def stats(i: int) -> np.ndarray:
        return np.stack([mfcc_stats(s) for s in slices[i]])

    train_x = np.concatenate([stats(i) for i in fit_on])
    train_y = np.concatenate([np.full(len(slices[i]), labels[i]) for i in fit_on])
    classifier = fit_classifier(train_x, train_y)
    baseline = score("mfcc+logreg", [classifier.predict_proba(stats(i)) for i in test], labels[test])
    for result in (cnn, baseline):
        log(format_scores(result))
    return cnn, baseline
