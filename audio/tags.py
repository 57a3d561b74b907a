"""Reading song tags with mutagen, falling back to the file name."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from likewise.audio.formats import format_of


@dataclass
class Tags:
    """What the library shows about a song."""

    title: str
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    track_number: int | None = None
    year: int | None = None
    genre: str = ""
    duration: float | None = None

    def as_dict(self) -> dict:
        """Plain dict, for storing."""
        return asdict(self)


MAX_TRACK_NUMBER = 99_999  # a box set or an audiobook of chapters stays far below; a larger number is a damaged tag
_LEADING_NUMBER = re.compile(r"^\s*\d{1,3}\s*[-._ ]\s*")


def title_from_filename(path: Path) -> tuple[str, str]:
    """(artist, title) guessed from a file name such as '03 - Artist - Title.mp3'.

    Bytes of a name that are not UTF-8 become U+FFFD: the guess is display text and must be storable.
    """
    name = path.stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    stem = _LEADING_NUMBER.sub("", name).strip() or name
    parts = [part.strip() for part in stem.split(" - ") if part.strip()]
    if len(parts) >= 2:
        return parts[0], " - ".join(parts[1:])
    return "", stem


def _first_int(text: str, lowest: int, highest: int) -> int | None:
    """The first number in `text` ('3/10' -> 3, '2019-04-01' -> 2019), or None when there is none or it lies
    outside lowest..highest (a run of more than 9 digits is never converted: int() refuses 4300)."""
    match = re.search(r"\d+", text or "")
    if match is None or len(match[0]) > 9:
        return None
    number = int(match[0])
    return number if lowest <= number <= highest else None


def _first(values: dict, key: str) -> str:
    """The first value of a tag, as clean text; '' if it is missing."""
    value = values.get(key)
    if not value:
        return ""
    text = value[0] if isinstance(value, list) else value
    return str(text).replace("\x00", "").strip()


def read_tags(path: Path) -> Tags:
    """Tags of a song; never raises: unreadable or missing tags fall back to the file name.

    Tag names are read without case, and translated from the format's own where mutagen's easy interface does not.
    """
    path = Path(path)
    guessed_artist, guessed_title = title_from_filename(path)
    found = format_of(path)
    values: dict = {}
    duration = None
    try:
        import mutagen

        audio = mutagen.File(str(path), easy=True)
        if audio is not None:
            names = found.tag_names if found else {}
            native = dict(audio.tags or {}) if hasattr(audio, "tags") else {}
            values = {names.get(key.lower(), key.lower()): value for key, value in native.items()}
            length = getattr(audio.info, "length", None)
            duration = float(length) if length and length > 0 else None
    except Exception:  # damaged tags are common; the audio may still be fine
        values = {}
    return Tags(
        title=_first(values, "title") or guessed_title,
        artist=_first(values, "artist") or guessed_artist,
        album=_first(values, "album"),
        album_artist=_first(values, "albumartist"),
        track_number=_first_int(_first(values, "tracknumber"), 0, MAX_TRACK_NUMBER),
        year=_first_int(_first(values, "date") or _first(values, "originaldate"), 1000, 9999),
        genre=_first(values, "genre"),
        duration=duration,
    )
