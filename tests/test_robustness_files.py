"""Bad, odd and extreme files at the per-file boundary: every corpus file is analysed or failed with its reason."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Callable

import mutagen
import pytest
import soundfile
from mutagen.mp3 import BitrateMode

from likewise.audio.decode import AudioError, decode_excerpt
from likewise.audio.discover import walk_audio_files
from likewise.audio.features import DEFAULT_PARAMS
from likewise.audio.tags import read_tags
from likewise.index.pipeline import MAX_WAITING, Indexer, Progress
from likewise.index.prepare import Failed, Prepared, prepare_file
from likewise.index.scan import scan_library
from likewise.index.store import LibraryStore, StoreError
from likewise.index.workers import AnalysisPool, _Worker
from tests.conftest import tone, write_audio
from tests.corpus import (
    COVERED_SECONDS, JUNK_FILES, UNREADABLE, Case, as_ordinary_user, assert_clear_reason, build_corpus, make_songs,
    mismatches, one_line_error, prepare_or_misbehave, run_likewise, synthetic_store, write_long_mp3,
)

MEMORY_MARGIN_MB = 200  # what the whole corpus may add over indexing a few ordinary songs the same way
DECODE_LIMIT_MB = 24  # what one decode may allocate, whatever the file's channels, rate and length


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    """The generated corpus: (library root, cases)."""
    root = tmp_path_factory.mktemp("corpus") / "music"
    return root, build_corpus(root)


def test_every_corpus_file_is_analysed_or_failed_with_its_reason(corpus: tuple[Path, list[Case]]) -> None:
    root, cases = corpus
    wrong = []
    for case in cases:
        if case.expect == "ignored":
            continue
        if case.relpath == UNREADABLE and os.access(root / case.relpath, os.R_OK):
            # this process ignores file permissions (root): the chmod 000 file is readable here, so it must be
            # analysed; test_unreadable_files_and_folders_are_reported_not_fatal checks the denial for real
            case = replace(case, expect="ok", reason="")
        result = prepare_file((0, str(root), case.relpath), DEFAULT_PARAMS, time_limit=30)
        if isinstance(result, Prepared):
            tags = result.tags
            wrong += mismatches(case, "ok", None, tags["title"], tags["artist"], tags["duration"])
        else:
            wrong += mismatches(case, "failed", result.reason, "", "", None)
    assert not wrong, "\n".join(wrong)
    found = {item.relpath for item in walk_audio_files(root)}
    assert found == {case.relpath for case in cases if case.expect != "ignored"}  # no loop followed, no junk


def test_the_corpus_holds_what_it_claims(corpus: tuple[Path, list[Case]]) -> None:
    root, cases = corpus
    assert len(cases) == 45 and len({case.relpath for case in cases}) == 45
    hostile = soundfile.info(str(root / "hostile/255 channels.ogg"))
    assert (hostile.channels, hostile.samplerate) == (255, 192000)
    assert (root / "hostile/255 channels.ogg").stat().st_size < 500_000
    assert soundfile.info(str(root / "lying/10 hours.flac")).duration >= 36000
    assert soundfile.info(str(root / "covers/2 MB cover.mp3")).duration > 2 * COVERED_SECONDS  # what libsndfile says
    assert mutagen.File(root / "covers/2 MB cover.mp3").info.bitrate_mode == BitrateMode.UNKNOWN  # no Xing header
    assert mutagen.File(root / "vbr.mp3").info.bitrate_mode == BitrateMode.VBR
    assert (root / "damaged/huge-id3.mp3").stat().st_size > 8 * 1024 * 1024
    assert soundfile.info(str(root / "long/two hours.mp3")).duration > 7200
    assert (root / "long/two hours.mp3").stat().st_size < 20e6
    assert {soundfile.info(str(path)).samplerate for path in (root / "rates").iterdir()} == {
        8000, 11025, 44100, 48000, 96000}
    assert soundfile.info(str(root / "channels/6ch.flac")).channels == 6
    assert b"\xff\xfe" in b"".join(os.fsencode(path) for path in root.rglob("chanson*"))
    assert (root / "loop/self").resolve() == (root / "loop").resolve()
    assert len(os.listdir(root / "junk")) == JUNK_FILES
    assert not os.access(root / UNREADABLE, os.R_OK) or os.geteuid() == 0


def test_a_two_hour_file_is_decoded_from_the_middle_without_loading_it(tmp_path: Path) -> None:
    seconds = write_long_mp3(tmp_path / "mix.mp3", 7200.0)
    tracemalloc.start()
    started = time.monotonic()
    try:
        excerpt = decode_excerpt(tmp_path / "mix.mp3", DEFAULT_PARAMS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5.0
    assert abs(excerpt.song_duration - seconds) < 1.0
    assert abs(excerpt.start - (seconds - DEFAULT_PARAMS.excerpt_seconds) / 2) < 1.0
    assert peak < 40e6, f"decoding a 30 s excerpt used {peak / 1e6:.0f} MB (the whole file decoded would be 230 MB)"


def test_a_decoder_that_hangs_is_stopped_by_the_per_file_time_limit(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    song = make_songs(tmp_path, 1)[0]

    def hang(*_: object, **__: object) -> None:
        time.sleep(30)

    monkeypatch.setattr("likewise.index.prepare.decode_excerpt", hang)
    started = time.monotonic()
    result = prepare_file((7, str(tmp_path), song.name), DEFAULT_PARAMS, time_limit=0.5)
    assert time.monotonic() - started < 3.0
    assert isinstance(result, Failed) and result.track_id == 7
    assert result.reason.startswith("timed out"), result.reason


_AS_OTHER_USER = """
import json, sys
from pathlib import Path
from likewise.audio.discover import walk_audio_files
from likewise.audio.features import DEFAULT_PARAMS
from likewise.index.prepare import prepare_file
root = sys.argv[1]
print(json.dumps({
    "locked": prepare_file((1, root, "locked.flac"), DEFAULT_PARAMS).reason,
    "vanished": prepare_file((2, root, "gone.flac"), DEFAULT_PARAMS).reason,
    "found": sorted(item.relpath for item in walk_audio_files(Path(root))),
}))
"""


def test_unreadable_files_and_folders_are_reported_not_fatal(tmp_path: Path) -> None:
    """Real permissions: as root, the check runs without the capabilities that let root read anything."""
    try:
        make_songs(tmp_path, 1)[0].rename(tmp_path / "readable.flac")
        make_songs(tmp_path, 1)[0].rename(tmp_path / "locked.flac")
        (tmp_path / "locked.flac").chmod(0)
        (tmp_path / "private").mkdir()
        make_songs(tmp_path / "private", 2)
        (tmp_path / "private").chmod(0)
        finished = subprocess.run([*as_ordinary_user(), sys.executable, "-c", _AS_OTHER_USER, str(tmp_path)],
                                  capture_output=True, text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr
        seen = json.loads(finished.stdout)
        assert seen["locked"] == "permission denied"
        assert seen["vanished"] == "file vanished before it could be read"
        assert seen["found"] == ["locked.flac", "readable.flac"]  # the unreadable folder is skipped, not fatal
    finally:
        (tmp_path / "private").chmod(0o755)  # so that pytest can clean up


def _misbehaving_files(folder: Path, songs: int, names: list[str]) -> list[str]:
    """`songs` good songs, then copies of the first named like prepare_or_misbehave's crashing or hanging files."""
    good = [song.name for song in make_songs(folder, songs)]
    for name in names:
        (folder / name).write_bytes((folder / good[0]).read_bytes())
    return good + names


