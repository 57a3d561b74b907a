"""Playback of library songs: the player, the transport bar and the Play/Pause action kept in step. What plays, and
what Play/Pause does, the queue decides (desktop/queue_controller.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from likewise.desktop.player import Player, TransportBar
from likewise.desktop.style import media_icon
from likewise.index.store import Track


class Playback(QObject):
    """Plays songs by where `locate` says their files are."""

    def __init__(self, locate: Callable[[Track], Path | None], parent: QObject | None = None):
        super().__init__(parent)
        self.locate = locate
        self.player = Player(self)
        self.transport = TransportBar(self.player)

    def show_state_on(self, action: QAction) -> None:
        """Keep an action's icon showing play or pause."""
        action.setIcon(media_icon(False))
        self.player.playing_changed.connect(lambda playing: action.setIcon(media_icon(playing)))

    def play_track(self, track: Track | None, start: float = 0.0) -> None:
        """Play a song from `start` seconds."""
        path = self.locate(track) if track is not None else None
        if path is not None:
            self.player.play(path, start)
            self.transport.now_playing(track.label)
