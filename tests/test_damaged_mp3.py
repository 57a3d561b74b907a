"""A truncated MP3 is called damaged, not "too short"; a short but whole MP3 is still too short."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from likewise.audio.decode import AudioError, decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS
from likewise.audio.mp3 import ends_mid_frame
from tests.conftest import tone
from tests.corpus import mp3_bytes, mp3_frame_length, mp3_frames


@pytest.fixture(scope="module")
def cbr() -> bytes:
    """20 s of constant-bitrate MP3 frames, without the Xing frame that would tell the real length."""
    return mp3_frames(mp3_bytes(tone(20.0, 500.0, 44100), 44100, bitrate_mode="CONSTANT", compression_level=0.5))


def _reason(path: Path) -> str:
    with pytest.raises(AudioError) as caught:
        decode_excerpt(path, DEFAULT_PARAMS)
    return str(caught.value)


def test_an_mp3_cut_mid_frame_is_damaged_not_too_short(cbr: bytes, tmp_path: Path) -> None:
    cut = tmp_path / "download.mp3"
    cut.write_bytes(cbr[: mp3_frame_length(cbr[:4]) + 100])  # one frame and a piece of the next
    assert ends_mid_frame(cut)
    reason = _reason(cut)
    assert reason.startswith("damaged or truncated: the file stops in the middle of its audio"), reason


def test_a_short_whole_mp3_is_too_short(cbr: bytes, tmp_path: Path) -> None:
    short = tmp_path / "jingle.mp3"
    end = 0
    for _frame in range(20):  # whole frames (each padded or not): about half a second
        end += mp3_frame_length(cbr[end : end + 4])
    short.write_bytes(cbr[:end])
    assert not ends_mid_frame(short)
    assert _reason(short).startswith("too short: ")


def test_garbage_is_never_taken_for_a_cut_mp3(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    for number in range(50):
        junk = tmp_path / f"junk{number}.mp3"
        junk.write_bytes(b"\xff\xfb" + rng.bytes(int(rng.integers(0, 3000))))
        ends_mid_frame(junk)  # never raises
    assert not ends_mid_frame(tmp_path / "missing.mp3")
    (tmp_path / "tag-only.mp3").write_bytes(b"ID3\x03\x00\x00\x7f\x7f\x7f\x7f")  # an ID3 size past the end
    assert not ends_mid_frame(tmp_path / "tag-only.mp3")
