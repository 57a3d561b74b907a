"""Training the genre CNN on GTZAN: random overlapping crops, gain and SpecAugment masks, genre cross-entropy plus
an auxiliary contrastive loss that pulls two crops of the same clip together; select on valid, then retrain."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from audio.features import DEFAULT_PARAMS, FeatureParams, cut_slices
from model import gtzan
from model.info import ARRAYS_FILE, MODEL_JSON, WEIGHTS_FILE
from model.evaluate import score
from model.metrics import grouped_song_vectors, precision_at_k
from model.network import NetConfig, build_network
from model.prep import band_stats, fit_projection, normalise, project
from model.tfsetup import import_tf

MODEL_FAMILY = "cnn1d-v2"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run. ANCESTOR reproduces the issue-8 baseline model."""

    net: NetConfig = field(default_factory=lambda: NetConfig(
        kernel=5, hidden=128, embedding_dim=64, embedding_activation=None, dropout=0.3, pooling="avgmax",
        weight_decay=1e-4))
    epochs: int = 30
    batch_clips: int = 32  # clips per batch; each gives `views` random crops
    views: int = 2
    crops_per_clip: int = 8  # crops of each clip per epoch (sets steps per epoch)
    learning_rate: float = 2e-3
    label_smoothing: float = 0.1
    balance: float = 0.5  # clip sampling weight = genre_count ** -balance
    gain_db: float = 6.0  # random level change; cancelled by `centre`, so it only matters with centre off
    time_mask: int = 24  # longest SpecAugment time mask (frames); 0 = none
    freq_mask: int = 16  # longest SpecAugment band mask; 0 = none
    band_shift: int = 2  # random shift of whole spectrum by up to this many mel bands (pitch jitter)
    contrastive_weight: float = 0.5
    temperature: float = 0.1
    centre: bool = True  # remove each slice's mean dB level before per-band normalisation
    fixed_slices: bool = False  # ancestor mode: fixed non-overlapping slices, class weights, no augmentation
    pca_dim: int = 32  # 0 = no projection
    whiten: bool = True
    seed: int = 1234


ANCESTOR = TrainConfig(
    net=NetConfig(), epochs=20, learning_rate=1e-3, label_smoothing=0.0, gain_db=0.0, time_mask=0, freq_mask=0,
    band_shift=0, contrastive_weight=0.0, centre=False, fixed_slices=True, pca_dim=0)


@dataclass
class Dataset:
    """Log-mel frames of clips with genre labels."""

    frames: list[np.ndarray]
    labels: np.ndarray
    keys: list[str]

    def subset(self, mask: np.ndarray) -> "Dataset":
        index = np.flatnonzero(mask)
        return Dataset([self.frames[i] for i in index], self.labels[index], [self.keys[i] for i in index])


def load_gtzan(data_dir: Path, cache_dir: Path | None, params: FeatureParams = DEFAULT_PARAMS) -> tuple[Dataset, list[str]]:
    """All GTZAN clips as a Dataset, and each clip's split name."""
    clips = gtzan.read_clips(data_dir)
    frames = gtzan.load_frames(clips, cache_dir, params)
    data = Dataset(frames, np.array([c.label for c in clips]), [c.key for c in clips])
    return data, [c.split for c in clips]


