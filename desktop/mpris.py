"""MPRIS on Linux: the player on the session bus (org.mpris.MediaPlayer2 and its .Player interface), so that media
keys and the desktop's media controls work. Where there is no session bus (or no QtDBus) nothing happens.

`MprisPlayer` is what the window talks to: it says what plays (`set_song`, `set_playing`, `set_stopped`) and asks
for actions through signals (`play_pause_requested`...). The adaptors only translate D-Bus calls and properties.
"""
from __future__ import annotations

import os

from PySide6.QtCore import ClassInfo, Property, QObject, Signal, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusConnection, QDBusMessage, QDBusObjectPath

BUS_NAME = "org.mpris.MediaPlayer2.likewise"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
PLAYER_INTERFACE = "org.mpris.MediaPlayer2.Player"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"


class MprisPlayer(QObject):
    """The state the desktop sees, and the requests it makes."""

    play_pause_requested = Signal()
    play_requested = Signal()
    pause_requested = Signal()
    stop_requested = Signal()
    next_requested = Signal()
    previous_requested = Signal()
    raise_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.status = "Stopped"  # MPRIS PlaybackStatus: Playing, Paused or Stopped
        self.metadata: dict = {"mpris:trackid": QDBusObjectPath(NO_TRACK)}
        self.can_go_next = False
        self.can_go_previous = False
        self.connection = None  # the bus connection once registered
        self._root = _RootAdaptor(self)
        self._player = _PlayerAdaptor(self)

    def set_song(self, track_id: int, title: str, artist: str = "", album: str = "",
                 seconds: float | None = None) -> None:
        """What is loaded now (MPRIS Metadata: track id, title, artist, album, length)."""
        metadata = {"mpris:trackid": QDBusObjectPath(f"/org/likewise/track/{int(track_id)}"), "xesam:title": title}
        if artist:
            metadata["xesam:artist"] = [artist]
        if album:
            metadata["xesam:album"] = album
        if seconds:
            metadata["mpris:length"] = int(seconds * 1_000_000)  # microseconds
        self.metadata = metadata
        self._changed({"Metadata": metadata})

    def set_playing(self, playing: bool) -> None:
        """Playing, or paused."""
        self._set_status("Playing" if playing else "Paused")

    def set_stopped(self) -> None:
        """Nothing plays, and play would start from the beginning."""
        self._set_status("Stopped")

    def set_can_go(self, next_song: bool, previous_song: bool) -> None:
        """Whether Next and Previous would do anything (a queue or playlist has songs there)."""
        self.can_go_next, self.can_go_previous = next_song, previous_song
        self._changed({"CanGoNext": next_song, "CanGoPrevious": previous_song})

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self._changed({"PlaybackStatus": status})

    def _changed(self, properties: dict) -> None:
        """Tell the bus (org.freedesktop.DBus.Properties.PropertiesChanged) so that the desktop updates at once."""
        if self.connection is None:
            return
        signal = QDBusMessage.createSignal(OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged")
        signal.setArguments([PLAYER_INTERFACE, properties, ["Position"]])
        self.connection.send(signal)


def register_mpris(player: MprisPlayer, connection: QDBusConnection | None = None) -> bool:
    """Put `player` on the session bus (or on `connection`); False, quietly, when there is no bus to use."""
    bus = connection if connection is not None else QDBusConnection.sessionBus()
    if not bus.isConnected() or not bus.registerObject(OBJECT_PATH, player):
        return False
    # a second likewise takes a name of its own, as the specification asks
    if not bus.registerService(BUS_NAME) and not bus.registerService(f"{BUS_NAME}.instance{os.getpid()}"):
        bus.unregisterObject(OBJECT_PATH)
        return False
    player.connection = bus
    return True


@ClassInfo({"D-Bus Interface": "org.mpris.MediaPlayer2"})
class _RootAdaptor(QDBusAbstractAdaptor):
    """org.mpris.MediaPlayer2: who we are; Raise brings the window up."""

    def __init__(self, player: MprisPlayer):
        super().__init__(player)
        self.player = player

    @Slot()
    def Raise(self) -> None:  # noqa: N802 (D-Bus names)
        self.player.raise_requested.emit()

    @Slot()
    def Quit(self) -> None:  # noqa: N802
        """CanQuit is false: the window is closed by the person."""

    CanQuit = Property(bool, lambda self: False)
    CanRaise = Property(bool, lambda self: True)
    HasTrackList = Property(bool, lambda self: False)
    Identity = Property(str, lambda self: "likewise")
    DesktopEntry = Property(str, lambda self: "likewise")
    SupportedUriSchemes = Property("QStringList", lambda self: [])
    SupportedMimeTypes = Property("QStringList", lambda self: [])


@ClassInfo({"D-Bus Interface": PLAYER_INTERFACE})
class _PlayerAdaptor(QDBusAbstractAdaptor):
    """org.mpris.MediaPlayer2.Player: the transport; each call becomes a request signal of the player."""

    def __init__(self, player: MprisPlayer):
        super().__init__(player)
        self.player = player

    @Slot()
    def PlayPause(self) -> None:  # noqa: N802
        self.player.play_pause_requested.emit()

    @Slot()
    def Play(self) -> None:  # noqa: N802
        self.player.play_requested.emit()

    @Slot()
    def Pause(self) -> None:  # noqa: N802
        self.player.pause_requested.emit()

    @Slot()
    def Stop(self) -> None:  # noqa: N802
        self.player.stop_requested.emit()

    @Slot()
    def Next(self) -> None:  # noqa: N802
        self.player.next_requested.emit()

    @Slot()
    def Previous(self) -> None:  # noqa: N802
        self.player.previous_requested.emit()

    @Slot("qlonglong")
    def Seek(self, _offset: int) -> None:  # noqa: N802
        """CanSeek is false."""

    @Slot(str)
    def OpenUri(self, _uri: str) -> None:  # noqa: N802
        """No URI schemes are supported."""

    PlaybackStatus = Property(str, lambda self: self.player.status)
    Metadata = Property("QVariantMap", lambda self: self.player.metadata)
    CanGoNext = Property(bool, lambda self: self.player.can_go_next)
    CanGoPrevious = Property(bool, lambda self: self.player.can_go_previous)
    CanPlay = Property(bool, lambda self: True)
    CanPause = Property(bool, lambda self: True)
    CanSeek = Property(bool, lambda self: False)
    CanControl = Property(bool, lambda self: True)
    Rate = Property(float, lambda self: 1.0)
    MinimumRate = Property(float, lambda self: 1.0)
    MaximumRate = Property(float, lambda self: 1.0)
    Volume = Property(float, lambda self: 1.0)
    Position = Property("qlonglong", lambda self: 0)
