"""Plays and skips in the store: the rule at its edges, counts and last played, listening sessions, forgetting,
old stores without the table, and plays kept across a model change."""
from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import threading
from contextlib import closing
from pathlib import Path

import pytest

from likewise.index.colisten import colistening_path, refresh_colistening
from likewise.index.pipeline import Indexer
from likewise.index.plays import (forget_plays, listening_sessions, play_counts, record_play)
from likewise.index.store import LibraryStore, StoreError
from likewise.model.info import default_model_dir
from tests.test_index import make_library

FIXTURES = Path(__file__).parent / "fixtures" / "stores"


@pytest.fixture
def store(demo_store_copy: Path) -> LibraryStore:
    with LibraryStore(demo_store_copy) as opened:
        yield opened


def _ids(store: LibraryStore) -> list[int]:
    return [track.id for track in store.tracks("ok")]


@pytest.mark.parametrize("heard, duration, counted, skipped", [
    (98.0, 200.0, False, False), (100.0, 200.0, True, False),  # 49 % / 50 % of the song
    (239.0, 600.0, False, False), (240.0, 600.0, True, False),  # 3:59 / 4:00 of a 10-minute song
    (29.0, 200.0, False, True), (30.0, 200.0, False, False),  # stopped after 29 s / 30 s
    (20.0, 20.0, True, False),  # a 20-second song heard to its end
    (240.0, None, True, False), (100.0, None, False, False),  # duration unknown: only the 4 minutes count
    (900.0, 600.0, True, False),  # more than the song (a player's rounding): heard as all of it
])
def test_the_rule_at_its_edges(store: LibraryStore, heard: float, duration: float | None, counted: bool,
                               skipped: bool) -> None:
    track_id = _ids(store)[0]
    play = record_play(store, track_id, 1000.0, heard, duration)
    assert (play.counted, play.skipped) == (counted, skipped)
    row = store.db.execute("SELECT track_id, started_at, heard, fraction, counted, skipped FROM plays").fetchone()
    expected_heard = min(heard, duration) if duration else heard
    assert row == (track_id, 1000.0, expected_heard, expected_heard / duration if duration else 0.0,
                   int(counted), int(skipped))


def test_play_counts_count_only_counted_plays_and_the_last_one(store: LibraryStore) -> None:
    first, second, third = _ids(store)[:3]
    for started, heard in ((100.0, 200.0), (5000.0, 10.0), (3000.0, 150.0)):  # the 10-s play is a skip
        record_play(store, first, started, heard, 200.0)
    record_play(store, second, 7000.0, 150.0, 300.0)  # 50 %
    record_play(store, third, 8000.0, 20.0, 300.0)  # skipped only
    assert play_counts(store) == {first: (2, 3000.0), second: (1, 7000.0)}


def test_listening_sessions_split_at_the_gap_and_leave_out_skips(store: LibraryStore) -> None:
    a, b, c, d = _ids(store)[:4]
    hour = 3600.0
    plays = [(a, 0.0, 200.0), (b, 200.0, 10.0), (c, 210.0, 200.0), (c, 410.0, 200.0), (d, 610.0, 200.0),
             (b, 610.0 + 200.0 + 30 * 60 - 1, 200.0),  # 1 s inside the gap: same session
             (a, 10 * hour, 200.0), (d, 10 * hour + 200.0, 200.0)]
    for track_id, started, heard in reversed(plays):  # recorded out of order: sessions follow the start times
        record_play(store, track_id, started, heard, 200.0)
    assert listening_sessions(store) == [[a, c, d, b], [a, d]]  # b's 10-s skip left out, c's repeat once
    assert listening_sessions(store, gap=5.0) == [[a], [c, d], [b], [a, d]]  # a skip bridges no gap


def test_hostile_plays_are_refused_and_record_nothing(store: LibraryStore, demo_store_copy: Path) -> None:
    track_id = _ids(store)[0]
    for heard in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="seconds heard"):
            record_play(store, track_id, 1000.0, heard, 200.0)
    with pytest.raises(StoreError, match="no song with id 999999"):
        record_play(store, 999999, 1000.0, 100.0, 200.0)
    assert store.db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 0
    with LibraryStore(demo_store_copy, read_only=True) as reader, pytest.raises(StoreError, match="cannot be written"):
        record_play(reader, track_id, 1000.0, 100.0, 200.0)


def test_a_store_older_than_the_plays_table_reads_as_no_plays(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "v3-2bafa02.sqlite", db)
    with LibraryStore(db, read_only=True) as reader:
        assert play_counts(reader) == {} and listening_sessions(reader) == []


def test_forgetting_erases_the_plays_and_what_was_learnt_from_them(store: LibraryStore, demo_store_copy: Path) -> None:
    a, b, c = _ids(store)[:3]
    marker = 1234567.891011  # a start time whose bytes must not stay anywhere in the store's files
    for offset, track_id in enumerate((a, b, c)):
        record_play(store, track_id, marker + 200.0 * offset, 200.0, 200.0)
    assert refresh_colistening(store) is not None and colistening_path(demo_store_copy).exists()
    forget_plays(store)
    assert store.db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 0
    assert play_counts(store) == {} and listening_sessions(store) == []
    assert not colistening_path(demo_store_copy).exists()
    packed = struct.pack(">d", marker)  # SQLite keeps a REAL as a big-endian double
    for suffix in ("", "-wal"):
        path = Path(f"{demo_store_copy}{suffix}")
        assert not path.exists() or packed not in path.read_bytes()
    assert refresh_colistening(store) is None  # nothing left to learn from


