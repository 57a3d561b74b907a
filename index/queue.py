"""The app's play queue, kept in the store (tables `queue` and `queue_state`, schema 4) so that it survives a
restart: the songs in order, which one is playing, and whether autoplay is on."""
from __future__ import annotations

from dataclasses import dataclass, field

from likewise.index.migrations import stored_version
from likewise.index.store import LibraryStore, Track

QUEUE_SCHEMA = 4  # the first schema with the queue tables


@dataclass
class SavedQueue:
    """The songs of the queue in order, the index of the current one (-1: none) and the autoplay choice."""

    track_ids: list[int] = field(default_factory=list)
    current: int = -1
    autoplay: bool = True


def load_queue(store: LibraryStore) -> SavedQueue:
    """The queue as last saved; empty in a store older than schema 4. A song removed from the library since has
    left the queue (its row went with it); when it was the current one, the song after it is."""
    if stored_version(store.db) < QUEUE_SCHEMA:
        return SavedQueue()
    rows = store.db.execute("SELECT position, track_id FROM queue ORDER BY position").fetchall()
    state = dict(store.db.execute("SELECT key, value FROM queue_state").fetchall())
    saved = _number(state.get("current"))
    current = next((index for index, (position, _) in enumerate(rows) if position >= saved), -1) if saved >= 0 else -1
    return SavedQueue([track_id for _, track_id in rows], current, state.get("autoplay", "1") != "0")


def save_queue(store: LibraryStore, queue: SavedQueue) -> None:
    """Replace the saved queue with `queue`, in one transaction (StoreError if the store cannot be written)."""
    with store.transaction() as db:
        db.execute("DELETE FROM queue")
        known = {row[0] for row in db.execute("SELECT id FROM tracks")} if queue.track_ids else set()
        rows = [(position, track_id) for position, track_id in enumerate(queue.track_ids) if track_id in known]
        db.executemany("INSERT INTO queue (position, track_id) VALUES (?, ?)", rows)
        state = {"current": str(queue.current if 0 <= queue.current < len(queue.track_ids) else -1),
                 "autoplay": "1" if queue.autoplay else "0"}
        db.executemany("INSERT OR REPLACE INTO queue_state (key, value) VALUES (?, ?)", state.items())


def _number(value: str | None) -> int:
    """A saved position, or -1 when there is none or it is not a number."""
    return int(value) if isinstance(value, str) and value.isdigit() else -1


def restored_queue(saved: SavedQueue, tracks: dict[int, Track]) -> tuple[list[Track], int]:
    """The saved queue's songs still in the library, and the row of the current one among them (-1: none)."""
    kept = [(index, tracks[track_id]) for index, track_id in enumerate(saved.track_ids) if track_id in tracks]
    current = next((row for row, (index, _) in enumerate(kept) if index >= saved.current), -1) \
        if saved.current >= 0 else -1
    return [track for _, track in kept], current
