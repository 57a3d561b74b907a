"""Embedded covers: read from MP3, FLAC, Ogg and MP4 files tagged here with mutagen; garbage never crashes."""
from __future__ import annotations

import base64
from pathlib import Path

import av
import numpy as np
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggvorbis import OggVorbis
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from likewise.audio.cover import MAX_COVER_BYTES, read_cover
from likewise.desktop.cover import CoverView
from tests.conftest import tone, write_audio


def png(color: str, side: int = 8) -> bytes:
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def flac_picture(data: bytes, kind: int) -> Picture:
    picture = Picture()
    picture.type, picture.mime, picture.data = kind, "image/png", data
    return picture


def write_m4a(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=22050)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(tone(1.0)[None, :], format="fltp", layout="mono")
        frame.sample_rate = 22050
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return path


@pytest.fixture
def covers(qtbot) -> dict[str, bytes]:
    return {"front": png("red"), "back": png("blue")}


def test_each_format_gives_its_front_cover(covers: dict[str, bytes], tmp_path: Path) -> None:
    front, back = covers["front"], covers["back"]
    mp3 = write_audio(tmp_path / "song.mp3", tone(1.0))
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=4, desc="back", data=back))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="front", data=front))
    tags.save(mp3)
    flac = write_audio(tmp_path / "song.flac", tone(1.0))
    tagged = FLAC(flac)
    tagged.add_picture(flac_picture(back, 4))
    tagged.add_picture(flac_picture(front, 3))
    tagged.save()
    ogg = write_audio(tmp_path / "song.ogg", tone(1.0))
    tagged = OggVorbis(ogg)
    tagged["metadata_block_picture"] = ["not base64 at all!",
                                        base64.b64encode(flac_picture(front, 3).write()).decode("ascii")]
    tagged.save()
    m4a = write_m4a(tmp_path / "song.m4a")
    tagged = MP4(m4a)
    tagged["covr"] = [MP4Cover(front, imageformat=MP4Cover.FORMAT_PNG)]
    tagged.save()
    for path in (mp3, flac, ogg, m4a):
        assert read_cover(path) == front, path.name
    assert read_cover(write_audio(tmp_path / "bare.flac", tone(1.0))) is None


def test_garbage_and_giant_pictures_give_no_cover(covers: dict[str, bytes], tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    for number, suffix in enumerate((".mp3", ".flac", ".ogg", ".m4a")):
        junk = tmp_path / f"junk{number}{suffix}"
        junk.write_bytes(rng.bytes(5000))
        assert read_cover(junk) is None
    assert read_cover(tmp_path / "missing.mp3") is None
    giant = write_audio(tmp_path / "giant.mp3", tone(1.0))
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=b"\x89PNG" + bytes(MAX_COVER_BYTES)))
    tags.save(giant)
    assert read_cover(giant) is None


def test_the_cover_view_shows_a_picture_or_says_there_is_none(qtbot, covers: dict[str, bytes],
                                                              tmp_path: Path) -> None:
    view = CoverView(64)
    qtbot.addWidget(view)
    song = write_audio(tmp_path / "song.mp3", tone(1.0))
    assert not view.show_song(song) and view.text() == "No cover"
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=covers["front"]))
    tags.save(song)
    assert view.show_song(song) and view.pixmap().width() == 64
    assert view.pixmap().toImage().pixelColor(32, 32) == QColor("red")
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=b"not an image"))
    tags.save(song)
    assert not view.show_song(song) and view.text() == "No cover"
    assert not view.show_song(None)
