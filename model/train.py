"""Training the 1-D CNN as a student of the musicnn tagger ("function matching"), on GTZAN, 4Q and free music.

Each step takes random 3-s crops that start where a teacher window starts, so the student sees the same music the
teacher tagged (tools/teacher/ computed those tags once, into a cache). The student's tag head matches the
teacher's 50 tag probabilities (binary cross-entropy) and their profile (a KL divergence between the softmax of the
teacher's 50 tag logits and the student's: which tags rank above which), and a feature head matches the teacher's
penultimate layer (mean squared error on standardised features); GTZAN clips add genre cross-entropy. Each crop
comes, equally likely, from the clip itself or from one of its speed-changed copies (tempo and pitch together),
which the teacher tagged itself (tools/teacher/manifest.py --speed): teacher and student see the same music, and
the student's input is not otherwise altered (consistent targets; gain only acts with `centre` off). The network
kept is a running average of the weights (`average_decay`), at the epoch chosen on valid (the tag head's 4Q genre
precision@10 plus GTZAN song accuracy); test is never used. Options off by default (see the model card's
runs): SpecAugment masks on the student's side only (`time_mask`, `freq_mask`) and a contrastive term between two
crops of a clip (`contrastive_weight`), both on before run X1, and crops of two clips mixed, tagged by the teacher
(`mixes_per_batch`, tools/teacher/mixes.py; no gain).

The app's slice vector is the penultimate layer under a linear projection fitted after training: a ridge map from
the L2-normalised embedding to the tag space (`prep.tag_space`: the tag head's probabilities and logits, each
centred and scaled alike) on the training slices, kept to one dimension per tag. The app then compares songs by the
tags that dominate them, as the teacher's taggrams retrieve, and by the faint ones that tell one style's songs
apart.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from likewise.audio.features import DEFAULT_PARAMS, FeatureParams, cut_slices
from likewise.model import gtzan
from likewise.model.corpus import Clip
from likewise.model.info import ARRAYS_FILE, MODEL_JSON, WEIGHTS_FILE, read_model_info
from likewise.model.metrics import grouped_song_vectors, precision_at_k, shared_label_relevance, song_vote
from likewise.model.network import EMBEDDING_LAYER, FEATURE_LAYER, GENRE_LAYER, TAG_LAYER, NetConfig, build_network
from likewise.model.prep import band_stats, fit_projection, normalise, project, tag_space
from likewise.model.teacher import TAGS, Excerpt, Mixes, load_excerpts, load_mixes, load_targets, mix_db
from likewise.model.tfsetup import import_tf

MODEL_FAMILY = "cnn1d-v3"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run."""

    net: NetConfig = field(default_factory=NetConfig)
    epochs: int = 240
    batch_clips: int = 64  # clips per batch; each gives `views` crops
    views: int = 2
    crops_per_clip: int = 4  # crops of each clip per epoch (sets steps per epoch)
    learning_rate: float = 2e-3
    gain_db: float = 6.0  # random level change; cancelled by `centre`, so it only matters with centre off
    time_mask: int = 0  # longest SpecAugment time mask (frames), student side only; 0 = none (16 before run X1)
    freq_mask: int = 0  # longest SpecAugment band mask, student side only; 0 = none (12 before run X1)
    tag_weight: float = 1.0
    profile_weight: float = 1.0  # KL between the teacher's and the student's tag profiles (softmax over tag logits)
    feature_weight: float = 0.5
    genre_weight: float = 0.3
    label_smoothing: float = 0.1
    contrastive_weight: float = 0.0  # NT-Xent between two crops of a clip (0.1 before run X1)
    mixes_per_batch: int = 0  # > 0: crops of two mixed clips added to each batch, tagged by the teacher (tried: no gain)
    average_decay: float = 0.998  # > 0: a running average of the weights (this decay per step) is evaluated and kept
    temperature: float = 0.1
    centre: bool = True  # remove each slice's mean dB level before per-band normalisation
    projection_ridge: float = 0.1  # ridge of the embedding -> tag-space projection (chosen on valid: 0.1, 1)
    seed: int = 1234


@dataclass
class Example:
    """A clip with its excerpt's frames and the teacher's outputs on the windows a student crop can start at."""

    clip: Clip
    frames: np.ndarray  # (frames, n_mels) dB
    starts: np.ndarray  # (W,) student frame at which teacher window w starts
    tags: np.ndarray  # (W, 50)
    features: np.ndarray  # (W, 200)
    teacher_name: str  # its teacher-cache name, by which mixes refer to it
    variants: list["Example"] = field(default_factory=list)  # speed-changed copies, each tagged by the teacher


