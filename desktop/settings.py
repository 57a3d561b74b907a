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
    """One setting: where it is stored, its type, its value until the person changes it and, for a number, the
    lowest and highest value it may take (the range of the box that shows it)."""

    key: str
    type: type
    default: T
    range: tuple[T, T] | None = None

    def get(self, settings: QSettings) -> T:
        """The stored value, or the default when none is stored, it is not of this type or it is out of range."""
        value = self._stored(settings.value(self.key))
        if self.range is not None and not self.range[0] <= value <= self.range[1]:  # a hand-edited or damaged file
            return self.default
        return value

    def _stored(self, value: object) -> T:
        """`value` as read from QSettings, of this type, or the default."""
        if isinstance(value, self.type):
            return value
        if isinstance(value, str) and self.type is bool and value.lower() in ("true", "false"):  # text files too
            return value.lower() == "true"
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
RECOMMEND_COUNT = Option("recommend/count", int, Options().count, (1, 100))
RECOMMEND_PER_ARTIST = Option("recommend/per_artist", int, Options().per_artist or 0, (0, 20))  # 0: no limit
RECOMMEND_PER_ALBUM = Option("recommend/per_album", int, Options().per_album or 0, (0, 20))
RADIO_LENGTH = Option("radio/length", int, 20, (1, 200))  # songs in a song radio (and a mix)
VOLUME = Option("player/volume", int, 80, (0, 100))  # percent
PATH_STEPS = Option("path/steps", int, 8, (1, 200))  # steps of a sonic path from its first song to its last
RECOMMEND_BLEND = Option("recommend/blend_together", bool, True)  # blend in what is played together (co-listening)
