"""The format registry: which files are music, which decoder reads their audio, and what their tags are called.

One table answers both "is this music?" (audio.discover) and "how is it read?" (audio.decode, audio.tags), as
Quod Libet's format registry does. libsndfile reads what it can; PyAV, whose wheels bundle FFmpeg, reads the rest.
On MP3 the two are about as fast (tests/bench/bench_decode.py), and MP3 stays with libsndfile, whose handling of
damaged and lying MP3s the robustness corpus (tests/corpus.py) pins down.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from likewise.audio.decoders import Decoder, PyAVSource, SoundfileSource

# Tag names of formats whose tags mutagen's easy interface does not translate: the format's own name, lower-case
# (audio.tags reads names without case) -> mutagen's easy name. Names not listed are the same in both.
_ASF_NAMES = {"author": "artist", "wm/albumtitle": "album", "wm/albumartist": "albumartist",
              "wm/tracknumber": "tracknumber", "wm/year": "date", "wm/genre": "genre"}
_APE_NAMES = {"album artist": "albumartist", "track": "tracknumber", "year": "date"}


@dataclass(frozen=True)
class Format:
    """A kind of music file."""

    name: str
    suffixes: tuple[str, ...]  # lower-case, with the dot
    decoder: Decoder
    tag_names: Mapping[str, str] = field(default_factory=dict)  # see _ASF_NAMES


FORMATS = (
    Format("MP3", (".mp3",), SoundfileSource),
    Format("FLAC", (".flac",), SoundfileSource),
    Format("Ogg Vorbis or Opus", (".ogg", ".oga", ".opus"), SoundfileSource),
    Format("WAV", (".wav",), SoundfileSource),
    Format("AIFF", (".aif", ".aiff"), SoundfileSource),
    Format("MPEG-4 audio: AAC or ALAC", (".m4a", ".mp4", ".aac"), PyAVSource),
    Format("Windows Media Audio", (".wma",), PyAVSource, _ASF_NAMES),
    Format("Monkey's Audio", (".ape",), PyAVSource, _APE_NAMES),
    Format("WavPack", (".wv",), PyAVSource, _APE_NAMES),
)
_BY_SUFFIX = {suffix: entry for entry in FORMATS for suffix in entry.suffixes}


def format_of(path: Path | str) -> Format | None:
    """The format of a file, from its name's suffix; None if it is not music that likewise reads."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())
