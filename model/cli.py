"""The `likewise train` and `likewise evaluate` subcommands (TensorFlow is imported only when one runs)."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

log = logging.getLogger("likewise")


def _has_gtzan(folder: Path) -> bool:
    if (folder / "manifest.csv").is_file() and (folder / "splits").is_dir():
        return True
    log.error("%s is not a GTZAN folder (it needs manifest.csv and splits/)", folder)
    return False


def _train(args: argparse.Namespace) -> int:
    from model.info import default_model_dir
    from model.train import default_cache_dir, run_training

    if not _has_gtzan(args.data):
        return 1
    run_training(args.data, args.out or default_model_dir(), cache_dir=default_cache_dir())
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from model.evaluate import evaluate
    from model.train import default_cache_dir

    if not _has_gtzan(args.data):
        return 1
    evaluate(args.data, args.model, default_cache_dir())
    return 0


def register(subparsers) -> None:
    """Add `train` and `evaluate` to an argparse subparsers object; each sets `func(args) -> exit code`."""
    train = subparsers.add_parser(
        "train",
        help="train the genre CNN on GTZAN and save it as the app's model",
        description="Train the 1-D genre CNN on the GTZAN clips in DIR (artist-filtered splits): train on the "
        "train split, choose the number of epochs on valid, retrain on train + valid with that setting, and save "
        "weights, normalisation, embedding projection and model.json. The test split is never used. Log-mel "
        "features are cached under the repo's gitignored scratch/ folder. Takes a few minutes on 2 CPU cores.",
    )
    train.add_argument("--data", type=Path, required=True, metavar="DIR", help="GTZAN folder with manifest.csv and splits/")
    train.add_argument("--out", type=Path, default=None, metavar="DIR", help="model folder to write (default: assets/model)")
    train.set_defaults(func=_train)

    evaluate = subparsers.add_parser(
        "evaluate",
        help="score the model on the GTZAN test split next to an MFCC baseline",
        description="Slice-level and song-level (slices vote) accuracy and the song-level confusion matrix of the "
        "model on the GTZAN test split in DIR, and the same for an MFCC-statistics + logistic-regression baseline "
        "fitted in the same run on the non-test clips.",
    )
    evaluate.add_argument("--data", type=Path, required=True, metavar="DIR", help="GTZAN folder with manifest.csv and splits/")
    evaluate.add_argument("--model", type=Path, default=None, metavar="DIR", help="model folder (default: assets/model)")
    evaluate.set_defaults(func=_evaluate)