def _results(pool: AnalysisPool, folder: Path, names: list[str], warm: int) -> dict[int, Prepared | Failed]:
    """Every result of the pool, its hard limit (2 x 60 + 15 s) cut to 5 s once `warm` files are done."""
    pool.work = partial(prepare_or_misbehave, params=DEFAULT_PARAMS, time_limit=60)
    results: dict[int, Prepared | Failed] = {}
    try:
        for result in pool.run([(number, str(folder), name) for number, name in enumerate(names)]):
            results[result.track_id] = result
            if len(results) == warm:  # the workers have started: a later file past 5 s is truly stuck
                pool.hard_limit = 5.0
    finally:
        pool.close()
    return results


def _assert_only_these_failed(results: dict[int, Prepared | Failed], names: list[str], bad: dict[str, str]) -> None:
    """Exactly the files in `bad` failed, each with a clear reason containing bad[name]."""
    assert sorted(results) == list(range(len(names)))
    failed = {names[track_id]: result.reason for track_id, result in results.items() if isinstance(result, Failed)}
    assert set(failed) == set(bad), failed
    for name, reason in failed.items():
        assert_clear_reason(reason)
        assert bad[name] in reason, reason
    time.sleep(0.5)
    assert not multiprocessing.active_children(), "no worker may outlive the pool"


