"""Write the teacher's manifest: the excerpts of every training clip (decoded as the app decodes them, cached).

Runs in the project's environment:

    .venv/bin/python tools/teacher/manifest.py --data ../shared/gtzan --fourq ../shared/4q --debian DIR -o scratch/train.jsonl

then, in the teacher's: `scratch/teacher-env/bin/python tools/teacher/targets.py scratch/train.jsonl scratch/teacher-cache`.
Only train-split and train-only clips are listed (valid and test are never tagged for training; the quality
benchmark tags the held-out songs it needs itself).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from likewise.model import corpus, gtzan  # noqa: E402
from likewise.model.teacher import load_excerpts, write_manifest  # noqa: E402
from likewise.model.train import default_cache_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the GTZAN folder")
    parser.add_argument("--fourq", type=Path, help="the 4Q folder")
    parser.add_argument("--debian", type=Path, help="a folder of unpacked Debian music packages")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the manifest to write (JSON lines)")
    args = parser.parse_args()
    clips = corpus.gtzan_clips(args.data)
    clips += corpus.fourq_clips(args.fourq) if args.fourq else []
    clips += corpus.debian_clips(args.debian) if args.debian else []
    train = [clip for clip in clips if clip.split in ("train", gtzan.NO_SPLIT)]
    write_manifest(train, load_excerpts(train, default_cache_dir()), args.out)
    print(f"{len(train)} excerpts listed in {args.out}")


if __name__ == "__main__":
    main()
