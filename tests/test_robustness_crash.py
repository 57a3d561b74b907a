"""Crash safety: `likewise index` killed with SIGKILL at random points never damages the store or loses a song."""
from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from likewise.index.store import LibraryStore
from tests.corpus import (
    finished_tracks, live_group_members, make_songs, run_likewise, snapshot, start_likewise, wait_for,
)

SONGS = 180
KILL_PLAN = ["analysing"] * 3 + ["starting up"] * 3  # shuffled with SEED
SEED = 20261121


def _kill_at_a_random_point(args: list[str], db: Path, data_dir: Path, where: str,
                            rng: random.Random) -> tuple[str, dict]:
    """Start `likewise ARGS`, SIGKILL it at a random point; return (where, the store's finished tracks just before)."""
    before = finished_tracks(db)
    process = start_likewise(args, data_dir)
    if where == "starting up":  # importing, creating the store, scanning, loading the model, starting the workers
        time.sleep(rng.uniform(0.2, 1.5))  # longer reaches well into the analysis (35 songs/s on 2 cores)
    else:  # between and during the commits of analysed batches
        target = before + rng.randint(1, 30)
        assert wait_for(lambda: finished_tracks(db) >= target or process.poll() is not None, 120)
        time.sleep(rng.uniform(0.0, 0.2))
    committed = snapshot(db) if db.exists() else {}
    if process.poll() is not None:
        return "after it finished", committed
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert wait_for(lambda: not live_group_members(process.pid), 15), "worker processes outlived the killed indexer"
    return where, committed


def test_kill_9_at_random_points_loses_nothing_and_the_next_run_completes(tmp_path: Path) -> None:
    music = tmp_path / "music"
    make_songs(music, SONGS, seconds=30.0)  # full excerpts: ten slices each, so commits come in many batches
    db = tmp_path / "library.sqlite"
    rng = random.Random(SEED)
    kills = []
    plan = list(KILL_PLAN)
    rng.shuffle(plan)
    for attempt, planned in enumerate(plan):
        args = ["index", str(music), "--db", str(db), "--jobs", str(1 + attempt % 2)]
        where, committed = _kill_at_a_random_point(args, db, tmp_path, planned, rng)
        kills.append((where, len(committed)))
        if not db.exists():
            continue
        with LibraryStore(db) as store:  # opens without complaint after the crash
            assert store.integrity_ok()
            counts = store.counts()
            assert sum(counts.values()) in (0, SONGS)  # the scan's rows land all at once or not at all
        after = snapshot(db)
        lost = [path for path, row in committed.items() if after.get(path) != row]
        assert not lost, f"kill {attempt + 1} ({where}) lost or changed {len(lost)} committed songs"

    print("kill points (where, songs committed before the kill):", kills)
    assert all(where != "after it finished" for where, _ in kills), kills
    assert sum(where == "analysing" and 0 < count < SONGS for where, count in kills) >= 3, kills

    final = run_likewise(["index", str(music), "--db", str(db), "--jobs", "2"], tmp_path)
    assert final.returncode == 0, final.stderr
    before_final = kills[-1][1]
    with LibraryStore(db) as store:
        assert store.integrity_ok()
        assert store.counts() == {"ok": SONGS, "pending": 0, "failed": 0}
    unchanged = int(final.stdout.split("unchanged ")[1].split()[0].rstrip(","))
    assert unchanged >= before_final, "songs analysed before the kills must not be analysed again"
