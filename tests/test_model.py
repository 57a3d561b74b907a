"""The shipped CNN: loading, embedding contract, the penultimate cut, determinism, teacher targets and a tiny training run."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from likewise.audio.features import DEFAULT_PARAMS
from likewise.model.info import default_model_dir, read_model_info

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def embedder():
    from likewise.model.embedder import load_embedder

    return load_embedder()


def _slices(n: int, seed: int = 0) -> np.ndarray:
    """Plausible raw log-mel dB slices: noise around -40 dB with a falling spectral tilt."""
    rng = np.random.default_rng(seed)
    tilt = np.linspace(0.0, -30.0, DEFAULT_PARAMS.n_mels, dtype=np.float32)
    return (rng.normal(-40.0, 8.0, (n, DEFAULT_PARAMS.slice_frames, DEFAULT_PARAMS.n_mels)) + tilt).astype(np.float32)


def test_loading_the_model_leaves_scipy_to_the_analysis():
    """scipy.fft and scipy.sparse take 0.3 s to import: a query that only loads the model must not pay it."""
    code = ("import sys; from likewise.model.embedder import load_embedder; load_embedder(); "
            "print(sorted(m for m in ('scipy.fft', 'scipy.sparse') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_info_reads_without_tensorflow():
    code = ("import sys; from model.info import read_model_info; import likewise.cli.commands.model; "
            "info = read_model_info(); assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules; "
            "print(info.model_id)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    info = read_model_info()
    assert result.stdout.strip() == info.model_id
    assert info.model_dir == default_model_dir()
    assert info.params == DEFAULT_PARAMS
    assert len(info.tags) == 50 and "electronic" in info.tags and 0 < info.embedding_dim <= 128


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _centre_as_text(path: Path) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), "centre": "false"}))


@pytest.mark.parametrize("name, damage", [("model.json", _truncate), ("model.json", _centre_as_text),
                                          ("model.npz", _truncate), ("model.tflite", _truncate)])
def test_a_damaged_model_file_is_one_line_that_names_it(tmp_path, name, damage):
    import shutil

    from likewise.audio.errors import LikewiseError
    from likewise.model.embedder import Embedder

    model_dir = tmp_path / "model"
    shutil.copytree(default_model_dir(), model_dir, ignore=shutil.ignore_patterns("model.keras", "*.md"))
    damage(model_dir / name)
    with pytest.raises(LikewiseError) as raised:
        Embedder(read_model_info(model_dir))
    assert str(model_dir / name) in str(raised.value) and "\n" not in str(raised.value)


def test_shipped_model_is_small_and_id_matches_weights(embedder):
    from likewise.model.train import SliceModel, weights_digest

    files = list(default_model_dir().iterdir())
    assert sum(f.stat().st_size for f in files) < 5_000_000
    assert (default_model_dir() / "MODEL.md").exists()
    meta = json.loads((default_model_dir() / "model.json").read_text())
    assert meta["model_id"].endswith(weights_digest(SliceModel.load(default_model_dir()))[:8])


@pytest.mark.parametrize("n", [0, 1, 7, 300])
def test_embed_shape_and_unit_norm(embedder, n):
    vectors, probs = embedder.embed(_slices(n))
    assert vectors.shape == (n, embedder.info.embedding_dim) and vectors.dtype == np.float32
    assert probs.shape == (n, len(embedder.info.tags)) and probs.dtype == np.float32
    if n:
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert np.all((probs >= 0) & (probs <= 1))  # independent tag probabilities (sigmoid), not one softmax


def test_same_input_same_embedding(embedder):
    slices = _slices(5, seed=3)
    first, _ = embedder.embed(slices)
    again, _ = embedder.embed(slices)
    batched, _ = embedder.embed(np.concatenate([_slices(260, seed=4), slices]))
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, batched[-5:], atol=1e-5)


def _demo_slices(songs: int = 1) -> np.ndarray:
    """Log-mel slices of real songs from the demo library, cut as the app cuts them."""
    from likewise.assets import DEMO_DIR
    from likewise.audio.decode import decode_excerpt
    from likewise.audio.features import cut_slices, log_mel

    return np.concatenate([cut_slices(log_mel(decode_excerpt(song, DEFAULT_PARAMS).samples))
                           for song in sorted(DEMO_DIR.rglob("*.mp3"))[:songs]])


# LiteRT's int8 weights against Keras's float32 ones, on the shipped model: slice vectors at cosine 0.9987 or more,
# tag probabilities within 0.012 (20 demo songs); float32 weights retrieve the same on valid (see the model card).
QUANTISED_MIN_COSINE = 0.998
QUANTISED_ATOL = 0.02


def _assert_runs_int8_weights_like_keras(info, slices: np.ndarray) -> None:
    """model.tflite stores its layers' weights as int8, and its outputs stay close to model.keras's."""
    from ai_edge_litert.interpreter import Interpreter

    from likewise.model.embedder import Embedder
    from likewise.model.info import TFLITE_FILE

    tensors = Interpreter(model_path=str(info.model_dir / TFLITE_FILE)).get_tensor_details()
    assert sum(tensor["dtype"] == np.int8 for tensor in tensors) >= 5  # every conv and dense layer's weights
    vectors, probs = Embedder(info).embed(slices)
    keras_vectors, keras_probs = Embedder(info, runtime="keras").embed(slices)
    assert np.sum(vectors * keras_vectors, axis=1).min() >= QUANTISED_MIN_COSINE  # unit vectors: the search's view
    np.testing.assert_allclose(probs, keras_probs, atol=QUANTISED_ATOL)


def test_litert_runs_the_shipped_keras_model_on_real_audio(embedder):
    slices = _demo_slices(songs=20)
    assert embedder.runtime == "litert" and len(slices) >= 5
    _assert_runs_int8_weights_like_keras(embedder.info, slices)


def test_litert_embedding_never_imports_tensorflow(tmp_path):
    code = ("import sys, numpy as np; from model.embedder import load_embedder; "
            "vectors, _ = load_embedder().embed(np.full((3, 128, 128), -40.0, np.float32)); "
            "print(vectors.shape, sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("[]"), result.stdout
    assert result.stderr == ""  # LiteRT's notice about its CPU delegate would land in every CLI command's output


def test_keras_runtime_writes_nothing_into_home(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    code = ("import numpy as np; from model.embedder import Embedder; from model.info import read_model_info; "
            "Embedder(read_model_info(), runtime='keras').embed(np.zeros((1, 128, 128), np.float32))")
    env = {**os.environ, "HOME": str(home), "LIKEWISE_DATA_DIR": str(data)}
    env.pop("KERAS_HOME", None)
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert list(home.iterdir()) == []


def test_embedding_is_the_layer_before_the_heads(embedder):
    import keras

    from likewise.model.network import EMBEDDING_LAYER, GENRE_LAYER, TAG_LAYER

    network = keras.saving.load_model(default_model_dir() / "model.keras", compile=False)
    for name, activation in ((TAG_LAYER, "sigmoid"), (GENRE_LAYER, "softmax")):
        head = network.get_layer(name)
        assert isinstance(head, keras.layers.Dense) and head.activation.__name__ == activation
        # only a dropout (identity at inference) and a ReLU sit between the embedding layer and each head
        dropout = head.input._keras_history.operation
        assert isinstance(dropout, keras.layers.Dropout)
        relu = dropout.input._keras_history.operation
        assert isinstance(relu, keras.layers.Activation) and relu.activation.__name__ == "relu"
        assert relu.input._keras_history.operation is network.get_layer(EMBEDDING_LAYER)
    assert network.outputs[0]._keras_history.operation is network.get_layer(EMBEDDING_LAYER)


def _write_clips(root: Path) -> None:
    """A fake GTZAN folder: 3 genres of synthetic tones/noise, 4 s each, with manifest and splits."""
    import soundfile

    rate = DEFAULT_PARAMS.sample_rate
    t = np.arange(int(4 * rate)) / rate
    rng = np.random.default_rng(0)
    rows, splits = [], {"train": [], "valid": [], "test": []}
    for genre, kind in [("blues", "tone"), ("classical", "chord"), ("metal", "noise")]:
        (root / genre).mkdir(parents=True)
        for number in range(4):
            f0 = 110.0 * (1 + number)
            if kind == "tone":
                audio = 0.3 * np.sin(2 * np.pi * f0 * t)
            elif kind == "chord":
                audio = 0.1 * sum(np.sin(2 * np.pi * f0 * r * t) for r in (1, 1.25, 1.5))
            else:
                audio = 0.2 * rng.standard_normal(len(t))
            name = f"{genre}/{genre}.{number:05d}"
            soundfile.write(root / f"{name}.wav", audio.astype(np.float32), rate)
            rows.append(f"{genre},{number:05d},{name}.wav,{rate},{rate},4.0,0,synthetic,x")
            splits[["train", "train", "valid", "test"][number]].append(f"{name}.wav")
    header = "genre,number,file,source_sample_rate,sample_rate,duration_s,full_length,source_repo,source_path"
    (root / "manifest.csv").write_text("\n".join([header, *rows]) + "\n")
    (root / "splits").mkdir()
    for split, names in splits.items():
        (root / "splits" / f"{split}_filtered.txt").write_text("\n".join(names) + "\n")


def _write_teacher_targets(clips, cache_dir: Path, teacher_cache: Path) -> None:
    """Stand-in teacher outputs for synthetic clips: each genre lights one tag (the real teacher needs TF 2.15)."""
    from likewise.model.teacher import HOP_FRAMES, TAGS, cache_name, load_excerpt

    teacher_cache.mkdir(parents=True, exist_ok=True)
    for clip in clips:
        excerpt = load_excerpt(clip, cache_dir)
        windows = int((excerpt.duration - 3.0) / (HOP_FRAMES * 256 / 16000)) + 1
        tags = np.full((windows, len(TAGS)), 0.05, np.float32)
        tags[:, TAGS.index(("blues", "jazz", "metal")[clip.genre % 3])] = 0.9
        np.savez(teacher_cache / cache_name(clip.path, excerpt.start, excerpt.duration), tags=tags,
                 features=np.random.default_rng(clip.genre).normal(size=(windows, 200)).astype(np.float32),
                 hop=np.float32(HOP_FRAMES * 256 / 16000))


def test_teacher_windows_line_up_with_student_crops(tmp_path):
    from likewise.model import corpus
    from likewise.model.teacher import WINDOW_HOP, load_excerpts
    from likewise.model.train import make_examples

    _write_clips(tmp_path / "data")
    clips = corpus.gtzan_clips(tmp_path / "data")
    excerpts = load_excerpts(clips, tmp_path / "cache")
    assert make_examples(clips, excerpts, tmp_path / "teacher") == []  # nothing tagged yet: nothing to learn from
    _write_teacher_targets(clips, tmp_path / "cache", tmp_path / "teacher")
    examples = make_examples(clips, excerpts, tmp_path / "teacher")
    assert len(examples) == len(clips)
    for example in examples:
        seconds = example.starts * DEFAULT_PARAMS.hop_length / DEFAULT_PARAMS.sample_rate
        np.testing.assert_allclose(seconds, np.arange(len(seconds)) * WINDOW_HOP, atol=0.012)  # half a frame
        assert example.starts[-1] + DEFAULT_PARAMS.slice_frames <= len(example.frames)


def test_a_copy_at_another_speed_is_the_same_music_faster_and_higher():
    from likewise.model.teacher import speed_changed

    rate = DEFAULT_PARAMS.sample_rate
    tone = np.sin(2 * np.pi * 440.0 * np.arange(rate * 2) / rate).astype(np.float32)
    faster = speed_changed(tone, 1.06)
    assert abs(len(faster) - len(tone) / 1.06) <= 1
    spectrum = np.abs(np.fft.rfft(faster))
    assert abs(np.argmax(spectrum) * rate / len(faster) - 440.0 * 1.06) < 1.0  # a semitone up: 466 Hz
    assert len(speed_changed(tone, 0.94)) > len(tone)


def test_copies_of_a_clip_train_as_that_clip_with_their_own_teacher_tags(tmp_path):
    from likewise.model import corpus
    from likewise.model.teacher import load_excerpts, write_variant
    from likewise.model.train import _Batches, TrainConfig, make_examples

    _write_clips(tmp_path / "data")
    clips = [c for c in corpus.gtzan_clips(tmp_path / "data") if c.split == "train"][:3]
    copies = [write_variant(clip, 1.06, tmp_path / "variants") for clip in clips[:2]]
    assert corpus.variant_clips(clips, tmp_path / "variants") == copies  # found again by the training command
    assert copies[0].genre == clips[0].genre and copies[0].of == clips[0].key and copies[0].split == "train"
    everything = clips + copies
    excerpts = load_excerpts(everything, tmp_path / "cache")
    _write_teacher_targets(everything, tmp_path / "cache", tmp_path / "teacher")
    examples = make_examples(everything, excerpts, tmp_path / "teacher")
    assert [e.clip for e in examples] == clips  # the copies are no clips of their own
    assert [[v.clip for v in e.variants] for e in examples] == [[copies[0]], [copies[1]], []]
    assert len(examples[0].variants[0].frames) < len(examples[0].frames)  # faster: fewer frames
    config = TrainConfig(batch_clips=3, views=2)
    batches = _Batches(examples, None, config, np.zeros(128, np.float32), np.ones(128, np.float32),
                       np.zeros(200, np.float32), np.ones(200, np.float32), DEFAULT_PARAMS)
    drawn = [batches._version(0) for _ in range(200)]
    assert 60 < sum(v is examples[0].variants[0] for v in drawn) < 140  # the clip or its copy, equally likely


def _write_teacher_mixes(examples, mix_dir: Path, extra: list[tuple[str, int]] = ()) -> None:
    """A chunk of stand-in teacher mixes in tools/teacher/mixes.py's format: every pair of examples' first windows,
    plus `extra` (name, window) crops mixed with the first example."""
    from likewise.model.teacher import TAGS

    names = [e.teacher_name for e in examples] + [name for name, _ in extra]
    pairs = [(i, 0, j, 0) for i in range(len(examples)) for j in range(len(examples)) if i != j]
    pairs += [(len(examples) + k, window, 0, 0) for k, (_, window) in enumerate(extra)]
    a, wa, b, wb = (np.array(column) for column in zip(*pairs))
    mix_dir.mkdir(parents=True, exist_ok=True)
    np.savez(mix_dir / "mixes-0-000.npz", clips=np.array(names), a=a, wa=wa, b=b, wb=wb,
             weight=np.full(len(a), 0.5, np.float32), tags=np.full((len(a), len(TAGS)), 0.3, np.float16),
             features=np.zeros((len(a), 200), np.float16))


def test_a_mix_is_what_mixing_the_two_songs_audio_sounds_like():
    from likewise.audio.features import log_mel
    from likewise.model.teacher import mix_db, mix_power

    rng = np.random.default_rng(3)
    rate = DEFAULT_PARAMS.sample_rate
    low = np.convolve(rng.standard_normal(rate * 4), np.ones(16) / 16, mode="same")  # dark noise
    high = 0.05 * np.diff(rng.standard_normal(rate * 4 + 1))  # bright noise, much quieter
    a, b = log_mel(low), log_mel(high)
    level_a, level_b = (float(np.mean(10 ** (x / 10))) for x in (a, b))
    weight = 0.3
    audio = np.sqrt(weight / level_a) * low + np.sqrt((1 - weight) / level_b) * high
    expected = log_mel(audio) + 10 * np.log10(level_a**weight * level_b ** (1 - weight))
    assert np.median(np.abs(mix_db(a, b, weight) - expected)) < 1.0  # dB: a power mix, not an amplitude mix
    np.testing.assert_allclose(mix_db(a, b, 1.0), a, atol=1e-3)  # all of the first song is the first song
    power = 10 ** (a / 10)
    np.testing.assert_allclose(mix_power(power, 4 * power, 0.5), 2 * power, rtol=1e-6)  # the level in between


def test_mixes_name_their_songs_by_content_and_only_fitting_windows_are_used(tmp_path):
    from likewise.model import corpus
    from likewise.model.teacher import load_excerpts, load_mixes
    from likewise.model.train import make_examples, mix_examples

    _write_clips(tmp_path / "data")
    clips = corpus.gtzan_clips(tmp_path / "data")[:3]
    excerpts = load_excerpts(clips, tmp_path / "cache")
    _write_teacher_targets(clips, tmp_path / "cache", tmp_path / "teacher")
    examples = make_examples(clips, excerpts, tmp_path / "teacher")
    assert len(load_mixes(tmp_path / "nothing")) == 0
    _write_teacher_mixes(examples, tmp_path / "mixes", extra=[("a-changed-file.npz", 0),
                                                               (examples[1].teacher_name, 999)])
    mixes = load_mixes(tmp_path / "mixes")
    assert len(mixes.a) == 6 + 2
    usable = mix_examples(examples, mixes)
    assert len(usable) == 6  # not the song that is no example, nor a window past the end of its excerpt
    assert set(zip(usable.a, usable.b)) == {(i, j) for i in range(3) for j in range(3) if i != j}


def test_teacher_cache_is_keyed_by_the_file_content(tmp_path):
    from likewise.model.teacher import cache_name

    song = tmp_path / "song.wav"
    song.write_bytes(b"RIFF one")
    first = cache_name(song, 0.0, 30.0)
    assert cache_name(song, 0.0, 30.0) == first and cache_name(song, 1.0, 30.0) != first
    song.write_bytes(b"RIFF two")
    assert cache_name(song, 0.0, 30.0) != first


def test_tiny_training_run_end_to_end(tmp_path):
    from likewise.model import corpus
    from likewise.model.embedder import Embedder
    from likewise.model.teacher import load_excerpts
    from likewise.model.train import TrainConfig, make_examples, mix_cache, run_training

    _write_clips(tmp_path / "data")
    clips = corpus.gtzan_clips(tmp_path / "data")
    with pytest.raises(ValueError, match="teacher"):
        run_training(clips, tmp_path / "model", tmp_path / "teacher", tmp_path / "cache", log=lambda line: None)
    _write_teacher_targets(clips, tmp_path / "cache", tmp_path / "teacher")
    examples = make_examples(clips, load_excerpts(clips, tmp_path / "cache"), tmp_path / "teacher")
    _write_teacher_mixes(examples, mix_cache(tmp_path / "teacher"))
    config = dataclasses.replace(TrainConfig(), epochs=1, batch_clips=4, crops_per_clip=1, mixes_per_batch=3)
    lines: list[str] = []
    model_id = run_training(clips, tmp_path / "model", tmp_path / "teacher", tmp_path / "cache", config,
                            log=lines.append)
    assert int(next(line for line in lines if "teacher-tagged mixes" in line).split()[0]) > 0  # learnt from mixes
    info = read_model_info(tmp_path / "model")
    assert info.model_id == model_id and info.embedding_dim == 50  # the projection onto the tag space, one dimension per tag
    assert (tmp_path / "model" / "model.tflite").exists()  # save_model converts what the app runs
    vectors, probs = Embedder(info).embed(_slices(3))
    assert vectors.shape == (3, 50) and probs.shape == (3, 50)
    _assert_runs_int8_weights_like_keras(info, _slices(3))


def test_train_and_evaluate_refuse_a_folder_that_is_not_gtzan(tmp_path, capsys) -> None:
    from likewise.cli.main import main

    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "model")]) == 1
    assert main(["evaluate", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("is not a GTZAN folder") == 2
    assert not (tmp_path / "model").exists()


def test_the_weight_average_follows_the_weights_slowly():
    import keras

    from likewise.model.train import _WeightAverage

    network = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
    network.set_weights([np.zeros((2, 1), np.float32)])
    average = _WeightAverage(network, decay=0.99)
    network.set_weights([np.ones((2, 1), np.float32)])
    average.update()  # the first update uses decay 2/11: mostly the new weights already
    np.testing.assert_allclose(average.weights()[0], 9 / 11, rtol=1e-6)
    with average.applied():  # what fit evaluates and keeps
        np.testing.assert_allclose(network.get_weights()[0], 9 / 11, rtol=1e-6)
    np.testing.assert_allclose(network.get_weights()[0], 1.0)
    for _ in range(3000):
        average.update()
    np.testing.assert_allclose(average.weights()[0], 1.0, atol=1e-3)
    np.testing.assert_allclose(network.get_weights()[0], 1.0)  # the network itself is left alone


def test_the_epoch_is_chosen_by_what_the_app_retrieves_with():
    """The app's vectors are the embedding projected onto the tag space, so an epoch whose tag head retrieves better
    wins over one whose raw embedding does (the raw embedding chose worse epochs for the app on valid)."""
    from likewise.model.train import selection_score

    raw_better = {"4q_genre_p10": 0.35, "4q_tags_genre_p10": 0.35, "gtzan_song_acc": 0.60}
    tags_better = {"4q_genre_p10": 0.33, "4q_tags_genre_p10": 0.38, "gtzan_song_acc": 0.60}
    assert selection_score(tags_better) > selection_score(raw_better)
    assert selection_score({**tags_better, "gtzan_song_acc": 0.65}) > selection_score(tags_better)


def test_the_tag_profile_loss_asks_how_tags_rank_not_how_sure_the_student_is():
    """The profile term compares which tags rank above which (a softmax over the tag logits): a student whose logits
    are all shifted alike has the teacher's profile (binary cross-entropy still pulls it back), and one that swaps
    two tags does not."""
    import keras

    from likewise.model.train import tag_profile_divergence

    rng = np.random.default_rng(0)
    teacher = rng.uniform(0.01, 0.3, (8, 50)).astype(np.float32)
    teacher[:, 0], teacher[:, 1] = 0.9, 0.02
    logits = np.log(teacher / (1 - teacher))
    shifted = (1 / (1 + np.exp(-(logits + 1.5)))).astype(np.float32)
    swapped = teacher[:, [1, 0, *range(2, 50)]]
    assert float(tag_profile_divergence(teacher, teacher)) == pytest.approx(0.0, abs=1e-6)
    assert float(tag_profile_divergence(teacher, shifted)) == pytest.approx(0.0, abs=1e-5)
    assert float(np.mean(keras.losses.binary_crossentropy(teacher, shifted))) > \
        float(np.mean(keras.losses.binary_crossentropy(teacher, teacher))) + 0.05
    assert float(tag_profile_divergence(teacher, swapped)) > 0.05


def test_the_app_vectors_read_the_tag_space_off_the_embedding():
    """The projection fitted after training maps the penultimate layer onto the tags' probabilities (the space in
    which the teacher's taggrams retrieve best) and their logits (which tell songs of one style apart), equally, in
    one dimension per tag: the app's vectors compare as that tag space compares, not as either half alone."""
    from likewise.model.network import EMBEDDING_LAYER, TAG_LAYER
    from likewise.model.prep import l2_normalise, project, tag_space
    from likewise.model.train import Example, SliceModel, TrainConfig, fit_projection_on

    model = SliceModel.load(default_model_dir())
    slices = _demo_slices(songs=20)  # about 200 slices
    examples = [Example(None, frames, np.zeros(0, np.int64), np.zeros((0, 50)), np.zeros((0, 200)), "")
                for frames in slices]
    fit_projection_on(model, examples, TrainConfig(), DEFAULT_PARAMS)
    outputs = model.outputs(slices)
    vectors = project(outputs[EMBEDDING_LAYER], model.proj_mean, model.proj_matrix)
    assert vectors.shape == (len(slices), 50)
    space = tag_space(outputs[TAG_LAYER])  # probabilities, then logits, each centred and scaled alike
    halves = {"probabilities": space[:, :50], "logits": space[:, 50:], "both": space}
    upper = np.triu_indices(len(slices), 1)

    def agreement(target: np.ndarray) -> float:
        """How alike the app's cosine similarities between slices are to the target's."""
        target = l2_normalise(target)
        return float(np.corrcoef((vectors @ vectors.T)[upper], (target @ target.T)[upper])[0, 1])

    assert agreement(halves["both"]) > 0.95  # 0.977 with the shipped model; 0.951 for either half
    assert agreement(halves["both"]) > max(agreement(halves["probabilities"]), agreement(halves["logits"])) + 0.015
