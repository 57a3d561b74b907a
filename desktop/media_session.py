"""The desktop's media controls (MPRIS on Linux, desktop/mpris.py) tied to the play queue: their requests become
the queue's actions, and each new song, pause and queue change is told to them."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject

from likewise.desktop.player import Player
from likewise.desktop.queue_controller import QueueController
from likewise.index.store import Track


def start_media_session(queue: QueueController, player: Player, toggle: Callable[[], None],
                        raise_window: Callable[[], None], parent: QObject):
    """An MprisPlayer on the session bus driven by `queue` (`toggle`: what Play/Pause does in the window); None
    where there is no QtDBus. Without a session bus it stays unregistered, and still follows the queue."""
    try:
        from likewise.desktop.mpris import MprisPlayer, register_mpris
    except ImportError:  # PySide6 built without QtDBus (Windows, macOS)
        return None
    mpris = MprisPlayer(parent)
    model = queue.model
    mpris.play_pause_requested.connect(toggle)
    mpris.play_requested.connect(lambda: None if player.is_playing() else toggle())
    mpris.pause_requested.connect(lambda: player.toggle() if player.is_playing() else None)
    mpris.stop_requested.connect(queue.stop)
    mpris.next_requested.connect(queue.next)
    mpris.previous_requested.connect(queue.previous)
    mpris.raise_requested.connect(raise_window)

    def now_playing(track: Track | None) -> None:
        if track is None:
            mpris.set_stopped()
        else:
            mpris.set_song(track.id, track.display_title, track.artist or "", track.album or "", track.duration)

    def playing_changed(playing: bool) -> None:
        if playing or player.is_paused():
            mpris.set_playing(playing)
        else:  # stopped (Stop, the queue's end, another library): play starts the song over
            mpris.set_stopped()

    def queue_changed() -> None:
        mpris.set_can_go(model.next_row() is not None, model.previous_row() is not None)

    queue.now_playing.connect(now_playing)
    player.playing_changed.connect(playing_changed)
    model.changed.connect(queue_changed)
    queue_changed()
    register_mpris(mpris)
    return mpris
