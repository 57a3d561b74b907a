"""Decoding the centred excerpt of the same MP3s with libsndfile and with FFmpeg through PyAV, in one run.

Which decoder reads what (the registry in audio/formats.py): libsndfile reads MP3, FLAC, Ogg Vorbis and Opus, WAV
and AIFF; PyAV reads what libsndfile cannot: MPEG-4 audio (AAC, ALAC: .m4a, .mp4, .aac), WMA, Monkey's Audio and
WavPack. Both go through the same excerpt reader (seek, mono mixdown and resampling block by block), so the times
compare the decoders alone. On 20 songs of 3-5 minutes, on a loaded 2-core machine, PyAV took 0.86x and 0.97x
libsndfile's time in two runs: no clear winner, so MP3 stays with libsndfile, whose handling of damaged and lying
MP3s (tests/corpus.py) is pinned down; PyAV says "Invalid data" where libsndfile names an unrecognised format.

The songs are bench_index's 3-5 minute MP3s made from the bundled demo excerpts (cached in --cache).

    python -m tests.bench.bench_decode [--songs 20] [--rounds 3] [--cache DIR]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from likewise.audio.decode import read_with
from likewise.audio.decoders import Decoder, PyAVSource, SoundfileSource
from likewise.audio.features import DEFAULT_PARAMS
from tests.bench.bench_index import make_library


def seconds_to_decode(decoder: Decoder, files: list[Path]) -> float:
    """Seconds to decode the centred excerpt of every file with `decoder`."""
    started = time.perf_counter()
    for path in files:
        read_with(decoder, path, DEFAULT_PARAMS)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many passes per decoder, interleaved")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "likewise-bench-library")
    args = parser.parse_args()
    files = make_library(args.cache / f"songs{args.songs}", args.songs, jobs=1)
    decoders = (SoundfileSource, PyAVSource)
    for decoder in decoders:  # warm up: imports, first file opened
        read_with(decoder, files[0], DEFAULT_PARAMS)
    best = {decoder.name: float("inf") for decoder in decoders}
    for _ in range(args.rounds):
        for decoder in decoders:
            best[decoder.name] = min(best[decoder.name], seconds_to_decode(decoder, files))
    for name, seconds in best.items():
        print(f"{name:>10}: {seconds:6.2f} s for {len(files)} excerpts ({1000 * seconds / len(files):.0f} ms each)")
    print(f"PyAV / libsndfile: {best['pyav'] / best['libsndfile']:.2f}x")


if __name__ == "__main__":
    main()
