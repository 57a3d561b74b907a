"""Audio input: excerpt choice, decoding of each format, log-mel features, slicing and tags."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mutagen
import numpy as np
import pytest

from likewise.audio.decode import AudioError, decode_excerpt, excerpt_window
from likewise.audio.discover import walk_audio_files
from likewise.audio.features import DEFAULT_PARAMS, cut_slices, log_mel, slice_offsets
from likewise.audio.tags import read_tags, title_from_filename
from likewise.assets import DEMO_DIR
from tests.conftest import tone, write_audio

DEMO_SONG = sorted(DEMO_DIR.rglob("*.mp3"))[0]

P = DEFAULT_PARAMS


def test_excerpt_is_centred_in_long_songs_and_whole_in_short_ones() -> None:
    assert excerpt_window(200.0, 30.0) == (85.0, 30.0)
    assert excerpt_window(12.0, 30.0) == (0.0, 12.0)


@pytest.mark.parametrize("suffix", [".mp3", ".flac", ".ogg", ".wav"])
def test_each_format_decodes_to_mono_at_model_rate(tmp_path: Path, suffix: str) -> None:
    path = write_audio(tmp_path / f"song{suffix}", tone(8.0, rate=44100, channels=2), rate=44100)
    excerpt = decode_excerpt(path, P)
    assert excerpt.samples.ndim == 1 and excerpt.samples.dtype == np.float32
    assert abs(len(excerpt.samples) / P.sample_rate - 8.0) < 0.2
    assert excerpt.start == 0.0


def test_long_song_decodes_only_the_centred_excerpt(tmp_path: Path) -> None:
    rate = 22050
    # 90 s: first third silent, middle third a tone, last third silent; the centred 30 s is the tone.
    samples = np.concatenate([np.zeros(30 * rate), tone(30.0, noise=0.0), np.zeros(30 * rate)]).astype(np.float32)
    path = write_audio(tmp_path / "long.flac", samples, rate=rate)
    excerpt = decode_excerpt(path, P)
    assert excerpt.start == pytest.approx(30.0, abs=0.01)
    assert len(excerpt.samples) == pytest.approx(30 * P.sample_rate, abs=2)
    assert np.abs(excerpt.samples).min() < 0.5 and np.abs(excerpt.samples[1000:-1000]).max() > 0.3
    assert excerpt.song_duration == pytest.approx(90.0, abs=0.01)


def test_too_short_for_one_slice_is_rejected_with_reason(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "blip.wav", tone(1.0))
    with pytest.raises(AudioError, match="too short: 1.0 s"):
        decode_excerpt(path, P)


def test_song_shorter_than_excerpt_is_used_whole(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "short.mp3", tone(10.0))
    excerpt = decode_excerpt(path, P)
    slices = cut_slices(log_mel(excerpt.samples, P), P)
    assert len(slices) == 3  # 10 s holds three whole 2.97 s slices


def test_log_mel_is_log_compressed_with_model_shape() -> None:
    quiet, loud = tone(5.0, noise=0.0) * 0.01, tone(5.0, noise=0.0)
    mel_quiet, mel_loud = log_mel(quiet, P), log_mel(loud, P)
    assert mel_loud.shape[1] == P.n_mels and mel_loud.dtype == np.float32
    # A 40 dB gain change shifts a log spectrogram by 40 dB; a linear one would scale by 10,000.
    band = int(np.argmax(mel_loud.mean(axis=0)))
    assert mel_loud[:, band].mean() - mel_quiet[:, band].mean() == pytest.approx(40.0, abs=0.5)


def test_log_mel_equals_librosas_mel_spectrogram_on_real_music() -> None:
    import librosa

    params = DEFAULT_PARAMS
    samples = decode_excerpt(DEMO_SONG, params).samples
    power = librosa.feature.melspectrogram(y=samples, sr=params.sample_rate, n_fft=params.n_fft,
                                           hop_length=params.hop_length, n_mels=params.n_mels, fmin=params.fmin,
                                           fmax=params.fmax, power=2, center=False)
    expected = (10.0 * np.log10(np.maximum(power, params.log_amin))).T
    assert log_mel(samples).shape == expected.shape
    assert np.abs(log_mel(samples) - expected).max() < 1e-3  # dB


def test_analysing_an_outside_file_imports_no_librosa() -> None:
    """librosa (with numba and scipy) takes longer to import than the whole analysis: the app computes log-mel
    with NumPy."""
    script = ("import sys; from likewise.index.recommend import seed_from_file; "
              f"seed = seed_from_file({str(DEMO_SONG)!r}); "
              "print(len(seed.vectors), 'librosa' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    count, imported = shown.stdout.split()
    assert int(count) > 0 and imported == "False"


def test_slices_have_model_frames_and_exact_times() -> None:
    frames = np.zeros((1288, P.n_mels), np.float32)
    slices = cut_slices(frames, P)
    assert slices.shape == (10, P.slice_frames, P.n_mels)
    assert slice_offsets(3, P)[2] == pytest.approx(2 * P.slice_frames * P.hop_length / P.sample_rate)


def test_tags_are_read_and_missing_ones_fall_back_to_file_name(tmp_path: Path) -> None:
    tagged = write_audio(tmp_path / "a.flac", tone(4.0))
    audio = mutagen.File(tagged, easy=True)
    audio.update({"title": "Blue", "artist": "Ann", "album": "Sky", "tracknumber": "3/10", "date": "2019-04-01"})
    audio.save()
    tags = read_tags(tagged)
    assert (tags.title, tags.artist, tags.album, tags.track_number, tags.year) == ("Blue", "Ann", "Sky", 3, 2019)
    assert tags.duration == pytest.approx(4.0, abs=0.05)
    bare = write_audio(tmp_path / "07 - Some One - Night Song.wav", tone(4.0))
    assert (read_tags(bare).artist, read_tags(bare).title) == ("Some One", "Night Song")
    assert title_from_filename(Path("track.mp3")) == ("", "track")


def test_huge_track_numbers_and_years_are_dropped_and_never_raise(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "a.flac", tone(4.0))
    for huge in ("9" * 20, "1" * 5000):  # past SQLite's 64-bit integers; past int()'s 4300 digits
        audio = mutagen.File(path, easy=True)
        audio.update({"title": "Blue", "tracknumber": huge, "date": huge})
        audio.save()
        tags = read_tags(path)
        assert (tags.title, tags.track_number, tags.year) == ("Blue", None, None)


def test_walk_finds_audio_by_suffix_recursively(tmp_path: Path) -> None:
    write_audio(tmp_path / "b" / "x.MP3", tone(3.5))
    write_audio(tmp_path / "a.flac", tone(3.5))
    (tmp_path / "notes.txt").write_text("not audio")
    found = [item.relpath for item in walk_audio_files(tmp_path)]
    assert found == ["a.flac", str(Path("b") / "x.MP3")]