HUNG = "did not finish within 5 s"
CRASHED = "the decoder crashed on this file"


def test_a_worker_that_crashes_or_hangs_costs_one_file_and_the_run_goes_on(tmp_path: Path) -> None:
    """A segfaulting decoder and one stuck in C (deaf to the soft time limit) each fail only their own file."""
    names = _misbehaving_files(tmp_path, 4, ["crash.flac", "hang.flac"])
    started = time.monotonic()
    results = _results(AnalysisPool(2, DEFAULT_PARAMS, time_limit=60), tmp_path, names, warm=4)
    assert time.monotonic() - started < 90
    _assert_only_these_failed(results, names, {"crash.flac": CRASHED, "hang.flac": HUNG})


def test_a_crashed_worker_is_noticed_without_waiting_for_the_hard_limit(tmp_path: Path) -> None:
    """Two crashes among good files all finish while the hard limit (135 s) could not yet have fired once."""
    names = _misbehaving_files(tmp_path, 4, ["crash1.flac", "crash2.flac"])
    names.insert(2, names.pop())  # one crash in the middle of the run, one at its end
    results: dict[int, Prepared | Failed] = {}
    pool = AnalysisPool(2, DEFAULT_PARAMS, time_limit=60)
    pool.work = partial(prepare_or_misbehave, params=DEFAULT_PARAMS, time_limit=60)

    def run() -> None:
        try:
            results.update({result.track_id: result for result in pool.run(
                [(number, str(tmp_path), name) for number, name in enumerate(names)])})
        finally:
            pool.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(pool.hard_limit - 15)
    assert not thread.is_alive(), "a crashed worker was only noticed by the hard time limit"
    _assert_only_these_failed(results, names, {"crash1.flac": CRASHED, "crash2.flac": CRASHED})


def test_a_file_given_to_a_worker_that_has_just_died_is_kept_for_its_replacement(tmp_path: Path) -> None:
    """The parent may hand a file to a worker whose process died a moment ago: no broken pipe escapes, and the file
    stays with that worker's files, for the worker that replaces it."""
    worker = _Worker(multiprocessing.get_context("spawn"), partial(prepare_file, params=DEFAULT_PARAMS))
    try:
        worker.process.kill()
        worker.process.join()
        worker.give((7, str(tmp_path), "song.flac"))
        assert list(worker.held) == [(7, str(tmp_path), "song.flac")]
    finally:
        worker.stop()
        worker.results.close()


