"""The play queue's list model (desktop/queue_model.py): where playback goes after inserts, moves and removals."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from likewise.desktop.queue_model import QueueModel
from likewise.index.queue import SavedQueue, restored_queue
from likewise.index.store import Track


def song(number: int) -> Track:
    return Track(number, f"s{number}.mp3", 1, 0.0, None, f"Song {number}", "Band", "", "", None, None, "", 60.0,
                 "ok", None, None, None, None)


def ids(model: QueueModel) -> list[int]:
    return [track.id for track in model.tracks()]


def test_play_next_add_and_where_playback_goes_on(qtbot) -> None:
    model = QueueModel()
    assert model.next_row() is None and model.previous_row() is None and model.upcoming() == []
    model.append([song(1), song(2)])
    assert model.next_row() == 0
    model.set_current(0)
    model.insert_next([song(3)])  # right after the one playing
    model.append([song(4)])
    assert ids(model) == [1, 3, 2, 4] and model.next_row() == 1 and model.previous_row() is None
    model.set_current(2)
    assert [t.id for t in model.upcoming()] == [4] and model.previous_row() == 1
    assert model.data(model.index(2), Qt.ItemDataRole.FontRole).bold()  # the song playing stands out
    assert model.data(model.index(1), Qt.ItemDataRole.FontRole) is None


def test_drag_and_drop_moves_keep_the_song_playing(qtbot) -> None:
    model = QueueModel()
    model.append([song(n) for n in range(1, 6)])
    model.set_current(1)  # song 2
    # what QListView's internal move does on a drop: moveRow(source row, row it is dropped before)
    assert model.moveRow(QModelIndex(), 4, QModelIndex(), 0)
    assert ids(model) == [5, 1, 2, 3, 4] and model.current_row() == 2 and model.next_row() == 3
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 5)
    assert ids(model) == [1, 2, 3, 4, 5] and model.current_row() == 1
    assert not model.moveRow(QModelIndex(), 2, QModelIndex(), 2)  # onto itself
    assert not model.moveRow(QModelIndex(), 7, QModelIndex(), 0)
    assert model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.supportedDropActions() == Qt.DropAction.MoveAction


def test_removing_the_song_playing_lets_the_one_after_it_come_next(qtbot) -> None:
    model = QueueModel()
    model.append([song(n) for n in range(1, 6)])
    model.set_current(2)  # song 3
    model.remove([2, 3])  # song 3 (playing) and song 4
    assert ids(model) == [1, 2, 5] and model.current_row() == -1 and model.next_row() == 2
    assert model.previous_row() == 1
    model.remove([2])
    assert model.next_row() is None  # the end: nothing plays next...
    model.append([song(6)])
    assert model.next_row() == 2  # ...until a song is added
    model.set_current(2)
    model.clear_others()
    assert ids(model) == [6] and model.current_row() == 0


def test_a_song_may_be_queued_twice(qtbot) -> None:
    model = QueueModel()
    model.append([song(1), song(1)])
    model.set_current(1)
    assert model.current_row() == 1 and model.previous_row() == 0
    model.set_queue([song(7), song(8)], 1)
    assert model.current_row() == -1 and model.next_row() == 1


def test_a_restored_queue_keeps_the_songs_still_there_and_resumes_after_a_missing_one() -> None:
    tracks = {number: song(number) for number in (1, 3, 4)}
    assert restored_queue(SavedQueue([1, 2, 3, 4], current=1), tracks) == ([song(1), song(3), song(4)], 1)
    assert restored_queue(SavedQueue([1, 2, 3, 4], current=3), tracks) == ([song(1), song(3), song(4)], 2)
    assert restored_queue(SavedQueue([1, 2], current=1), tracks) == ([song(1)], -1)
    assert restored_queue(SavedQueue([1, 3], current=-1), tracks) == ([song(1), song(3)], -1)
