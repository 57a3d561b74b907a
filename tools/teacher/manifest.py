"""Write the teacher's manifest: the excerpts of every training clip (decoded as the app decodes them, cached).

Runs in the project's environment:

    .venv/bin/python tools/teacher/manifest.py --data ../shared/gtzan --fourq ../shared/4q --debian DIR -o scratch/train.jsonl

then, in the teacher's: `scratch/teacher-env/bin/python tools/teacher/targets.py scratch/train.jsonl scratch/teacher-cache`.
Only train-split and train-only clips are listed (valid and test are never tagged for training; the quality
benchmark tags the held-out songs it needs itself).

With `--speed S` (repeatable) and `--variants DIR` it lists, instead, a copy of each excerpt played S times faster
(tempo and pitch together; 1.06 is about a semitone up), written once as a WAV into DIR/speed-S/: music that neither
the teacher nor the student has heard, which the teacher then tags itself, so both see the same augmented audio.
The copies hold GTZAN and 4Q audio: DIR must stay in the gitignored scratch/.
"""
from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from likewise.model import corpus, gtzan  # noqa: E402
from likewise.model.teacher import load_excerpts, write_manifest, write_variant  # noqa: E402
from likewise.model.train import default_cache_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the GTZAN folder")
    parser.add_argument("--fourq", type=Path, help="the 4Q folder")
    parser.add_argument("--debian", type=Path, help="a folder of unpacked Debian music packages")
    parser.add_argument("--speed", type=float, action="append", default=[], help="list copies at this speed instead")
    parser.add_argument("--variants", type=Path, help="where the copies go (inside scratch/)")
    parser.add_argument("-o", "--out", type=Path, required=True, help="the manifest to write (JSON lines)")
    args = parser.parse_args()
    if args.speed and args.variants is None:
        parser.error("--speed needs --variants DIR")
    clips = corpus.gtzan_clips(args.data)
    clips += corpus.fourq_clips(args.fourq) if args.fourq else []
    clips += corpus.debian_clips(args.debian) if args.debian else []
    train = [clip for clip in clips if clip.split in ("train", gtzan.NO_SPLIT)]
    if args.speed:
        with ThreadPoolExecutor(max_workers=2) as pool:
            train = list(pool.map(lambda job: write_variant(*job, args.variants),
                                  [(clip, speed) for speed in args.speed for clip in train]))
    write_manifest(train, load_excerpts(train, default_cache_dir()), args.out)
    print(f"{len(train)} excerpts listed in {args.out}")


if __name__ == "__main__":
    main()
