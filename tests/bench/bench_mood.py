"""Mood estimate on the 4Q test split (125 clips, 99 artists, none of them in train or valid), in one run:

- "mood": the shipped assets/model/mood.npz applied to the model's mean tag probabilities and embedding;
- "mfcc": 20 MFCC means + standard deviations, standardised 4-class logistic regression fitted on 4Q train;
- chance: 0.25 for the quadrant, 0.5 for each sign.

Scores: quadrant accuracy (argmax of the quadrant probabilities), valence- and arousal-sign accuracy, and
Spearman's rho between each estimated axis and the quadrant's sign on that axis. Goal: quadrant accuracy at least
1.2x the baseline's, arousal-sign accuracy at least 0.80.

Literature anchor: Panda et al. 2018 reach about 76 % F1 on 4Q with their best hand-made features under song-level
cross-validation. Ours is stricter and smaller: one artist-disjoint split (an artist's songs never sit on both
sides, which song-level folds allow), 680 training clips, a linear model on features learnt for genre, and the
clips re-encoded to mono 22 kHz at about 45 kbps; it is not directly comparable.

    .venv/bin/python tests/bench/bench_mood.py [--fourq ../shared/4q] [--excerpts scratch/cache]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from likewise.model.mood import baseline_probs, clip_features, format_scores, load_mood, mood_input, mood_scores  # noqa: E402

CHANCE = {"quadrant": 0.25, "valence_sign": 0.5, "arousal_sign": 0.5, "valence_rho": 0.0, "arousal_rho": 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fourq", type=Path, default=REPO.parent / "shared" / "4q")
    parser.add_argument("--excerpts", type=Path, default=REPO / "scratch" / "cache")
    args = parser.parse_args()
    mood = load_mood()
    if mood is None:
        return 1
    data = clip_features(args.fourq, args.excerpts)
    test = data.where("test")
    ours = mood_scores(mood.quadrant_probs(mood_input(test.tags, test.embedding, mood.kind)), test.quadrant)
    baseline = mood_scores(baseline_probs(data, "test"), test.quadrant)
    print(f"4Q test, {len(test.quadrant)} clips")
    for name, scores in (("mood", ours), ("mfcc", baseline), ("chance", CHANCE)):
        print(f"{name:7s} {format_scores(scores)}")
    ratio = ours["quadrant"] / baseline["quadrant"]
    print(f"quadrant accuracy {ratio:.2f}x the baseline's (goal 1.20x): {'met' if ratio >= 1.2 else 'not met'}; "
          f"arousal-sign accuracy {ours['arousal_sign']:.3f} (goal 0.80): "
          f"{'met' if ours['arousal_sign'] >= 0.8 else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
