"""The play queue at work: play now, play next, add, previous and next, the next song when one ends, each play
recorded with the time it played (index/plays.py: a song left with less than 30 s heard is a skip), autoplay
refills when the queue runs low, and the queue saved in the store.

Store and recommender work runs on the library thread through `submit(fn(backend), on_done, on_error)`."""
from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from likewise.desktop.player import Player
from likewise.desktop.queue_model import QueueModel
from likewise.index.autoplay import BATCH, Listening, songs_to_append
from likewise.index.plays import judge_play
from likewise.index.queue import SavedQueue
from likewise.index.recommend import Options
from likewise.index.store import Track

SAVE_DELAY_MS = 400  # the queue is saved this long after its last change
RESTART_SECONDS = 3.0  # Previous further into a song than this starts it again
FAILURES_TO_STOP = 3  # songs in a row that cannot be played (a drive unplugged) stop the queue

Submit = Callable[[Callable[[Any], Any], Callable[[Any], None] | None, Callable[[str], None] | None], None]


class QueueController(QObject):
    """Owns what plays: the queue model, the session's listening and autoplay."""

    now_playing = Signal(object)  # Track or None
    autoplay_changed = Signal(bool)
    message = Signal(str)

    def __init__(self, model: QueueModel, player: Player, play: Callable[[Track, float], None], submit: Submit,
                 options: Callable[[], Options], parent: QObject | None = None):
        super().__init__(parent)
        self.model = model
        self.player = player
        self._play = play
        self.submit = submit
        self.options = options
        self.autoplay = True
        self.history: list[tuple[int, bool]] = []  # the session's songs left, (track id, skipped), in order
        self.played: set[int] = set()  # every song started this session
        self._playing: Track | None = None
        self._started = 0.0  # when the song playing started (unix time)
        self._failures = 0  # songs in a row that could not be played
        self._refilling = False
        self._loaded = False  # the open library's saved queue is shown (until then nothing is saved over it)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        model.changed.connect(self._queue_changed)
        player.ended.connect(self._ended)
        player.failed.connect(self._failed)

    @property
    def playing(self) -> Track | None:
        """The song playing (or paused), if it is the queue's."""
        return self._playing

    # --- what the person asks for ---------------------------------------------------------------------------

    def play_now(self, tracks: list[Track], autoplay: bool | None = None, start: float = 0.0) -> None:
        """Put songs right after the current one and play the first from `start` seconds; `autoplay` turns keep
        playing on or off."""
        if not tracks:
            return
        if autoplay is not None:
            self.set_autoplay(autoplay)
        self.play_row(self.model.insert_next(tracks), start)

    def play_next(self, tracks: list[Track]) -> None:
        """Put songs right after the current one."""
        self.model.insert_next(tracks)

    def add(self, tracks: list[Track]) -> None:
        """Put songs at the end of the queue."""
        self.model.append(tracks)

    def next(self) -> None:
        """Leave the song playing (a skip with less than 30 s heard, unless half of it was) for the next in the
        queue; stop at the end."""
        self._leave()
        if self.model.next_row() is None:
            self.player.stop()  # the song left still plays: an end of the queue that is not the song's own end
        self._play_next_queued()

    def previous(self) -> None:
        """Start the song playing again when it has played a few seconds, else play the one before it."""
        row = self.model.previous_row()
        if (self._playing is not None and self.player.position_seconds() > RESTART_SECONDS) or row is None:
            if self._playing is not None:
                self.player.seek(0)
            return
        self._leave()
        self.play_row(row)

    def stop(self) -> None:
        """Stop playback (a skip with less than 30 s heard)."""
        self._leave()
        self.player.stop()

    def toggle(self, selected: Track | None) -> None:
        """Pause or resume the queue's song; a paused song resumes, whatever is selected. With none (stopped, at
        the end, another library opened) or another song selected while it has not started: resume a queue none of
        which has played yet, else play the `selected` song now, else the queue's last song again."""
        idle = not self.player.is_playing() and not self.player.is_paused()
        if self._playing is not None and not (idle and selected is not None and selected.id != self._playing.id):
            self.player.toggle()
            return
        current = self.model.current_row()
        resume = self.model.next_row() if current < 0 else None
        if resume is not None:
            self.play_row(resume)
        elif selected is not None:
            self.play_now([selected])
        elif current >= 0:
            self.play_row(current)

    def can_toggle(self, selected: Track | None) -> bool:
        """True when Play/Pause (toggle) has something to do."""
        return (self._playing is not None or selected is not None or self.model.current_row() >= 0
                or self.model.next_row() is not None)

    def play_row(self, row: int, start: float = 0.0) -> None:
        """Play the song of a queue row from `start` seconds."""
        if self._playing is not None:
            self._leave()
        track = self.model.track_at(row)
        self.model.set_current(row)
        self._playing = track
        self._started = time.time()
        self.played.add(track.id)
        self._play(track, start)
        self.now_playing.emit(track)
        self.refill()

    def set_autoplay(self, on: bool) -> None:
        """Turn keep playing on or off."""
        if on != self.autoplay:
            self.autoplay = on
            self.autoplay_changed.emit(on)
            self._queue_changed()
        if on:
            self.refill()

    # --- autoplay -------------------------------------------------------------------------------------------

    def listening(self) -> Listening:
        """The session so far: the song playing counts as heard."""
        history = self.history + ([(self._playing.id, False)] if self._playing is not None else [])
        return Listening(history, [track.id for track in self.model.upcoming()], set(self.played))

    def refill(self) -> None:
        """With keep playing on and the queue running low, append songs like those heard (on the library thread)."""
        listening = self.listening()
        if not self.autoplay or self._refilling or not listening.needs_more() or not listening.history:
            return
        self._refilling = True
        options = self.options()
        self.submit(lambda backend: songs_to_append(backend.current_recommender(), listening, options, BATCH),
                    self._append_found, self._refill_failed)

    def _append_found(self, tracks: list[Track]) -> None:
        self._refilling = False
        waiting = {track.id for track in self.model.upcoming()} | self.played
        fresh = [track for track in tracks if track.id not in waiting]  # the queue may have changed meanwhile
        if self.autoplay and fresh:
            self.model.append(fresh)

    def _refill_failed(self, reason: str) -> None:
        self._refilling = False
        self.message.emit(f"Keep playing found no songs: {reason}")

    # --- the song playing -----------------------------------------------------------------------------------

    def _ended(self) -> None:
        self._leave()
        self._play_next_queued()

    def _failed(self) -> None:
        """The song playing cannot be played: it was not heard, nothing is recorded, keep playing does not count
        it as played; the next queued song plays, unless FAILURES_TO_STOP songs failed in a row (then it stops)."""
        if self._playing is not None:
            self.played.discard(self._playing.id)
        self._playing = None
        self._failures += 1
        if self._failures < FAILURES_TO_STOP:
            self._play_next_queued()
            return
        self._failures = 0
        self.now_playing.emit(None)
        self.message.emit(f"Playback stopped: {FAILURES_TO_STOP} songs in a row could not be played")

    def _play_next_queued(self) -> None:
        """Play the queue's next song; at the end nothing plays."""
        row = self.model.next_row()
        if row is None:
            self.now_playing.emit(None)
        else:
            self.play_row(row)

    def _leave(self) -> None:
        """The song playing is left (Next, Stop, its end...): record the play, with the time it played, and note
        it in the session, skipped as the plays rule says."""
        track, self._playing = self._playing, None
        if track is None:
            return
        self._failures = 0  # it did not fail
        heard = self.player.heard_seconds()
        started = self._started
        self.history.append((track.id, judge_play(track.id, started, heard, track.duration).skipped))
        self.submit(lambda backend: backend.record_play(track.id, started, heard, track.duration), None,
                    lambda reason: self.message.emit(f"This play was not recorded: {reason}"))

    # --- kept in the store ----------------------------------------------------------------------------------

    def leave_library(self) -> None:
        """Another library opens: record the song playing and save the queue in this one's store, stop, and show
        none until the next is loaded."""
        self.stop()
        self.save()
        self._loaded = False
        self.model.set_queue([], -1)
        self.now_playing.emit(None)

    def load(self) -> None:
        """Show the open library's saved queue (on the library thread), and its keep playing choice."""
        self._loaded = False
        self._playing = None
        self.history.clear()
        self.played.clear()

        self.submit(lambda backend: backend.saved_queue(), self._show_loaded,
                    lambda reason: self.message.emit(f"The play queue was not read: {reason}"))

    def _show_loaded(self, loaded: tuple[list[Track], int, bool]) -> None:
        tracks, current, autoplay = loaded
        self.model.set_queue(tracks, current)
        self.autoplay = autoplay
        self.autoplay_changed.emit(autoplay)
        self._loaded = True

    def save(self) -> None:
        """Save the queue in the store now (on the library thread)."""
        self._save_timer.stop()
        if not self._loaded:
            return
        current = self.model.current_row()
        resume = current if current >= 0 else self.model.next_row()
        saved = SavedQueue([track.id for track in self.model.tracks()], -1 if resume is None else resume,
                           self.autoplay)
        self.submit(lambda backend: backend.save_queue(saved), None,
                    lambda reason: self.message.emit(f"The play queue was not saved: {reason}"))

    def _queue_changed(self) -> None:
        if self._loaded:
            self._save_timer.start()