class SliceModel:
    """A Keras network with its input normalisation and embedding projection, usable before it is saved."""

    def __init__(self, network, mean: np.ndarray, std: np.ndarray, centre: bool,
                 proj_mean: np.ndarray | None = None, proj_matrix: np.ndarray | None = None):
        self.network, self.mean, self.std, self.centre = network, mean, std, centre
        self.proj_mean, self.proj_matrix = proj_mean, proj_matrix

    def raw(self, slices: np.ndarray, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """Penultimate-layer outputs and genre probabilities of raw dB slices."""
        embeddings, probs = [], []
        for start in range(0, len(slices), batch):
            x = normalise(slices[start : start + batch], self.mean, self.std, self.centre)
            e, p = self.network(x, training=False)
            embeddings.append(np.asarray(e))
            probs.append(np.asarray(p))
        return np.concatenate(embeddings), np.concatenate(probs)

    def embed(self, slices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """App embeddings (normalised, projected) and genre probabilities."""
        e, p = self.raw(slices)
        return project(e, self.proj_mean, self.proj_matrix), p


def score_songs(model: SliceModel, data: Dataset, params: FeatureParams = DEFAULT_PARAMS) -> dict[str, float]:
    """Slice and song accuracy and genre P@10 (the set itself as library) on non-overlapping slices."""
    slices = [cut_slices(f, params) for f in data.frames]
    starts = np.cumsum([0] + [len(s) for s in slices[:-1]])
    embeddings, probs = model.embed(np.concatenate(slices))
    accuracy = score("songs", np.split(probs, starts[1:]), data.labels)
    return {
        "slice_acc": accuracy.slice_acc,
        "song_acc": accuracy.song_acc,
        "p_at_10": precision_at_k(grouped_song_vectors(embeddings, starts), data.labels, 10),
    }


class _Batches:
    """Seeded batch generator: balanced clip sampling, random crops and augmentation, or fixed slices."""

    def __init__(self, data: Dataset, config: TrainConfig, mean: np.ndarray, std: np.ndarray, n_genres: int,
                 params: FeatureParams):
        self.data, self.config, self.mean, self.std = data, config, mean, std
        self.n_genres, self.size = n_genres, params.slice_frames
        self.rng = np.random.default_rng(config.seed)
        counts = np.bincount(data.labels, minlength=n_genres).astype(np.float64)
        if config.fixed_slices:
            cut = [cut_slices(f, params) for f in data.frames]
            self.slices = np.concatenate(cut)
            self.slice_labels = np.repeat(data.labels, [len(c) for c in cut])
            weights = len(data.labels) / (np.count_nonzero(counts) * np.maximum(counts, 1))
            self.slice_weights = weights[self.slice_labels].astype(np.float32)
        else:
            weights = np.maximum(counts, 1) ** -config.balance
            self.clip_p = weights[data.labels] / weights[data.labels].sum()

    def steps(self) -> int:
        if self.config.fixed_slices:
            return int(np.ceil(len(self.slices) / 32))
        return max(1, int(np.ceil(len(self.data.labels) * self.config.crops_per_clip / self.config.batch_clips)))

    def _targets(self, labels: np.ndarray) -> np.ndarray:
        smooth = self.config.label_smoothing
        return (np.eye(self.n_genres, dtype=np.float32)[labels] * (1 - smooth) + smooth / self.n_genres).astype(np.float32)

    def _crop(self, clip: int) -> np.ndarray:
        frames = self.data.frames[clip]
        start = self.rng.integers(0, len(frames) - self.size + 1)
        return frames[start : start + self.size]

    def _augment(self, x: np.ndarray) -> np.ndarray:
        c, rng = self.config, self.rng
        n, frames, bands = x.shape
        if c.gain_db:
            x = x + rng.uniform(-c.gain_db, c.gain_db, size=(n, 1, 1)).astype(np.float32)
        x = normalise(x, self.mean, self.std, c.centre)
        for i in range(n):
            if c.band_shift:
                shift = int(rng.integers(-c.band_shift, c.band_shift + 1))
                if shift:
                    x[i] = np.roll(x[i], shift, axis=1)
                    edge = slice(0, shift) if shift > 0 else slice(bands + shift, bands)
                    x[i][:, edge] = x[i][:, [shift if shift > 0 else bands + shift - 1]]
            if c.time_mask:
                width = int(rng.integers(0, c.time_mask + 1))
                start = int(rng.integers(0, frames - width + 1))
                x[i, start : start + width, :] = 0.0
            if c.freq_mask:
                width = int(rng.integers(0, c.freq_mask + 1))
                start = int(rng.integers(0, bands - width + 1))
                x[i, :, start : start + width] = 0.0
        return x

    def epoch(self):
        """Yield (inputs, targets, sample weights) for one epoch."""
        if self.config.fixed_slices:
            order = self.rng.permutation(len(self.slices))
            for start in range(0, len(order), 32):
                pick = order[start : start + 32]
                x = normalise(self.slices[pick], self.mean, self.std, self.config.centre)
                yield x, self._targets(self.slice_labels[pick]), self.slice_weights[pick]
            return
        for _ in range(self.steps()):
            clips = self.rng.choice(len(self.clip_p), size=self.config.batch_clips, replace=False, p=self.clip_p)
            views = [np.stack([self._crop(c) for c in clips]) for _ in range(self.config.views)]
            x = self._augment(np.concatenate(views))
            y = self._targets(np.tile(self.data.labels[clips], self.config.views))
            yield x, y, np.ones(len(y), dtype=np.float32)


def _make_step(network, optimizer, config: TrainConfig):
    tf = import_tf()
    import keras

    views, temperature, weight = config.views, config.temperature, config.contrastive_weight

    @tf.function(reduce_retracing=True)
    def step(x, y, w):
        with tf.GradientTape() as tape:
            embedding, probs = network(x, training=True)
            ce = keras.losses.categorical_crossentropy(y, probs)
            loss = tf.reduce_sum(ce * w) / tf.reduce_sum(w)
            if weight:
                z = tf.math.l2_normalize(embedding, axis=1)
                n = tf.shape(z)[0]
                per_view = n // views
                logits = tf.matmul(z, z, transpose_b=True) / temperature - tf.eye(n) * 1e9
                targets = (tf.range(n) + per_view) % n  # the other view of the same clip (views == 2)
                loss += weight * tf.reduce_mean(
                    keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True))
            if network.losses:
                loss += tf.add_n(network.losses)
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))
        return loss

    return step


