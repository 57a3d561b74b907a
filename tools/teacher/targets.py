"""Teacher targets: musicnn's MSD_musicnn taggram (50 tags) and penultimate features on dense 3-s windows.

Runs in the teacher's own environment (tools/teacher/setup.sh), never in the app's. Reads a manifest of JSON lines
{"path", "start", "duration"} (the excerpts the student sees, as written by `model.teacher.write_manifest`) and writes
one .npz per excerpt into the cache folder, named by the sha256 of the file's bytes and the excerpt, so a changed
file gets new targets and an unchanged one is never recomputed:

    scratch/teacher-env/bin/python tools/teacher/targets.py MANIFEST CACHE_DIR [HOP_FRAMES]

HOP_FRAMES (default model.teacher.HOP_FRAMES) sets the windows' spacing: training needs dense windows, while the
benchmark's teacher baseline, which only averages them, can use 187 (no overlap).

Each .npz holds `tags` (windows, 50) sigmoid probabilities, `features` (windows, 200) the penultimate layer, and
`hop` (seconds between window starts); window w covers [w * hop, w * hop + 3 s) of the excerpt. Tags are
musicnn's MSD_LABELS, in order (model/teacher.py holds the same list, lower-cased).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()
from musicnn import configuration as config  # noqa: E402
from musicnn import models  # noqa: E402

from likewise.model.teacher import HOP_FRAMES, TEACHER, cache_name  # noqa: E402  (needs numpy and soundfile only)

WINDOW_FRAMES = 187  # 3 s at 16 kHz, hop 256: the input length musicnn was trained with
BATCH = 64


def mel_power(path: Path, start: float, duration: float) -> np.ndarray:
    """The excerpt's mel power (frames, bands) as musicnn's extractor computes it, before its log; float16 as there."""
    audio, sr = librosa.load(str(path), sr=config.SR, offset=start, duration=duration)
    return librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=config.FFT_HOP, n_fft=config.FFT_SIZE,
                                          n_mels=config.N_MELS).T.astype(np.float16)


def compress(mel: np.ndarray) -> np.ndarray:
    """musicnn's log compression of a mel power spectrogram: its own input."""
    return np.log10(10000 * mel.astype(np.float16) + 1)


def spectrogram(path: Path, start: float, duration: float) -> np.ndarray:
    """musicnn's own input, exactly as its extractor computes it, for the excerpt."""
    return compress(mel_power(path, start, duration))


class Teacher:
    """One TF1 session holding MSD_musicnn, restored from the weights inside the musicnn wheel."""

    def __init__(self) -> None:
        tf.compat.v1.reset_default_graph()
        with tf.name_scope("model"):
            self.x = tf.compat.v1.placeholder(tf.float32, [None, WINDOW_FRAMES, config.N_MELS])
            self.training = tf.compat.v1.placeholder(tf.bool)
            outputs = models.define_model(self.x, self.training, TEACHER, len(config.MSD_LABELS))
            self.tags, self.features = tf.nn.sigmoid(outputs[0]), outputs[-1]
        self.session = tf.compat.v1.Session()
        self.session.run(tf.compat.v1.global_variables_initializer())
        tf.compat.v1.train.Saver().restore(self.session, str(Path(models.__file__).parent / TEACHER) + "/")

    def __call__(self, spec: np.ndarray, hop_frames: int) -> tuple[np.ndarray, np.ndarray]:
        """Tags and features of the windows of a spectrogram, one every hop_frames."""
        starts = range(0, len(spec) - WINDOW_FRAMES + 1, hop_frames)
        return self.tag(np.stack([spec[s : s + WINDOW_FRAMES] for s in starts]).astype(np.float32))

    def tag(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Tags and features of (n, WINDOW_FRAMES, N_MELS) input windows, in batches."""
        tags, features = [], []
        for b in range(0, len(windows), BATCH):
            t, f = self.session.run([self.tags, self.features],
                                    feed_dict={self.x: windows[b : b + BATCH], self.training: False})
            tags.append(t)
            features.append(f)
        return np.concatenate(tags), np.concatenate(features)


def main(manifest: Path, cache_dir: Path, hop_frames: int = HOP_FRAMES) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    entries = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    teacher = None
    for number, entry in enumerate(entries, 1):
        path = Path(entry["path"])
        out = cache_dir / cache_name(path, entry["start"], entry["duration"], hop_frames)
        if out.exists():
            continue
        teacher = teacher or Teacher()
        spec = spectrogram(path, entry["start"], entry["duration"])
        if len(spec) < WINDOW_FRAMES:
            print(f"skipped (shorter than 3 s): {path}", file=sys.stderr)
            continue
        tags, features = teacher(spec, hop_frames)
        temporary = out.with_suffix(".tmp.npz")
        np.savez(temporary, tags=tags.astype(np.float16), features=features.astype(np.float16),
                 hop=np.float32(hop_frames * config.FFT_HOP / config.SR))
        os.replace(temporary, out)
        if number % 50 == 0:
            print(f"{number}/{len(entries)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), *[int(a) for a in sys.argv[3:]])
