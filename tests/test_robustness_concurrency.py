"""Concurrent use of one store: a second indexer is turned away clearly; readers run safely beside the writer."""
from __future__ import annotations

from pathlib import Path

from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore
from tests.corpus import finished_tracks, make_songs, start_likewise, wait_for

SONGS = 80


def _lock_holder(db: Path) -> str:
    lock = Path(str(db) + ".lock")
    return lock.read_text() if lock.exists() else ""


def test_a_second_indexer_is_refused_and_readers_work_while_one_indexes(tmp_path: Path) -> None:
    """Two `likewise index` runs at once, and what the desktop app does meanwhile: open, search, recommend."""
    make_songs(tmp_path / "music", SONGS)
    db = tmp_path / "library.sqlite"
    args = ["index", str(tmp_path / "music"), "--db", str(db), "--jobs", "1"]
    writer = start_likewise(args, tmp_path)
    seen_ok: list[int] = []
    try:
        assert wait_for(lambda: _lock_holder(db) == f"pid {writer.pid}", 60), "the first run never took the lock"
        second = start_likewise(args, tmp_path)
        assert wait_for(lambda: finished_tracks(db) > 0 or writer.poll() is not None, 120)
        while writer.poll() is None:
            with LibraryStore(db) as store:
                analysed = store.tracks("ok")
                seen_ok.append(len(analysed))
                recommender = Recommender(store)
                results = recommender.similar(recommender.seed_for_track(analysed[0].id), Options(count=3))
                assert len(results) >= min(3, len(analysed) - 1)  # the writer may have added more since
                assert all(item.track.status == "ok" and item.track.id != analysed[0].id for item in results)
                assert store.search("Song")
        _, second_stderr = second.communicate(timeout=60)
        _, writer_stderr = writer.communicate(timeout=60)
    finally:
        writer.kill()
    assert second.returncode == 1 and "Traceback" not in second_stderr
    assert second_stderr.strip().splitlines()[-1] == (
        f"likewise: this library is being indexed by pid {writer.pid}; wait for it to finish"), second_stderr
    assert writer.returncode == 0, writer_stderr
    assert seen_ok == sorted(seen_ok), "a reader must never see analysed songs disappear"
    assert len(set(seen_ok)) >= 2, f"the reader should have watched the library grow: {seen_ok}"
    with LibraryStore(db) as store:
        assert store.integrity_ok() and store.counts() == {"ok": SONGS, "pending": 0, "failed": 0}
    assert _lock_holder(db) == "", "the lock is released when the run ends"
