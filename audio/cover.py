"""The embedded cover picture of a song, read with mutagen: ID3 APIC (MP3, AIFF, WAV), FLAC pictures, MP4 covr and
Ogg METADATA_BLOCK_PICTURE. Bytes only: the desktop decodes them, so a picture that is not an image shows nothing."""
from __future__ import annotations

import base64
from pathlib import Path

MAX_COVER_BYTES = 8 << 20  # a bigger picture is left alone: no cover needs it, and it would cost memory to show
FRONT_COVER = 3  # the picture type of a front cover (ID3 and FLAC share the numbering)


def _best(pictures: list[tuple[int, bytes]]) -> bytes | None:
    """The front cover if there is one, else the first picture; None when none fits under the cap."""
    fitting = [(kind, data) for kind, data in pictures if 0 < len(data) <= MAX_COVER_BYTES]
    fitting.sort(key=lambda picture: picture[0] != FRONT_COVER)  # stable: otherwise file order
    return bytes(fitting[0][1]) if fitting else None


def _pictures(audio) -> list[tuple[int, bytes]]:
    """(picture type, bytes) of every picture the file's tags embed."""
    from mutagen.flac import Picture

    found = [(picture.type, picture.data) for picture in getattr(audio, "pictures", [])]  # FLAC
    tags = audio.tags
    if tags is None:
        return found
    if hasattr(tags, "getall"):  # ID3
        found += [(frame.type, frame.data) for frame in tags.getall("APIC")]
    for cover in tags.get("covr", []) if hasattr(tags, "get") else []:  # MP4
        found.append((FRONT_COVER, bytes(cover)))
    for value in tags.get("metadata_block_picture", []) if hasattr(tags, "get") else []:  # Ogg
        try:
            picture = Picture(base64.b64decode(value))
        except Exception:  # one bad block (bad base64, a short picture); the others may be fine
            continue
        found.append((picture.type, picture.data))
    return found


def read_cover(path: Path) -> bytes | None:
    """The embedded cover of a song (the front cover when it has several pictures), at most MAX_COVER_BYTES;
    None when it has none, or its tags cannot be read. Never raises."""
    try:
        import mutagen

        audio = mutagen.File(str(path))
        return _best(_pictures(audio)) if audio is not None else None
    except Exception:  # damaged tags are common: no cover, not a crash
        return None