def fit(train: Dataset, config: TrainConfig, n_genres: int, valid: Dataset | None = None, epochs: int | None = None,
        params: FeatureParams = DEFAULT_PARAMS, log: Callable[[str], None] = print) -> tuple[SliceModel, list[dict]]:
    """Train a network; with `valid`, score it after every epoch and return the best epoch's weights."""
    tf = import_tf()
    import keras

    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    mean, std = band_stats(train.frames, config.centre)
    network = build_network(config.net, params.n_mels, params.slice_frames, n_genres)
    batches = _Batches(train, config, mean, std, n_genres, params)
    total_steps = batches.steps() * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, total_steps, alpha=0.05)
    optimizer = keras.optimizers.Adam(schedule)
    step = _make_step(network, optimizer, config)
    model = SliceModel(network, mean, std, config.centre)
    history: list[dict] = []
    best, best_weights = -1.0, None
    for epoch in range(1, (epochs or config.epochs) + 1):
        started, losses = time.time(), []
        for x, y, w in batches.epoch():
            losses.append(float(step(tf.constant(x), tf.constant(y), tf.constant(w))))
        record = {"epoch": epoch, "loss": float(np.mean(losses)), "seconds": round(time.time() - started, 1)}
        if valid is not None:
            record.update({f"valid_{k}": v for k, v in score_songs(model, valid, params).items()})
            score = record["valid_song_acc"] + record["valid_p_at_10"]
            if score > best:
                best, best_weights = score, network.get_weights()
        history.append(record)
        log(json.dumps(record))
    if best_weights is not None:
        network.set_weights(best_weights)
    return model, history



def fit_projection_on(model: SliceModel, data: Dataset, config: TrainConfig, params: FeatureParams) -> None:
    """Fit the PCA projection of the embedding on the training clips' non-overlapping slices (in place)."""
    if not config.pca_dim:
        return
    raw, _ = model.raw(np.concatenate([cut_slices(f, params) for f in data.frames]))
    model.proj_mean, model.proj_matrix = fit_projection(raw, config.pca_dim, config.whiten)


