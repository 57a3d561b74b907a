"""Every format a collection holds: AAC/ALAC (M4A), Opus, WMA and WavPack encoded with PyAV, decoded, indexed and
tagged; one registry says what is music and how it is read; anything else says which format it is."""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from likewise.audio.decode import AudioError, decode_excerpt
from likewise.audio.discover import walk_audio_files
from likewise.audio.features import DEFAULT_PARAMS
from likewise.audio.formats import format_of
from likewise.index.pipeline import Indexer
from likewise.index.store import LibraryStore
from tests.conftest import tone

P = DEFAULT_PARAMS
ENCODED = {  # file name: (PyAV encoder, sample rate); FFmpeg has no Monkey's Audio (APE) encoder, so no .ape here
    "aac.m4a": ("aac", 44100),
    "alac.m4a": ("alac", 44100),
    "opus.opus": ("libopus", 48000),
    "wma.wma": ("wmav2", 44100),
    "wavpack.wv": ("wavpack", 44100),
}


def encode(path: Path, samples: np.ndarray, rate: int, codec: str, **metadata: str) -> Path:
    """Encode (samples, channels) float32 with a PyAV encoder into the container its suffix names, with tags."""
    path.parent.mkdir(parents=True, exist_ok=True)
    planar = np.ascontiguousarray(samples.T if samples.ndim == 2 else samples[None, :], dtype=np.float32)
    with av.open(str(path), "w") as container:
        container.metadata.update(metadata)
        stream = container.add_stream(codec, rate=rate, layout="stereo" if len(planar) == 2 else "mono")
        stream.bit_rate = 128_000  # the WMA encoder refuses to open without one
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=stream.layout.name)
        frame.rate = rate
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_each_format_decodes_to_mono_at_model_rate(tmp_path: Path, name: str) -> None:
    codec, rate = ENCODED[name]
    path = encode(tmp_path / name, tone(6.0, rate=rate, channels=2), rate, codec)
    excerpt = decode_excerpt(path, P)
    assert excerpt.samples.ndim == 1 and excerpt.samples.dtype == np.float32
    assert len(excerpt.samples) / P.sample_rate == pytest.approx(6.0, abs=0.1)
    assert excerpt.start == 0.0 and excerpt.song_duration == pytest.approx(6.0, abs=0.1)
    assert np.abs(excerpt.samples).max() > 0.3


def test_a_long_m4a_is_decoded_from_its_centred_excerpt_in_bounded_memory(tmp_path: Path) -> None:
    rate = 44100
    # 150 s: 60 s silent, 30 s of tone, 60 s silent; the centred 30 s is the tone
    samples = np.concatenate([np.zeros(60 * rate), tone(30.0, rate=rate, noise=0.0), np.zeros(60 * rate)])
    path = encode(tmp_path / "long.m4a", np.repeat(samples[:, None], 2, axis=1), rate, "aac")
    tracemalloc.start()
    try:
        excerpt = decode_excerpt(path, P)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert excerpt.start == pytest.approx(60.0, abs=0.05)
    assert excerpt.song_duration == pytest.approx(150.0, abs=0.1)
    assert len(excerpt.samples) == pytest.approx(30 * P.sample_rate, abs=2)
    loud = np.flatnonzero(np.abs(excerpt.samples) > 0.1)
    # the tone sits where it is in the song: at 60 s, give or take the encoder's 23 ms of priming
    assert excerpt.start + loud[0] / P.sample_rate == pytest.approx(60.0, abs=0.03)
    assert (loud[-1] - loud[0]) / P.sample_rate == pytest.approx(30.0, abs=0.05)
    assert peak < 24e6, f"decoding a 30 s excerpt took {peak / 1e6:.0f} MB (150 s of stereo would be 53 MB)"


def test_every_format_is_indexed_with_its_tags(tmp_path: Path) -> None:
    root = tmp_path / "music"
    for number, (name, (codec, rate)) in enumerate(sorted(ENCODED.items())):
        encode(root / name, tone(5.0 + number, 300.0 + 50 * number, rate, seed=number), rate, codec,
               title=f"Song of {name}", artist=f"Ärtist {number}")
    summary = Indexer(root, tmp_path / "library.sqlite", jobs=1).run()
    with LibraryStore(tmp_path / "library.sqlite") as store:
        tracks = {track.relpath: track for track in store.tracks()}
    assert summary.failed == 0, {path: track.reason for path, track in tracks.items()}
    assert sorted(tracks) == sorted(ENCODED)
    for number, name in enumerate(sorted(ENCODED)):
        track = tracks[name]
        assert (track.status, track.title, track.artist) == ("ok", f"Song of {name}", f"Ärtist {number}"), name
        assert track.duration == pytest.approx(5.0 + number, abs=0.1), name


def test_one_registry_says_what_is_music_and_how_it_is_read(tmp_path: Path) -> None:
    for name in ("a.mp3", "b.FLAC", "c.ogg", "d.opus", "e.wav", "f.aiff", "g.m4a", "h.aac", "i.wma", "j.ape",
                 "k.wv", "l.mp4"):
        (tmp_path / name).write_bytes(b"\x00")
    (tmp_path / "notes.txt").write_text("not music")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    assert len(list(walk_audio_files(tmp_path))) == 12
    assert format_of(Path("x.mp3")).decoder.name == format_of(Path("x.FLAC")).decoder.name == "libsndfile"
    assert {format_of(Path(f"x.{suffix}")).decoder.name for suffix in ("m4a", "wma", "ape", "wv")} == {"pyav"}
    assert format_of(Path("notes.txt")) is None


def test_an_unsupported_format_says_which_it_is(tmp_path: Path) -> None:
    unknown = tmp_path / "song.xyz"
    unknown.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(AudioError, match=r"^unsupported format: \.xyz$"):
        decode_excerpt(unknown, P)


def test_a_container_without_audio_names_the_container(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for _ in range(20):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")))
        container.mux(stream.encode(None))
    with pytest.raises(AudioError, match=r"^unsupported format: QuickTime / MOV without an audio stream$"):
        decode_excerpt(path, P)


def test_random_bytes_named_m4a_fail_with_a_reason_and_no_path(tmp_path: Path) -> None:
    path = tmp_path / "noise.m4a"
    path.write_bytes(np.random.default_rng(2).bytes(64 * 1024))
    with pytest.raises(AudioError) as caught:
        decode_excerpt(path, P)
    assert str(caught.value).startswith("cannot decode audio: ") and str(tmp_path) not in str(caught.value)
