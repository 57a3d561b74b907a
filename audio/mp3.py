"""MPEG Layer III frame walking: whether an MP3 file ends in the middle of a frame (cut short, not just short)."""
from __future__ import annotations

from pathlib import Path

MAX_BYTES = 64 << 20  # walk files up to this size (only files that decoded to too little audio are walked)
_KBPS = {  # Layer III bitrates by MPEG version bits: 3 is MPEG-1, 2 MPEG-2, 0 MPEG-2.5
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_KBPS[0] = _KBPS[2]
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def frame_length(header: bytes) -> int | None:
    """Bytes in the Layer III frame this 4-byte header starts; None if it is no such header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate, rate = _KBPS[version][bitrate_index] * 1000, _RATES[version][rate_index]
    return (144 if version == 3 else 72) * bitrate // rate + ((header[2] >> 1) & 1)


def _audio_start(data: bytes) -> int:
    """Where the audio begins: after an ID3v2 tag, if there is one."""
    if len(data) >= 10 and data[:3] == b"ID3":
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
        return 10 + size + (10 if data[5] & 0x10 else 0)
    return 0


def ends_mid_frame(path: Path) -> bool:
    """True when the file's last MPEG frame runs past its end: the file was cut short (a broken download or copy).

    False when it ends on a frame boundary, holds something else after its frames (a tag), or cannot be read.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return False
    if len(data) > MAX_BYTES:
        return False
    position = data.find(b"\xff", _audio_start(data))
    while 0 <= position < len(data):
        length = frame_length(data[position : position + 4])
        if length is None:
            return False
        if position + length > len(data):
            return True
        position += length
    return False