def test_a_worker_is_deaf_to_ctrl_c_from_its_first_instant(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: a worker still importing at start-up would print a
    KeyboardInterrupt traceback (the parent alone handles it)."""
    worker = _Worker(multiprocessing.get_context("spawn"), partial(prepare_file, params=DEFAULT_PARAMS))
    try:
        status = dict(line.split(":\t", 1) for line in Path(f"/proc/{worker.process.pid}/status").read_text().splitlines()
                      if ":\t" in line)
        deaf = int(status["SigBlk"], 16) | int(status["SigIgn"], 16)
        assert deaf & (1 << (signal.SIGINT - 1)), status["SigBlk"]
    finally:
        worker.stop()
        worker.results.close()


def test_a_worker_whose_parent_is_gone_ends_quietly(tmp_path: Path) -> None:
    """A worker that finishes a file after its parent died (killed, out of memory) exits cleanly: no traceback of a
    broken pipe lands on the terminal the parent left."""
    names = _misbehaving_files(tmp_path, 1, ["slow.flac"])
    worker = _Worker(multiprocessing.get_context("spawn"),
                     partial(prepare_or_misbehave, params=DEFAULT_PARAMS, time_limit=60))
    try:
        worker.give((1, str(tmp_path), names[-1]))
        worker.results.close()  # as the parent's death closes its end
        worker.process.join(60)
        assert worker.process.exitcode == 0
    finally:
        worker.stop()


def test_a_run_that_waits_on_its_caller_fails_no_file_as_hung(tmp_path: Path) -> None:
    """The caller may be held up longer than the hard limit (a terminal that blocks the progress line, a slow
    store write): the files handed out after that wait get the whole limit, counted from when they were sent."""
    names = _misbehaving_files(tmp_path, 1, [f"slow {number}.flac" for number in range(7)])
    pool = AnalysisPool(2, DEFAULT_PARAMS, time_limit=60)
    pool.work = partial(prepare_or_misbehave, params=DEFAULT_PARAMS, time_limit=60)
    results: dict[int, Prepared | Failed] = {}
    try:
        for result in pool.run([(number, str(tmp_path), name) for number, name in enumerate(names)]):
            results[result.track_id] = result
            if len(results) == 1:
                pool.hard_limit = 3.0
                time.sleep(4.0)  # both workers finish what they hold meanwhile, and wait
    finally:
        pool.close()
    _assert_only_these_failed(results, names, {})


def test_one_job_off_the_main_thread_still_stops_a_hung_decoder(tmp_path: Path) -> None:
    """The desktop app indexes on a background thread, where SIGALRM cannot interrupt: a hang must still end."""
    names = _misbehaving_files(tmp_path, 1, ["hang.flac"])
    results: dict[int, Prepared | Failed] = {}
    pool = AnalysisPool(1, DEFAULT_PARAMS, time_limit=60)
    thread = threading.Thread(target=lambda: results.update(_results(pool, tmp_path, names, warm=1)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "indexing on a background thread hung on one file"
    _assert_only_these_failed(results, names, {"hang.flac": HUNG})


def test_likewise_index_records_every_corpus_file_and_finishes(corpus: tuple[Path, list[Case]],
                                                               tmp_path: Path) -> None:
    """The real command over the whole corpus, with file permissions in force: every case as expected."""
    root, cases = corpus
    make_songs(tmp_path / "ordinary", 3)
    baseline = run_likewise(["index", str(tmp_path / "ordinary"), "--db", str(tmp_path / "ordinary.sqlite"),
                             "--jobs", "2"], tmp_path, prefix=as_ordinary_user())
    assert baseline.returncode == 0, baseline.stderr
    db = tmp_path / "corpus.sqlite"
    finished = run_likewise(["index", str(root), "--db", str(db), "--jobs", "2"], tmp_path, prefix=as_ordinary_user())
    assert finished.returncode == 0, finished.stderr
    assert "Traceback" not in finished.stderr
    tracked = [case for case in cases if case.expect != "ignored"]
    failures = sum(case.expect == "failed" for case in tracked)
    assert f"added {len(tracked)}," in finished.stdout and f"failed {failures}," in finished.stdout, finished.stdout
    assert finished.peak_rss_mb < baseline.peak_rss_mb + MEMORY_MARGIN_MB, (finished.peak_rss_mb, baseline.peak_rss_mb)
    wrong = []
    with LibraryStore(db) as store:
        assert store.counts()["pending"] == 0 and store.integrity_ok()
        stored = [track.relpath for track in store.tracks()]
        for case in cases:
            track = store.track_by_path(case.relpath)
            if case.expect == "ignored":
                inside = [path for path in stored if path == case.relpath or path.startswith(case.relpath + os.sep)]
                wrong += [f"{case.label}: should hold no tracks, has {inside}"] if inside else []
            elif track is None:
                wrong.append(f"{case.label}: missing from the store")
            else:
                wrong += mismatches(case, track.status, track.reason, track.title, track.artist, track.duration)
        assert len(stored) == len(tracked)
    assert not wrong, "\n".join(wrong)

    again = run_likewise(["index", str(root), "--db", str(db)], tmp_path, prefix=as_ordinary_user())
    assert again.returncode == 0, again.stderr
    # failures stay put, except the unreadable file: a permission may be fixed, so it is tried again
    assert f"failed 1, unchanged {len(tracked) - 1}, retried 1 " in again.stdout, again.stdout


def test_files_that_change_or_vanish_during_indexing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files deleted, replaced or truncated after the scan listed them: recorded sensibly, caught up next run."""
    songs = {song.name.split(" - ")[0]: song for song in make_songs(tmp_path / "music", 8)}
    meddled = {"001": "vanish-before", "002": "vanish-while-reading", "003": "replace", "004": "truncate-while-reading"}
    real_prepare, real_read_tags = prepare_file, read_tags

    def prepare_after_meddling(task: tuple[int, str, str], params, time_limit: float):
        what = meddled.get(task[2][:3])
        if what == "vanish-before":
            songs["001"].unlink()
        elif what == "replace":
            write_audio(songs["003"], tone(9.0, 880.0))
        return real_prepare(task, params, time_limit)

    def read_tags_then_meddle(path: Path):
        tags = real_read_tags(path)
        what = meddled.get(Path(path).name[:3])
        if what == "vanish-while-reading":
            Path(path).unlink()
        elif what == "truncate-while-reading":
            data = Path(path).read_bytes()
            Path(path).write_bytes(data[: len(data) // 3])
        return tags

    monkeypatch.setattr("likewise.index.workers.prepare_file", prepare_after_meddling)
    monkeypatch.setattr("likewise.index.prepare.read_tags", read_tags_then_meddle)
    db = tmp_path / "library.sqlite"
    summary = Indexer(tmp_path / "music", db, jobs=1).run()
    assert summary.added == 8 and not summary.interrupted
    with LibraryStore(db) as store:
        status = {track.relpath[:3]: track for track in store.tracks()}
        assert store.counts()["pending"] == 0 and store.integrity_ok()
    assert status["001"].status == "failed" and status["001"].reason == "file vanished before it could be read"
    assert status["002"].status == "failed" and "vanished" in status["002"].reason, status["002"].reason
    assert status["003"].status == "ok"
    if status["004"].status != "ok":  # a third of the file may or may not still hold a whole excerpt
        assert status["004"].status == "failed"
        assert_clear_reason(status["004"].reason)
    assert all(status[key].status == "ok" for key in ("000", "005", "006", "007"))

    monkeypatch.undo()
    summary = Indexer(tmp_path / "music", db, jobs=1).run()
    assert (summary.removed, summary.updated, summary.unchanged) == (2, 2, 4)
    with LibraryStore(db) as store:
        status = {track.relpath[:3]: track for track in store.tracks()}
    assert sorted(status) == ["000", "003", "004", "005", "006", "007"]
    assert status["004"].status == "failed"  # 1.3 s are left: too short, or a FLAC cut mid-frame
    assert_clear_reason(status["004"].reason)
    assert abs(status["003"].duration - 9.0) < 0.5, "the replaced file must be analysed again, as it is now"


def _peak_decode_mb(path: Path) -> tuple[float, str]:
    """(peak MB that numpy and Python allocated while decoding `path`, the decode's failure reason or "")."""
    tracemalloc.start()
    try:
        decode_excerpt(path, DEFAULT_PARAMS)
        reason = ""
    except AudioError as error:
        reason = str(error)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6, reason


def test_one_decode_holds_a_bounded_amount_of_memory(corpus: tuple[Path, list[Case]], tmp_path: Path) -> None:
    """A 255-channel file is refused; 8 channels at 192 kHz are mixed down a block at a time, not read whole."""
    root, _ = corpus
    peak, reason = _peak_decode_mb(root / "hostile/255 channels.ogg")
    assert peak < DECODE_LIMIT_MB, f"a 2-s file with 255 channels took {peak:.0f} MB to decode"
    assert reason == "refused: 255 channels (at most 8 are supported)", reason
    wide = write_audio(tmp_path / "8 channels.flac", tone(10.0, 440.0, 192000, channels=8), 192000)
    peak, reason = _peak_decode_mb(wide)
    assert not reason and peak < DECODE_LIMIT_MB, (peak, reason)  # read whole, 10 s would be 61 MB


def test_mp3_cover_art_leaves_duration_and_excerpt_where_they_are(corpus: tuple[Path, list[Case]]) -> None:
    """libsndfile counts a big ID3 tag as audio in an MP3 without a Xing header; the decoder must not."""
    root, _ = corpus
    for megabytes in (1, 2):
        excerpt = decode_excerpt(root / f"covers/{megabytes} MB cover.mp3", DEFAULT_PARAMS)
        assert excerpt.song_duration == pytest.approx(COVERED_SECONDS, abs=0.5), megabytes
        assert excerpt.start == pytest.approx((COVERED_SECONDS - DEFAULT_PARAMS.excerpt_seconds) / 2, abs=0.5)
        assert len(excerpt.samples) == pytest.approx(DEFAULT_PARAMS.excerpt_seconds * DEFAULT_PARAMS.sample_rate,
                                                     rel=0.01)


def test_a_query_that_is_not_audio_is_called_so(tmp_path: Path) -> None:
    synthetic_store(tmp_path / "a.db", tmp_path)
    line = one_line_error(["similar", "/etc/passwd", "--db", str(tmp_path / "a.db")], tmp_path)
    assert line.endswith("not an audio file (text)"), line


def _move_on_first_progress(folder: Path, away: Path) -> Callable[[Progress], None]:
    """An on_progress callback that moves `folder` to `away` the first time it is called: files vanish mid-run."""

    def move(_: Progress) -> None:
        if folder.exists() and not away.exists():
            folder.rename(away)

    return move


def test_songs_that_vanish_for_a_moment_are_analysed_on_the_next_run(tmp_path: Path) -> None:
    music, db = tmp_path / "music", tmp_path / "library.sqlite"
    make_songs(music / "a", MAX_WAITING + 2)  # more than a run holds before it first stores (and reports) results
    make_songs(music / "b", 4)  # scanned last: gone once the first results are stored
    summary = Indexer(music, db, jobs=1, on_progress=_move_on_first_progress(music / "b", tmp_path / "b")).run()
    assert summary.failed == 4, summary.line()
    (tmp_path / "b").rename(music / "b")
    summary = Indexer(music, db, jobs=1).run()
    assert (summary.retried, summary.failed, summary.analysed) == (4, 0, 4), summary.line()
    with LibraryStore(db) as store:
        assert store.counts() == {"ok": MAX_WAITING + 6, "pending": 0, "failed": 0}


def test_a_library_folder_that_vanishes_mid_run_stops_it_and_fails_no_song(tmp_path: Path) -> None:
    music, db = tmp_path / "music", tmp_path / "library.sqlite"
    make_songs(music, MAX_WAITING + 2)  # more than a run holds before it first stores (and reports) results
    with pytest.raises(StoreError, match="library folder .* disappeared during the run"):
        Indexer(music, db, jobs=1, on_progress=_move_on_first_progress(music, tmp_path / "away")).run()
    with LibraryStore(db) as store:
        assert store.counts()["failed"] == 0 and store.counts()["pending"] > 0
        with pytest.raises(StoreError, match="library folder .* is gone"):  # nor may a scan empty the store
            scan_library(store, music, "any-model")
        assert store.counts()["pending"] > 0
    (tmp_path / "away").rename(music)
    summary = Indexer(music, db, jobs=1).run()
    assert summary.failed == 0 and summary.resumed > 0, summary.line()
    with LibraryStore(db) as store:
        assert store.counts() == {"ok": MAX_WAITING + 2, "pending": 0, "failed": 0}
