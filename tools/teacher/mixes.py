"""Teacher targets on mixes: musicnn's outputs on two training crops mixed together ("function matching").

The student learns most from the teacher where it sees inputs the plain clips do not hold. Mixing two 3-s crops
(in power, each scaled to the same mean power, the mix kept at their geometric-mean level) gives new music the
teacher can tag; the student sees the very same mix made from its own log-mel frames (`model.teacher.mix_db`).
Each mix is (clip a, window a, clip b, window b, weight of a) over the windows of the dense targets.

    scratch/teacher-env/bin/python tools/teacher/mixes.py MANIFEST CACHE_DIR COUNT [SEED]

writes CACHE_DIR/mixes-SEED-NNN.npz chunks of 1,024 mixes (resumable; a chunk is named by its seed and number):
`clips` (the teacher-cache names of the excerpts, so a changed file drops out), `a`, `wa`, `b`, `wb`, `weight`,
`tags` (n, 50), `features` (n, 200). Each excerpt's mel power is kept in CACHE_DIR/mel/ (float16) for reuse.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from likewise.model.teacher import HOP_FRAMES, MIX_CHUNK, cache_name, mix_power  # noqa: E402
from targets import WINDOW_FRAMES, Teacher, compress, mel_power  # noqa: E402


def stored_mel_power(path: Path, start: float, duration: float, store: Path) -> np.ndarray:
    """`targets.mel_power` of the excerpt, from (or into) the file `store`."""
    if store.exists():
        return np.load(store)
    mel = mel_power(path, start, duration)
    np.save(store.with_suffix(".tmp.npy"), mel)
    os.replace(store.with_suffix(".tmp.npy"), store)
    return mel


def main(manifest: Path, cache_dir: Path, count: int, seed: int = 0) -> None:
    entries = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    (cache_dir / "mel").mkdir(parents=True, exist_ok=True)
    names, mels = [], []
    started = time.time()
    for number, entry in enumerate(entries, 1):
        name = cache_name(Path(entry["path"]), entry["start"], entry["duration"], HOP_FRAMES)
        mel = stored_mel_power(Path(entry["path"]), entry["start"], entry["duration"],
                               cache_dir / "mel" / f"{name[:-4]}.npy")
        if len(mel) >= WINDOW_FRAMES:
            names.append(name)
            mels.append(mel)
        if number % 100 == 0:
            print(f"mel {number}/{len(entries)} {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    windows = np.array([(len(m) - WINDOW_FRAMES) // HOP_FRAMES + 1 for m in mels])
    teacher = Teacher()
    for chunk in range((count + MIX_CHUNK - 1) // MIX_CHUNK):
        out = cache_dir / f"mixes-{seed}-{chunk:03d}.npz"
        if out.exists():
            continue
        rng = np.random.default_rng([seed, chunk])
        a = rng.integers(0, len(mels), MIX_CHUNK)
        b = (a + rng.integers(1, len(mels), MIX_CHUNK)) % len(mels)
        wa, wb = (rng.integers(0, windows[i]) for i in (a, b))
        weight = rng.uniform(0.15, 0.85, MIX_CHUNK).astype(np.float32)
        x = np.stack([mix_power(mels[i][p * HOP_FRAMES : p * HOP_FRAMES + WINDOW_FRAMES].astype(np.float32),
                                mels[j][q * HOP_FRAMES : q * HOP_FRAMES + WINDOW_FRAMES].astype(np.float32), w)
                      for i, p, j, q, w in zip(a, wa, b, wb, weight)])
        tags, features = teacher.tag(compress(x).astype(np.float32))
        temporary = out.with_suffix(".tmp.npz")
        np.savez(temporary, clips=np.array(names), a=a, wa=wa, b=b, wb=wb, weight=weight,
                 tags=tags.astype(np.float16), features=features.astype(np.float16))
        os.replace(temporary, out)
        print(f"chunk {chunk + 1} {time.time() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), *[int(a) for a in sys.argv[3:]])
