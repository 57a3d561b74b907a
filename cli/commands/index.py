"""`likewise index`: analyse a music folder into its library store (or list what failed)."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from likewise.cli.errors import CommandError, UsageError
from likewise.cli.library import Library
from likewise.cli.options import add_db_option, at_least
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import default_db_path, display_path, remember_library
from likewise.index.store import TEMPORARY_SUFFIXES, LibraryStore, open_elsewhere
from likewise.index.text import printable

log = logging.getLogger("likewise")


class _ProgressPrinter:
    """A tqdm bar on a terminal, a log line every few seconds otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.last_line = 0.0
        self.said_all = False  # the run reports its last count again when it stores the last songs

    def __call__(self, progress) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=progress.total, unit="song", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(progress.done - self.bar.n)
            self.bar.set_postfix(failed=progress.failed, refresh=False)
        elif not self.said_all and (time.monotonic() - self.last_line >= 5 or progress.done == progress.total):
            self.last_line, self.said_all = time.monotonic(), progress.done == progress.total
            eta = f", {progress.eta:.0f} s left" if progress.eta is not None else ""
            log.info("analysed %d/%d songs (%d failed), %.1f songs/s%s", progress.done, progress.total,
                     progress.failed, progress.rate, eta)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_index(library: Library, args: argparse.Namespace) -> int:
    if args.failures:
        return _print_failures(library)
    if args.folder is None:
        raise UsageError("give the music folder to index, e.g. `likewise index ~/Music`")
    from likewise.audio.discover import walk_audio_files
    from likewise.index.pipeline import Indexer, check_library_folder

    root = check_library_folder(args.folder)
    if next(walk_audio_files(root), None) is None:  # also keeps an unmounted drive from emptying its library
        raise CommandError(f"no audio files in {printable(root)}: nothing to index (if it is on a drive, is it mounted?)")
    db = library.db_for(root)
    if args.moved_from is not None:
        old_db = db if args.db is not None else default_db_path(args.moved_from)
        if not old_db.exists() and db.exists():  # moved by an earlier run
            old_db = db
        _move_library(old_db, db, args.moved_from, root)
    printer = _ProgressPrinter()
    indexer = Indexer(root, db, jobs=_capped_jobs(args.jobs), on_progress=printer)
    log.info("indexing %s into %s", printable(root), printable(db))
    try:
        with _stop_on_signals(indexer) as stopped_by:
            summary = indexer.run()
    finally:
        printer.close()
    remember_library(db)
    print(summary.line())
    if summary.failed:
        given = f" --db {printable(db)}" if args.db is not None else ""  # else this library is now the last one
        print(f"{summary.failed} file(s) could not be analysed: see `likewise index --failures{given}`")
    return 128 + stopped_by[0] if stopped_by else 130 if summary.interrupted else 0


def _capped_jobs(jobs: int | None) -> int | None:
    """--jobs, at most one worker per core (more only add memory and contention)."""
    cores = os.cpu_count() or 1
    if jobs is not None and jobs > cores:
        log.warning("--jobs %d is more than the %d cores here: using %d", jobs, cores, cores)
        return cores
    return jobs


@contextmanager
def _stop_on_signals(indexer) -> Iterator[list[int]]:
    """While indexing, SIGTERM and SIGHUP stop the run as the window's Cancel does (what is finished is stored, the
    workers end; while analysing, within a quarter of a second); yields the list that receives such signals.

    The run is cancelled rather than interrupted: a KeyboardInterrupt raised from a signal handler can land inside
    the worker pool's own locking and leave its shutdown waiting for ever (seen once, in CI)."""
    received: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        indexer.cancel()

    names = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in names}
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()  # started now, it inherits the ignored SIGHUP: a closed terminal signals the
    for number in names:  # whole process group, and the tracker must outlive the workers' clean-up
        signal.signal(number, stop)
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _move_library(old_db: Path, db: Path, old_root: Path, root: Path) -> None:
    """Re-root the store `old_db` of a library that moved from `old_root` to `root`, keeping every analysis; when `db`
    is another path (the moved folder's own store), move the store there. A store at `db` is never replaced."""
    from likewise.index.lock import IndexLock

    with IndexLock(old_db), IndexLock(db) if db != old_db else nullcontext():
        if db != old_db:
            in_the_way = [path for path in _store_files(db) if path.exists() or path.is_symlink()]
            if in_the_way:
                raise CommandError(f"{printable(display_path(str(in_the_way[0])))} is where the store of "
                                   f"{printable(root)} goes: move it aside (or give the store to use with --db)")
            if open_elsewhere(old_db):
                raise CommandError(f"the store {printable(display_path(str(old_db)))} is open in another program "
                                   "(likewise desktop?): close it, then run this again")
        with LibraryStore(old_db, writing=True) as store:
            if store.library_root != root:
                store.move_library(old_root, root)
                log.info("moved the library from %s to %s", display_path(str(old_root)), display_path(str(root)))
        if db != old_db:
            _move_store(old_db, db)


def _store_files(db: Path) -> list[Path]:
    """A store and the files SQLite keeps beside it (its -wal holds part of it)."""
    return [Path(str(db) + suffix) for suffix in TEMPORARY_SUFFIXES]


def _move_store(old_db: Path, db: Path) -> None:
    """Move a closed store (a single file, then), its search index and its co-listening from `old_db` to `db` (the
    same folder), each with one rename: at every moment the store has one name. The check for a store at `db`, done
    under the lock on `db`, stands for the rename. The lock files stay: each name has its own, and both are held."""
    from likewise.index.colisten import colistening_path
    from likewise.index.search import cache_path

    os.rename(old_db, db)
    for beside in (cache_path, colistening_path):
        if beside(old_db).exists():
            os.replace(beside(old_db), beside(db))  # one found there was made from another store: never served


def _print_failures(library: Library) -> int:
    failed = library.store.tracks("failed")
    for track in failed:
        print(f"{printable(display_path(track.relpath))}\t{printable(track.reason)}")
    if not failed:
        print("no failures")
    return 0


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, nargs="?", metavar="FOLDER", help="the music folder")
    add_db_option(parser, "library store (default: one per folder in your user data folder)")
    parser.add_argument("--jobs", type=at_least(1), default=None, metavar="N",
                        help="worker processes for decoding (default: all cores)")
    parser.add_argument("--failures", action="store_true", help="list the files that could not be analysed, and why")
    parser.add_argument("--moved-from", type=Path, metavar="OLD",
                        help="the library moved or was renamed from OLD: keep the store's analyses for FOLDER")


INDEX = Subcommand(
    "index", help="analyse a music folder (only what is new or changed)",
    description="Analyse a music folder into its library store. Only new or changed files are analysed; moved files "
                "keep their analysis.",
    add_arguments=_add_arguments, run=run_index)