def make_examples(clips: list[Clip], excerpts: list[Excerpt], teacher_cache: Path,
                  params: FeatureParams = DEFAULT_PARAMS) -> list[Example]:
    """Examples of the original clips the teacher tagged, each with the windows that fit inside its frames, and
    with the examples of its tagged copies (clips whose `of` names it)."""
    examples = _examples(clips, excerpts, teacher_cache, params)
    originals = {e.clip.key: e for e in examples if not e.clip.of}
    for example in examples:
        if example.clip.of in originals:
            originals[example.clip.of].variants.append(example)
    return list(originals.values())


def _examples(clips: list[Clip], excerpts: list[Excerpt], teacher_cache: Path,
              params: FeatureParams) -> list[Example]:
    examples = []
    for clip, excerpt in zip(clips, excerpts):
        targets = load_targets(clip, excerpt, teacher_cache)
        if targets is None:
            continue
        starts = np.rint(np.arange(len(targets.tags)) * targets.hop * params.sample_rate / params.hop_length)
        fits = starts + params.slice_frames <= len(excerpt.frames)
        if fits.any():
            examples.append(Example(clip, excerpt.frames, starts[fits].astype(np.int64), targets.tags[fits],
                                    targets.features[fits], targets.name))
    return examples


@dataclass
class MixExamples:
    """Teacher-tagged mixes of two training examples' windows, as indices into the examples."""

    a: np.ndarray
    wa: np.ndarray
    b: np.ndarray
    wb: np.ndarray
    weight: np.ndarray
    tags: np.ndarray
    features: np.ndarray

    def __len__(self) -> int:
        return len(self.a)


def mix_examples(examples: list[Example], mixes: Mixes) -> MixExamples:
    """The mixes whose two excerpts are both examples and whose windows both fit a student crop."""
    index = {e.teacher_name: i for i, e in enumerate(examples)}
    lookup = np.array([index.get(name, -1) for name in mixes.clips], dtype=np.int64)
    windows = np.array([len(e.starts) for e in examples] + [0])  # -1 (not an example) reads the 0 at the end
    a, b = lookup[mixes.a], lookup[mixes.b]
    keep = (a >= 0) & (b >= 0) & (mixes.wa < windows[a]) & (mixes.wb < windows[b])
    return MixExamples(a[keep], mixes.wa[keep], b[keep], mixes.wb[keep], mixes.weight[keep], mixes.tags[keep],
                       mixes.features[keep])


class SliceModel:
    """A Keras network with its input normalisation and embedding projection, usable before it is saved."""

    def __init__(self, network, mean: np.ndarray, std: np.ndarray, centre: bool,
                 proj_mean: np.ndarray | None = None, proj_matrix: np.ndarray | None = None):
        self.network, self.mean, self.std, self.centre = network, mean, std, centre
        self.proj_mean, self.proj_matrix = proj_mean, proj_matrix

    @classmethod
    def load(cls, model_dir: Path) -> "SliceModel":
        """A saved model, with every head (the app's Embedder keeps only the embedding and the tags)."""
        import_tf()
        import keras

        info = read_model_info(model_dir)
        with np.load(Path(model_dir) / ARRAYS_FILE) as arrays:
            projection = (arrays["proj_mean"], arrays["proj_matrix"]) if arrays["proj_matrix"].size else (None, None)
            mean, std = arrays["band_mean"], arrays["band_std"]
        network = keras.saving.load_model(Path(model_dir) / WEIGHTS_FILE, compile=False)
        return cls(network, mean, std, info.centre, *projection)

    def outputs(self, slices: np.ndarray, batch: int = 256) -> dict[str, np.ndarray]:
        """Every output of the network on raw dB slices."""
        parts: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(slices), batch):
            x = normalise(slices[start : start + batch], self.mean, self.std, self.centre)
            for name, value in self.network(x, training=False).items():
                parts.setdefault(name, []).append(np.asarray(value))
        return {name: np.concatenate(values) for name, values in parts.items()}

    def embed(self, slices: np.ndarray) -> np.ndarray:
        """App embeddings (normalised, projected)."""
        return project(self.outputs(slices)[EMBEDDING_LAYER], self.proj_mean, self.proj_matrix)


