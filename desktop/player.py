"""Playback with QtMultimedia, loaded on first use, and the transport bar (previous, play/pause, next, position,
volume, now playing).

Every command that changes the QMediaPlayer's state (play, pause, stop, seek, a new source) is queued to Qt's event
loop instead of called directly. A direct call holds Python's GIL while the FFmpeg backend tears down its audio
renderer, and the renderer's thread may need the GIL to finish (PySide checks for Python overrides as it
disconnects): the two wait for each other and the app freezes. From the event loop the call runs without the GIL.

For the same reason the QMediaPlayer and its QAudioOutput are made by QML, as plain C++ objects. Made from Python
they are PySide wrappers whose virtual methods (disconnectNotify among them) ask Python for overrides, taking the
GIL, and the audio renderer calls them from its own thread, as it deletes itself after a song, while it holds a Qt
lock that the GUI thread may be waiting for with the GIL held (the full test suite hung so once: the GUI thread was
updating an action's icon).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Q_ARG, QMetaObject, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from likewise.desktop.desktop_services import qt_can_name
from likewise.desktop.style import media_icon, one_line, plain_label
from likewise.desktop.system_libraries import audio_libraries, install_command
from likewise.desktop.settings import VOLUME
from likewise.index.store import format_duration


PLAYER_QML = b"import QtMultimedia\nMediaPlayer { audioOutput: AudioOutput {} }"
# a position step longer than the time it took and this much more (times the rate) is a jump, not heard: the 50 ms
# steps while playing overshoot their time by 45 ms at most (measured at rates 1 and 4, in the window under pytest)
STEP_SLACK_MS = 100


class Player(QObject):
    """One QMediaPlayer; `play(path, start)` seeks once the media is loaded. Counts how much of the song was heard
    since it was asked for: the steps of the position while playing, not its jumps (a seek, the start moment)."""

    playing_changed = Signal(bool)
    position_changed = Signal("qlonglong")  # milliseconds
    duration_changed = Signal("qlonglong")  # milliseconds
    ended = Signal()  # the song played to its end
    failed = Signal()  # the song asked for cannot be played (said in `error`)
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._engine = None
        self._media = None
        self._output = None
        self._pending_ms: int | None = None
        self._url = QUrl()  # the source last asked for
        self._links: tempfile.TemporaryDirectory | None = None  # see _nameable
        self._heard_ms = 0  # of that source, since play
        self._last: tuple[int, float] | None = None  # the position last seen (ms) and when (time.monotonic)
        self._jumping = False  # a setPosition is under way: the steps until it is done are not heard
        self._volume = VOLUME.default
        self.source: Path | None = None
        self.unavailable = ""  # why playback cannot work here, if it cannot

    def _ensure(self) -> bool:
        if self._media is not None:
            return True
        if not self.unavailable:
            self._create()
        if self.unavailable:  # said again at each try: the banner may have gone with the library it was over
            self.error.emit(self.unavailable)
        return not self.unavailable

    def _create(self) -> None:
        """Create the QMediaPlayer, or say in `unavailable` why there can be none here."""
        try:
            from PySide6.QtMultimedia import QMediaPlayer  # also lets PySide type the player QML makes
            from PySide6.QtQml import QQmlComponent, QQmlEngine
        except ImportError as error:  # e.g. the system lacks the audio libraries QtMultimedia needs
            self.unavailable = f"Playback is not available: {error}"
            return
        self._engine = QQmlEngine(self)
        component = QQmlComponent(self._engine)
        component.setData(PLAYER_QML, QUrl())
        media = component.create()
        if not isinstance(media, QMediaPlayer):  # the QML module did not load
            self.unavailable = f"Playback is not available: {component.errorString().strip()}"
            return
        media.setParent(self)
        if not media.isAvailable():  # QtMultimedia found no backend (its FFmpeg plugin did not load)
            self.unavailable = ("Playback is not available: QtMultimedia found no backend. On Debian/Ubuntu: "
                                + install_command(audio_libraries()))
            return
        self._media = media
        self._output = media.audioOutput()
        self._output.setVolume(self._volume / 100)
        self._media.playbackStateChanged.connect(self._state_changed)
        self._media.positionChanged.connect(self._position_changed)
        self._media.durationChanged.connect(self.duration_changed)
        self._media.mediaStatusChanged.connect(self._status_changed)
        self._media.errorOccurred.connect(self._error_occurred)

    def play(self, path: Path, start_seconds: float = 0.0) -> None:
        """Play a file from `start_seconds`."""
        if not self._ensure():
            return
        start_ms = int(start_seconds * 1000)
        self._heard_ms, self._last = 0, None
        if self.source == path and self._media.isSeekable():
            self._jump(start_ms)
        else:
            self.source = path
            self._url = QUrl.fromLocalFile(str(self._nameable(path)))
            self._pending_ms = start_ms or None
            self._command("setSource", Q_ARG(QUrl, self._url))
        self._command("play")

    def _nameable(self, path: Path) -> Path:
        """`path`, or where its name is not valid UTF-8 (which a QUrl cannot carry: old Latin-1 rips), a link to it
        under a name that is, in a folder of the player's own that goes with it."""
        if qt_can_name(path):
            return path
        if self._links is None:
            self._links = tempfile.TemporaryDirectory(prefix="likewise-playing-")
        suffix = path.suffix if path.suffix.isascii() else ""
        link = Path(self._links.name) / f"{hashlib.sha256(os.fsencode(path)).hexdigest()[:16]}{suffix}"
        if not link.is_symlink():
            link.symlink_to(path)
        return link

    def _command(self, slot: str, *arguments) -> None:
        """Run a QMediaPlayer slot from the event loop, without the GIL (see the module's docstring)."""
        QMetaObject.invokeMethod(self._media, slot, Qt.ConnectionType.QueuedConnection, *arguments)

    def is_playing(self) -> bool:
        """True while a song plays."""
        return self._media is not None and self._media.isPlaying()

    def is_paused(self) -> bool:
        """True while a song is paused (not stopped, not playing)."""
        from PySide6.QtMultimedia import QMediaPlayer

        return self._media is not None and self._media.playbackState() == QMediaPlayer.PlaybackState.PausedState

    def toggle(self) -> None:
        """Pause when playing, else resume."""
        if self._media is None:
            return
        self._command("pause" if self._media.isPlaying() else "play")

    def seek(self, milliseconds: int) -> None:
        """Jump within the current song."""
        if self._media is not None:
            self._jump(milliseconds)

    def _jump(self, milliseconds: int) -> None:
        """Move the position, marked as a jump until done: the position it emits (setPosition emits it at once, from
        the event loop) and any step seen before are not heard, however short."""
        self._jumping = True
        self._command("setPosition", Q_ARG("qlonglong", milliseconds))
        QMetaObject.invokeMethod(self, "_jumped", Qt.ConnectionType.QueuedConnection)  # runs after the command

    @Slot()
    def _jumped(self) -> None:
        """The jump is done: the steps from its position on are heard."""
        self._jumping = False

    def stop(self) -> None:
        """Stop playback."""
        if self._media is not None:
            self._command("stop")

    def position_seconds(self) -> float:
        """How far into the current song playback is."""
        return self._media.position() / 1000 if self._media is not None else 0.0

    def heard_seconds(self) -> float:
        """How long the current song has played since `play`: seeks and the start moment are not heard."""
        return self._heard_ms / 1000

    def _state_changed(self, state) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing and self._last is not None:
            self._last = (self._last[0], time.monotonic())  # a pause is no time to play in
        self.playing_changed.emit(playing)

    def _position_changed(self, milliseconds: int) -> None:
        """Add a step of the position to what was heard when the time since the last step could have played it;
        a step back, or one further than that, is a jump (a seek). Steps of a source not yet, or no longer, the one
        asked for are not the song's."""
        self.position_changed.emit(milliseconds)
        if self._media.source() != self._url:
            return
        now = time.monotonic()
        if self._last is not None and self._media.isPlaying() and not self._jumping:
            step = milliseconds - self._last[0]
            if 0 < step <= ((now - self._last[1]) * 1000 + STEP_SLACK_MS) * max(self._media.playbackRate(), 1.0):
                self._heard_ms += step
        self._last = (milliseconds, now)

    @property
    def volume(self) -> int:
        """The volume, 0 to 100."""
        return self._volume

    def set_volume(self, volume: int) -> None:
        """Set the volume, 0 to 100 (kept until the player exists)."""
        low, high = VOLUME.range
        self._volume = max(low, min(high, int(volume)))
        if self._output is not None:
            self._output.setVolume(self._volume / 100)

    def _error_occurred(self, _code, text: str) -> None:
        self.error.emit(f"Cannot play this file: {text}")
        if self._media.source() == self._url:  # not a song left before its error came
            self.failed.emit()

    def _status_changed(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        loaded = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        if status in loaded and self._pending_ms is not None:
            self._jump(self._pending_ms)
            self._pending_ms = None
        elif status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.ended.emit()


class TransportBar(QWidget):
    """Previous, play/pause and next, the song playing, a position slider and the volume."""

    toggle_requested = Signal()
    previous_requested = Signal()
    next_requested = Signal()

    def __init__(self, player: Player, parent=None):
        super().__init__(parent)
        self.player = player
        pixmap = QStyle.StandardPixmap
        self.previous_button = self._button(self.style().standardIcon(pixmap.SP_MediaSkipBackward),
                                            "Previous song (Ctrl+Left)", self.previous_requested)
        self.play_button = self._button(media_icon(False), "Play or pause (Space)", self.toggle_requested)
        self.next_button = self._button(self.style().standardIcon(pixmap.SP_MediaSkipForward),
                                        "Next song (Ctrl+Right)", self.next_requested)
        self.title = plain_label("Nothing playing")
        self.title.setMinimumWidth(160)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.slider.sliderMoved.connect(player.seek)
        self.time = QLabel(format_duration(0))
        self.time.setMinimumWidth(80)
        self.time.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(*VOLUME.range)
        self.volume.setValue(player.volume)
        self.volume.setMaximumWidth(100)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(player.set_volume)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for button in (self.previous_button, self.play_button, self.next_button):
            layout.addWidget(button)
        layout.addWidget(self.title, 2)
        layout.addWidget(self.slider, 3)
        layout.addWidget(self.time)
        layout.addWidget(self.volume)
        player.playing_changed.connect(self._playing_changed)
        player.position_changed.connect(self._position_changed)
        player.duration_changed.connect(self._duration_changed)
        self._duration_ms = 0

    @staticmethod
    def _button(icon: QIcon, tip: str, clicked: Signal) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(clicked)
        return button

    def now_playing(self, label: str) -> None:
        """Show what is playing."""
        self.title.setText(one_line(label))
        self.title.setToolTip(label)

    def _playing_changed(self, playing: bool) -> None:
        self.play_button.setIcon(media_icon(playing))

    def _duration_changed(self, milliseconds: int) -> None:
        self._duration_ms = milliseconds
        self.slider.setRange(0, milliseconds)
        self.slider.setEnabled(milliseconds > 0)

    def _position_changed(self, milliseconds: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(milliseconds)
        self.time.setText(f"{format_duration(milliseconds / 1000)} / {format_duration(self._duration_ms / 1000)}")