def weights_digest(model: SliceModel) -> str:
    """sha256 over network weights, normalisation and projection: changes whenever any of them changes."""
    digest = hashlib.sha256()
    arrays = model.network.get_weights() + [model.mean, model.std]
    arrays += [model.proj_mean, model.proj_matrix] if model.proj_matrix is not None else []
    for array in arrays:
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    return digest.hexdigest()


def save_model(model: SliceModel, out_dir: Path, config: TrainConfig, params: FeatureParams, genres: list[str],
               training: dict) -> str:
    """Write model.keras, model.npz and model.json to out_dir; return the model id."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.network.save(out_dir / WEIGHTS_FILE)
    empty = np.zeros((0,), np.float32)
    np.savez(out_dir / ARRAYS_FILE, band_mean=model.mean, band_std=model.std,
             proj_mean=model.proj_mean if model.proj_matrix is not None else empty,
             proj_matrix=model.proj_matrix if model.proj_matrix is not None else empty)
    model_id = f"{MODEL_FAMILY}-{weights_digest(model)[:8]}"
    dim = model.proj_matrix.shape[1] if model.proj_matrix is not None else config.net.embedding_dim
    meta = {
        "model_id": model_id,
        "params": dataclasses.asdict(params),
        "genres": genres,
        "embedding_dim": int(dim),
        "centre": config.centre,
        "config": dataclasses.asdict(config),
        "training": training,
    }
    (out_dir / MODEL_JSON).write_text(json.dumps(meta, indent=2) + "\n")
    return model_id


def run_training(data_dir: Path, out_dir: Path, config: TrainConfig = TrainConfig(), cache_dir: Path | None = None,
                 params: FeatureParams = DEFAULT_PARAMS, log: Callable[[str], None] = print) -> str:
    """Train on train (+ unlisted clips), pick the epoch count on valid, retrain on train + valid, save; return id."""
    started = time.time()
    data, splits = load_gtzan(data_dir, cache_dir, params)
    splits = np.array(splits)
    train = data.subset((splits == "train") | (splits == gtzan.NO_SPLIT))
    valid = data.subset(splits == "valid")
    final = data.subset(splits != "test")
    log(f"train {len(train.labels)} clips, valid {len(valid.labels)}, final (train+valid) {len(final.labels)}")
    log("phase 1: train on train, score on valid")
    _, history = fit(train, config, len(gtzan.GENRES), valid, params=params, log=log)
    best = max(history, key=lambda r: r["valid_song_acc"] + r["valid_p_at_10"])
    log(f"best epoch on valid: {json.dumps(best)}")
    log(f"phase 2: retrain on train + valid for {best['epoch']} epochs")
    model, _ = fit(final, config, len(gtzan.GENRES), epochs=best["epoch"], params=params, log=log)
    fit_projection_on(model, final, config, params)
    counts = {g: int(n) for g, n in zip(gtzan.GENRES, np.bincount(final.labels, minlength=len(gtzan.GENRES)))}
    training = {"valid_best": best, "epochs": best["epoch"], "clips_per_genre": counts,
                "train_seconds": round(time.time() - started)}
    model_id = save_model(model, out_dir, config, params, gtzan.GENRES, training)
    log(f"saved {model_id} to {out_dir} after {training['train_seconds']} s")
    return model_id


def default_cache_dir() -> Path:
    """Feature cache under the repo's gitignored scratch/ (GTZAN-derived data never goes anywhere else)."""
    return Path(__file__).resolve().parent.parent / "scratch" / "cache"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Train the genre CNN (also: the issue-8 ancestor, for comparison).")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--config", choices=["shipped", "ancestor"], default="shipped")
    args = parser.parse_args()
    run_training(args.data, args.out, ANCESTOR if args.config == "ancestor" else TrainConfig(), default_cache_dir())