@dataclass
class Evaluation:
    """Held-out clips, cut as the app cuts them, with what each is scored against."""

    name: str
    slices: np.ndarray
    starts: np.ndarray  # first slice of each clip
    clips: list[Clip]

    @classmethod
    def of(cls, name: str, clips: list[Clip], excerpts: list[Excerpt], params: FeatureParams) -> "Evaluation":
        cut = [cut_slices(e.frames, params) for e in excerpts]
        return cls(name, np.concatenate(cut), np.cumsum([0] + [len(c) for c in cut[:-1]]), clips)


def retrieval_scores(vectors: np.ndarray, clips: list[Clip]) -> dict[str, float]:
    """P@10 of song vectors: shared AllMusic genre and same quadrant (4Q, same artist left out) or GTZAN genre."""
    if clips[0].source == "gtzan":
        return {"genre_p10": precision_at_k(vectors, np.array([c.genre for c in clips]), 10)}
    artists = np.array([c.artist for c in clips])
    same_artist = artists[:, None] == artists[None, :]
    return {
        "genre_p10": precision_at_k(vectors, shared_label_relevance([c.tags for c in clips]), 10, exclude=same_artist),
        "quadrant_p10": precision_at_k(vectors, np.array([c.quadrant for c in clips]), 10, exclude=same_artist),
    }


def evaluate_on(model: SliceModel, evaluation: Evaluation) -> dict[str, float]:
    """Retrieval of the embedding and of the tag head, and GTZAN song accuracy, on held-out clips."""
    out = model.outputs(evaluation.slices)
    scores = {f"{evaluation.name}_{k}": v for k, v in retrieval_scores(
        grouped_song_vectors(out[EMBEDDING_LAYER], evaluation.starts), evaluation.clips).items()}
    scores[f"{evaluation.name}_tags_genre_p10"] = retrieval_scores(
        grouped_song_vectors(out[TAG_LAYER], evaluation.starts), evaluation.clips)["genre_p10"]
    if evaluation.clips[0].source == "gtzan":
        votes = [song_vote(p) for p in np.split(out[GENRE_LAYER], evaluation.starts[1:])]
        scores[f"{evaluation.name}_song_acc"] = float(np.mean(np.array(votes) == [c.genre for c in evaluation.clips]))
    return scores


def selection_score(record: dict) -> float:
    """What the epoch is chosen by: 4Q valid genre P@10 of the tag head plus GTZAN valid song accuracy. The tag head,
    not the raw embedding: the app's vectors are the embedding projected onto the tag space, and on valid they
    follow the tag head's retrieval (an epoch chosen by the raw embedding's retrieved worse through the app)."""
    return record.get("4q_tags_genre_p10", 0.0) + record.get("gtzan_song_acc", 0.0)


