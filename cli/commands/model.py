"""`likewise train` and `likewise evaluate`: make the model and score it (TensorFlow is imported only when one runs)."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from likewise.cli.library import Library
from likewise.cli.subcommand import Subcommand

log = logging.getLogger("likewise")


def _has_gtzan(folder: Path) -> bool:
    if (folder / "manifest.csv").is_file() and (folder / "splits").is_dir():
        return True
    log.error("%s is not a GTZAN folder (it needs manifest.csv and splits/)", folder)
    return False


def _train(_library: Library, args: argparse.Namespace) -> int:
    from likewise.model import corpus, gtzan
    from likewise.model.info import default_model_dir
    from likewise.model.train import default_cache_dir, default_teacher_cache, run_training

    if not _has_gtzan(args.data):
        return 1
    clips = corpus.gtzan_clips(args.data)
    if args.fourq is not None:
        clips += corpus.fourq_clips(args.fourq)
    if args.debian is not None:
        clips += corpus.debian_clips(args.debian)
    if args.variants is not None:
        clips += corpus.variant_clips([c for c in clips if c.split in ("train", gtzan.NO_SPLIT)], args.variants)
    try:
        run_training(clips, args.out or default_model_dir(), args.teacher_cache or default_teacher_cache(),
                     default_cache_dir())
    except ValueError as error:
        log.error("%s", error)
        return 1
    return 0


def _evaluate(_library: Library, args: argparse.Namespace) -> int:
    from likewise.model.evaluate import evaluate
    from likewise.model.train import default_cache_dir

    if not _has_gtzan(args.data):
        return 1
    evaluate(args.data, args.model, default_cache_dir())
    return 0


def _add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, metavar="DIR", help="GTZAN folder with manifest.csv and splits/")
    parser.add_argument("--fourq", type=Path, metavar="DIR", help="the 4Q folder with metadata.csv")
    parser.add_argument("--debian", type=Path, metavar="DIR", help="a folder of unpacked Debian music packages")
    parser.add_argument("--variants", type=Path, metavar="DIR",
                        help="speed-changed copies of the training clips (tools/teacher/manifest.py --speed)")
    parser.add_argument("--teacher-cache", type=Path, metavar="DIR",
                        help="the teacher's outputs (default: scratch/teacher-cache)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR", help="model folder to write (default: assets/model)")


def _add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, metavar="DIR", help="GTZAN folder with manifest.csv and splits/")
    parser.add_argument("--model", type=Path, default=None, metavar="DIR", help="model folder (default: assets/model)")


TRAIN = Subcommand(
    "train", help="train the CNN as a student of the musicnn tagger and save it as the app's model",
    description="Train the 1-D CNN to match the teacher's tags and features (computed beforehand by "
    "tools/teacher/targets.py) on the train splits of GTZAN (DIR), 4Q and unpacked Debian music, with GTZAN's "
    "genres as an extra target; choose the epoch on the valid splits and save weights, normalisation and "
    "model.json. The test splits are never used. Features are cached under the repo's gitignored scratch/.",
    add_arguments=_add_train_arguments, run=_train)

EVALUATE = Subcommand(
    "evaluate", help="score the model on the GTZAN test split next to an MFCC baseline",
    description="Slice-level and song-level (slices vote) accuracy and the song-level confusion matrix of the "
    "model on the GTZAN test split in DIR, and the same for an MFCC-statistics + logistic-regression baseline "
    "fitted in the same run on the non-test clips.",
    add_arguments=_add_evaluate_arguments, run=_evaluate)
