"""`likewise index` stopped by SIGTERM (kill) or SIGHUP (the terminal closed) ends like Ctrl-C: it stores what is
finished, prints the summary and leaves no worker or semaphore behind; --jobs is checked and capped."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from likewise.cli.main import main
from likewise.index.paths import default_db_path
from likewise.index.store import LibraryStore
from tests.corpus import (LIKEWISE, finished_tracks, likewise_env, live_group_members, make_songs, run_likewise,
                          start_likewise, wait_for)

SONGS = 150


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_ends_indexing_cleanly_with_a_summary(tmp_path: Path, stop: signal.Signals) -> None:
    music = tmp_path / "music"
    make_songs(music, SONGS, seconds=30.0)  # enough that the first commit (at most 64 songs) comes well before the end
    db = tmp_path / "library.sqlite"
    process = start_likewise(["index", str(music), "--db", str(db), "--jobs", "2"], tmp_path)
    assert wait_for(lambda: finished_tracks(db) > 0 or process.poll() is not None, 180)
    assert process.poll() is None, "the run ended before it could be stopped"
    if stop == signal.SIGHUP:  # a closed terminal signals its whole foreground process group
        os.killpg(process.pid, stop)
    else:
        os.kill(process.pid, stop)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + stop, (process.returncode, stderr)
    assert "(interrupted: run again to finish)" in stdout, stdout
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    assert wait_for(lambda: not live_group_members(process.pid), 15), "worker processes outlived the run"
    with LibraryStore(db) as store:
        assert store.integrity_ok() and 0 < store.counts()["ok"] < SONGS


def test_ctrl_c_closes_the_desktop_window_and_indexing_winds_down(tmp_path: Path, monkeypatch) -> None:
    """`likewise desktop FOLDER` from a terminal, indexing: Ctrl-C closes the window as its close button does."""
    music, data = tmp_path / "music", tmp_path / "data"
    make_songs(music, SONGS, seconds=30.0)
    monkeypatch.setenv("LIKEWISE_DATA_DIR", str(data))  # where default_db_path looks, as the app does
    db = default_db_path(music)
    env = {**likewise_env(data), "XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(LIKEWISE), "desktop", str(music)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert wait_for(lambda: finished_tracks(db) > 0 or process.poll() is not None, 180)
    assert process.poll() is None, "the app ended before Ctrl-C"
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C signals its whole foreground process group
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("Ctrl-C left the window open")
    assert process.returncode == 0 and "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert wait_for(lambda: not live_group_members(process.pid), 15), "worker processes outlived the app"
    with LibraryStore(db) as store:
        assert store.integrity_ok() and 0 < store.counts()["ok"] < SONGS


def test_jobs_are_checked_and_capped(tmp_path: Path, capsys) -> None:
    music = tmp_path / "music"
    make_songs(music, 2)
    for jobs in ("0", "-3"):
        with pytest.raises(SystemExit) as exited:
            main(["index", str(music), "--jobs", jobs])
        assert exited.value.code == 2 and "--jobs" in capsys.readouterr().err
    cores = os.cpu_count()
    finished = run_likewise(["index", str(music), "--db", str(tmp_path / "library.sqlite"), "--jobs", str(cores + 2)],
                            tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert f"--jobs {cores + 2} is more than the {cores} cores here: using {cores}" in finished.stderr