class _Batches:
    """Seeded batches: clips drawn uniformly, crops at teacher windows, augmented student input."""

    def __init__(self, examples: list[Example], mixes: MixExamples, config: TrainConfig, mean: np.ndarray,
                 std: np.ndarray, feature_mean: np.ndarray, feature_std: np.ndarray, params: FeatureParams):
        self.examples, self.mixes, self.config, self.mean, self.std = examples, mixes, config, mean, std
        self.feature_mean, self.feature_std = feature_mean, feature_std
        self.size = params.slice_frames
        self.rng = np.random.default_rng(config.seed)

    def steps(self) -> int:
        return max(1, int(np.ceil(len(self.examples) * self.config.crops_per_clip / self.config.batch_clips)))

    def _augment(self, x: np.ndarray) -> np.ndarray:
        c, rng = self.config, self.rng
        n, frames, bands = x.shape
        if c.gain_db:
            x = x + rng.uniform(-c.gain_db, c.gain_db, size=(n, 1, 1)).astype(np.float32)
        x = normalise(x, self.mean, self.std, c.centre)
        for i in range(n):
            if c.time_mask:
                width = int(rng.integers(0, c.time_mask + 1))
                start = int(rng.integers(0, frames - width + 1))
                x[i, start : start + width, :] = 0.0
            if c.freq_mask:
                width = int(rng.integers(0, c.freq_mask + 1))
                start = int(rng.integers(0, bands - width + 1))
                x[i, :, start : start + width] = 0.0
        return x

    def _crop(self, example: Example, window: int) -> np.ndarray:
        start = example.starts[window]
        return example.frames[start : start + self.size]

    def _version(self, clip: int) -> Example:
        """The clip itself or one of its copies, equally likely."""
        example = self.examples[clip]
        pick = int(self.rng.integers(0, 1 + len(example.variants)))
        return example.variants[pick - 1] if pick else example

    def _view(self, clips: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        versions = [self._version(c) for c in clips]
        windows = [int(self.rng.integers(0, len(v.starts))) for v in versions]
        return (np.stack([self._crop(v, w) for v, w in zip(versions, windows)]),
                np.stack([v.tags[w] for v, w in zip(versions, windows)]),
                np.stack([v.features[w] for v, w in zip(versions, windows)]))

    def _mixed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = self.mixes
        chosen = self.rng.integers(0, len(m), size=min(self.config.mixes_per_batch, len(m)))
        crops = [mix_db(self._crop(self.examples[m.a[i]], m.wa[i]), self._crop(self.examples[m.b[i]], m.wb[i]),
                        float(m.weight[i])) for i in chosen]
        return np.stack(crops), m.tags[chosen], m.features[chosen]

    def epoch(self):
        """Yield (inputs, teacher tags, standardised teacher features, genre targets, genre weights, number of
        crops in the views) batches: `views` crops of each clip, then the teacher-tagged mixes (no genre)."""
        n_genres, smooth = len(gtzan.GENRES), self.config.label_smoothing
        for _ in range(self.steps()):
            clips = self.rng.choice(len(self.examples), size=min(self.config.batch_clips, len(self.examples)),
                                    replace=False)
            parts = [self._view(clips) for _ in range(self.config.views)]
            genres = np.tile([self.examples[c].clip.genre for c in clips], self.config.views)
            if self.config.mixes_per_batch and len(self.mixes):
                parts.append(self._mixed())
                genres = np.concatenate([genres, np.full(len(parts[-1][0]), -1)])
            x = self._augment(np.concatenate([p[0] for p in parts]))
            tags = np.concatenate([p[1] for p in parts])
            features = (np.concatenate([p[2] for p in parts]) - self.feature_mean) / self.feature_std
            onehot = np.eye(n_genres, dtype=np.float32)[np.maximum(genres, 0)] * (1 - smooth) + smooth / n_genres
            yield (x, tags, features.astype(np.float32), onehot.astype(np.float32), (genres >= 0).astype(np.float32),
                   np.int32(len(clips) * self.config.views))


class _WeightAverage:
    """An exponential moving average of every weight of the network (batch-norm statistics too), updated inside the
    training step; its early steps average over fewer steps (decay (1 + t) / (10 + t) until that reaches `decay`)."""

    def __init__(self, network, decay: float):
        tf = import_tf()
        self.network, self.decay = network, decay
        self.averages = [tf.Variable(variable.numpy(), trainable=False) for variable in network.weights]
        self.updates = tf.Variable(0.0, trainable=False)

    def update(self) -> None:
        """In the step: move every average toward the current weights."""
        tf = import_tf()
        self.updates.assign_add(1.0)
        decay = tf.minimum(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for average, variable in zip(self.averages, self.network.weights):
            average.assign(decay * average + (1.0 - decay) * variable.value)

    def weights(self) -> list[np.ndarray]:
        return [average.numpy() for average in self.averages]

    @contextmanager
    def applied(self) -> Iterator[None]:
        """The network holds the averaged weights inside the block, its own again after it."""
        own = self.network.get_weights()
        self.network.set_weights(self.weights())
        try:
            yield
        finally:
            self.network.set_weights(own)


def tag_profile_divergence(teacher, student):
    """Mean KL divergence from the teacher's tag profile to the student's, each window's 50 tag probabilities
    turned into a distribution by a softmax over their logits: 0 when the tags rank and space alike."""
    tf = import_tf()

    def log_profile(probabilities):
        p = tf.clip_by_value(probabilities, 1e-5, 1 - 1e-5)
        return tf.nn.log_softmax(tf.math.log(p / (1 - p)), axis=-1)

    target = log_profile(teacher)
    return tf.reduce_mean(tf.reduce_sum(tf.exp(target) * (target - log_profile(student)), axis=-1))


def _make_step(network, optimizer, config: TrainConfig, average: _WeightAverage | None = None):
    tf = import_tf()
    import keras

    views, temperature = config.views, config.temperature

    @tf.function(reduce_retracing=True)
    def step(x, tags, features, genres, genre_weights, pairs):
        with tf.GradientTape() as tape:
            out = network(x, training=True)
            loss = config.tag_weight * tf.reduce_mean(keras.losses.binary_crossentropy(tags, out[TAG_LAYER]))
            if config.profile_weight:
                loss += config.profile_weight * tag_profile_divergence(tags, out[TAG_LAYER])
            loss += config.feature_weight * tf.reduce_mean(tf.square(out[FEATURE_LAYER] - features))
            ce = keras.losses.categorical_crossentropy(genres, out[GENRE_LAYER])
            loss += config.genre_weight * tf.reduce_sum(ce * genre_weights) / tf.maximum(tf.reduce_sum(genre_weights), 1.0)
            if config.contrastive_weight:
                z = tf.math.l2_normalize(out[EMBEDDING_LAYER][:pairs], axis=1)
                n = tf.shape(z)[0]
                logits = tf.matmul(z, z, transpose_b=True) / temperature - tf.eye(n) * 1e9
                targets = (tf.range(n) + n // views) % n  # the other view of the same clip (views == 2)
                loss += config.contrastive_weight * tf.reduce_mean(
                    keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True))
            if network.losses:
                loss += tf.add_n(network.losses)
        grads = tape.gradient(loss, network.trainable_variables)
        optimizer.apply_gradients(zip(grads, network.trainable_variables))
        if average is not None:
            average.update()
        return loss

    return step


def fit(train: list[Example], config: TrainConfig, evaluations: list[Evaluation], params: FeatureParams = DEFAULT_PARAMS,
        log: Callable[[str], None] = print, mixes: Mixes | None = None) -> tuple[SliceModel, list[dict]]:
    """Train a student; score it on the evaluations after every epoch and keep the best epoch's weights."""
    tf = import_tf()
    import keras

    keras.utils.set_random_seed(config.seed)
    mean, std = band_stats([e.frames for e in train], config.centre)
    teacher_features = np.concatenate([e.features for e in train])
    feature_mean, feature_std = teacher_features.mean(axis=0), teacher_features.std(axis=0) + 1e-3
    network = build_network(config.net, params.n_mels, params.slice_frames, len(gtzan.GENRES), len(TAGS),
                            teacher_features.shape[1])
    mixed = mix_examples(train, mixes or Mixes.none())
    if config.mixes_per_batch:
        log(f"{len(mixed)} teacher-tagged mixes of them")
    batches = _Batches(train, mixed, config, mean, std, feature_mean, feature_std, params)
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, batches.steps() * config.epochs, alpha=0.05)
    average = _WeightAverage(network, config.average_decay) if config.average_decay else None
    step = _make_step(network, keras.optimizers.Adam(schedule), config, average)
    model = SliceModel(network, mean, std, config.centre)
    history: list[dict] = []
    best, best_weights = -1.0, None
    for epoch in range(1, config.epochs + 1):
        started, losses = time.time(), []
        for batch in batches.epoch():
            losses.append(float(step(*[tf.constant(part) for part in batch])))
        record = {"epoch": epoch, "loss": round(float(np.mean(losses)), 4), "seconds": round(time.time() - started, 1)}
        with average.applied() if average is not None else nullcontext():  # the average is evaluated and kept
            for evaluation in evaluations:
                record.update({k: round(v, 4) for k, v in evaluate_on(model, evaluation).items()})
            if selection_score(record) > best:
                best, best_weights = selection_score(record), network.get_weights()
        history.append(record)
        log(json.dumps(record))
    if best_weights is not None:
        network.set_weights(best_weights)
    return model, history


def fit_projection_on(model: SliceModel, examples: list[Example], config: TrainConfig, params: FeatureParams) -> None:
    """Fit the app's projection of the embedding onto the tag space (the tags' probabilities and logits, equally),
    on the training clips' slices (in place); the app's vectors keep one dimension per tag."""
    outputs = model.outputs(np.concatenate([cut_slices(e.frames, params) for e in examples]))
    model.proj_mean, model.proj_matrix = fit_projection(outputs[EMBEDDING_LAYER], tag_space(outputs[TAG_LAYER]),
                                                        config.projection_ridge, dim=len(TAGS))


def weights_digest(model: SliceModel) -> str:
    """sha256 over network weights, normalisation and projection: changes whenever any of them changes."""
    digest = hashlib.sha256()
    arrays = model.network.get_weights() + [model.mean, model.std]
    arrays += [model.proj_mean, model.proj_matrix] if model.proj_matrix is not None else []
    for array in arrays:
        digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
    return digest.hexdigest()


def save_model(model: SliceModel, out_dir: Path, config: TrainConfig, params: FeatureParams, training: dict) -> str:
    """Write model.keras, model.tflite (what the app runs), model.npz and model.json to out_dir; return the model id."""
    from likewise.model.export import export_tflite

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.network.save(out_dir / WEIGHTS_FILE)
    export_tflite(out_dir)
    empty = np.zeros((0,), np.float32)
    np.savez(out_dir / ARRAYS_FILE, band_mean=model.mean, band_std=model.std,
             proj_mean=model.proj_mean if model.proj_matrix is not None else empty,
             proj_matrix=model.proj_matrix if model.proj_matrix is not None else empty)
    model_id = f"{MODEL_FAMILY}-{weights_digest(model)[:8]}"
    dim = model.proj_matrix.shape[1] if model.proj_matrix is not None else config.net.embedding_dim
    meta = {
        "model_id": model_id,
        "params": dataclasses.asdict(params),
        "tags": TAGS,
        "genres": gtzan.GENRES,
        "embedding_dim": int(dim),
        "centre": config.centre,
        "config": dataclasses.asdict(config),
        "training": training,
    }
    (out_dir / MODEL_JSON).write_text(json.dumps(meta, indent=2) + "\n")
    return model_id


def run_training(clips: list[Clip], out_dir: Path, teacher_cache: Path, cache_dir: Path,
                 config: TrainConfig = TrainConfig(), params: FeatureParams = DEFAULT_PARAMS,
                 log: Callable[[str], None] = print) -> str:
    """Train on the train clips (and train-only "none"), choose the epoch on valid, save; return the model id."""
    started = time.time()
    usable = [c for c in clips if c.split != "test"]  # test clips are never decoded here
    excerpts = load_excerpts(usable, cache_dir, params)
    train_pairs = [(c, e) for c, e in zip(usable, excerpts) if c.split in ("train", gtzan.NO_SPLIT)]
    train = make_examples([c for c, _ in train_pairs], [e for _, e in train_pairs], teacher_cache, params)
    if not train:
        raise ValueError(f"no training clip has teacher targets in {teacher_cache}: run tools/teacher/targets.py")
    evaluations = []
    for source in ("4q", "gtzan"):
        pairs = [(c, e) for c, e in zip(usable, excerpts) if c.split == "valid" and c.source == source]
        if len(pairs) > 10:
            evaluations.append(Evaluation.of(source, [c for c, _ in pairs], [e for _, e in pairs], params))
    sources = {s: sum(e.clip.source == s for e in train) for s in sorted({e.clip.source for e in train})}
    copies = sum(len(e.variants) for e in train)
    log(f"train {len(train)} clips {sources} and {copies} copies; valid: "
        + ", ".join(f"{v.name} {len(v.clips)}" for v in evaluations))
    mixes = load_mixes(mix_cache(teacher_cache)) if config.mixes_per_batch else Mixes.none()
    model, history = fit(train, config, evaluations, params, log, mixes)
    best = max(history, key=selection_score)
    log(f"best epoch on valid: {json.dumps(best)}")
    fit_projection_on(model, train, config, params)
    training = {"valid_best": best, "train_clips": sources, "train_copies": copies,
                "train_seconds": round(time.time() - started)}
    model_id = save_model(model, out_dir, config, params, training)
    log(f"saved {model_id} to {out_dir} after {training['train_seconds']} s")
    return model_id


def default_cache_dir() -> Path:
    """Feature cache under the repo's gitignored scratch/ (data derived from GTZAN and 4Q never goes elsewhere)."""
    return Path(__file__).resolve().parent.parent / "scratch" / "cache"


def mix_cache(teacher_cache: Path) -> Path:
    """Where tools/teacher/mixes.py writes the teacher's outputs on mixes: inside the teacher cache."""
    return Path(teacher_cache) / "mixes"


def default_teacher_cache() -> Path:
    """Where tools/teacher/targets.py writes the teacher's outputs by default (gitignored)."""
    return Path(__file__).resolve().parent.parent / "scratch" / "teacher-cache"