def test_forgetting_while_co_listening_is_learnt_leaves_nothing_learnt_from_the_plays(
        store: LibraryStore, demo_store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`likewise forget --plays` while the app (or `likewise index`) learns co-listening on its own connection: the
    learner read the plays before they were erased, and must not save what it learnt from them after forget."""
    import gensim.models

    learning, forgotten, learnt = threading.Event(), threading.Event(), []
    word2vec = gensim.models.Word2Vec

    def slow_word2vec(*args, **kwargs):  # training takes seconds on a real history: forget lands meanwhile
        learning.set()
        forgotten.wait(30)
        return word2vec(*args, **kwargs)

    monkeypatch.setattr(gensim.models, "Word2Vec", slow_word2vec)
    a, b = _ids(store)[:2]
    for number in range(6):  # one listening session: a, b, a, b, a, b
        record_play(store, (a, b)[number % 2], 200.0 * number, 200.0, 200.0)

    def learner() -> None:
        with LibraryStore(demo_store_copy) as own:
            learnt.append(refresh_colistening(own))

    thread = threading.Thread(target=learner)
    thread.start()
    assert learning.wait(30)
    assert forget_plays(store).erased == 6
    forgotten.set()
    thread.join(60)
    assert learnt == [None]  # what is current: nothing to learn from
    assert not colistening_path(demo_store_copy).exists()


def test_plays_survive_a_model_change(tmp_path: Path) -> None:
    root, db = make_library(tmp_path / "music", count=3), tmp_path / "store.sqlite"
    Indexer(root, db, jobs=1).run()
    with LibraryStore(db) as store:
        for started, track_id in enumerate(_ids(store)):
            record_play(store, track_id, 1000.0 * (started + 1), 100.0, 120.0)
        before = play_counts(store)
    other_model = tmp_path / "model"
    shutil.copytree(default_model_dir(), other_model)
    meta = json.loads((other_model / "model.json").read_text())
    meta["model_id"] += "-retrained"
    (other_model / "model.json").write_text(json.dumps(meta))
    assert Indexer(root, db, jobs=1, model_dir=other_model).run().reanalysed == 3
    with LibraryStore(db) as store:
        assert len(before) == 3 and play_counts(store) == before


def test_forgetting_erases_the_plays_in_the_copies_likewise_kept_beside_the_store_too(tmp_path: Path) -> None:
    """An upgrade copies the store aside (`.before-vN`), plays and all, and `likewise repair` sets a damaged one
    aside: the plays go from those copies too, and a copy they cannot be erased from is named."""
    fixture = Path(__file__).parent / "fixtures" / "stores" / "v4-738f1aa.sqlite"
    db = tmp_path / "library.sqlite"
    db.write_bytes(fixture.read_bytes())
    marker = 1234567.891011
    with closing(sqlite3.connect(db)) as old, old:
        old.execute("INSERT INTO plays (track_id, started_at, heard, fraction, counted, skipped) "
                    "SELECT id, ?, 200, 1, 1, 0 FROM tracks", (marker,))
    unreadable = tmp_path / "library.sqlite.damaged-20260101-000000"
    unreadable.write_bytes(b"SQLite format 3\x00" + struct.pack(">d", marker) * 64)
    with LibraryStore(db) as store:  # upgraded: the copy aside holds the plays
        [aside] = tmp_path.glob("library.sqlite.before-v4")
        assert struct.pack(">d", marker) in aside.read_bytes()
        forgotten = forget_plays(store)
    assert forgotten.erased == 3 and forgotten.kept_in == [unreadable]
    for path in (db, aside):
        assert struct.pack(">d", marker) not in path.read_bytes(), path
    with closing(sqlite3.connect(aside)) as copy:
        assert copy.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 0


def test_likewise_forget_names_a_copy_whose_plays_it_could_not_erase(demo_store_copy: Path, capsys) -> None:
    from likewise.cli.main import main

    damaged = demo_store_copy.with_name(f"{demo_store_copy.name}.damaged-20260101-000000")
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(1000))
    assert main(["forget", "--plays", "--yes", "--db", str(demo_store_copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"the copy {damaged} that likewise set aside still holds plays")


def test_forgetting_leaves_files_beside_the_store_that_only_look_like_its_copies(demo_store_copy: Path,
                                                                                  capsys) -> None:
    from likewise.cli.main import main
    from tests.conftest import copy_store

    with LibraryStore(demo_store_copy) as store:
        record_play(store, _ids(store)[0], 1000.0, 200.0, 200.0)
    own = [copy_store(demo_store_copy, demo_store_copy.with_name(demo_store_copy.name + suffix))
           for suffix in (".before-v4-mine", ".damaged-but-keep.db")]
    notes = demo_store_copy.with_name(demo_store_copy.name + ".damaged-notes.txt")
    notes.write_text("my notes")
    before = [path.read_bytes() for path in own]
    assert main(["forget", "--plays", "--yes", "--db", str(demo_store_copy)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # no copy named
    assert [path.read_bytes() for path in own] == before and notes.read_text() == "my notes"
