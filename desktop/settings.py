"""Every setting the app keeps, declared once with its key, type and default; read and written typed over QSettings.

The library shown last is not here: it is shared with the `likewise` commands (`likewise.index.paths`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from likewise.index.recommend import Options

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    """One setting: where it is stored, its type and its value until the person changes it."""

    key: str
    type: type
    default: T

    def get(self, settings: QSettings) -> T:
        """The stored value, or the default when none is stored or it is not of this type."""
        value = settings.value(self.key)
        if isinstance(value, self.type):
            return value
        if isinstance(value, str) and self.type in (int, float):  # text files keep numbers as text
            try:
                return self.type(value)
            except ValueError:  # a hand-edited file: QSettings would read 0
                pass
        return self.default

    def set(self, settings: QSettings, value: T) -> None:
        """Store a value."""
        settings.setValue(self.key, self.type(value))


WINDOW_GEOMETRY = Option("window/geometry", QByteArray, QByteArray())
WINDOW_SPLITTER = Option("window/splitter", QByteArray, QByteArray())
LIBRARY_HEADER = Option("library/header", QByteArray, QByteArray())
RECOMMEND_COUNT = Option("recommend/count", int, Options().count)
RECOMMEND_PER_ARTIST = Option("recommend/per_artist", int, Options().per_artist or 0)  # 0: no limit
RECOMMEND_PER_ALBUM = Option("recommend/per_album", int, Options().per_album or 0)
RADIO_LENGTH = Option("radio/length", int, 20)  # songs in a song radio
VOLUME = Option("player/volume", int, 80)  # percent
PATH_STEPS = Option("path/steps", int, 8)  # steps of a sonic path from its first song to its last
