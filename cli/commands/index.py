"""`likewise index`: analyse a music folder into its library store (or list what failed)."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from likewise.cli.errors import CommandError
from likewise.cli.library import Library
from likewise.cli.options import add_db_option, at_least
from likewise.cli.subcommand import Subcommand
from likewise.index.paths import display_path, remember_library
from likewise.index.store import LibraryStore
from likewise.index.text import printable

log = logging.getLogger("likewise")


class _ProgressPrinter:
    """A tqdm bar on a terminal, a log line every few seconds otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.last_line = 0.0

    def __call__(self, progress) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=progress.total, unit="song", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(progress.done - self.bar.n)
            self.bar.set_postfix(failed=progress.failed, refresh=False)
        elif time.monotonic() - self.last_line >= 5 or progress.done == progress.total:
            self.last_line = time.monotonic()
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
        raise CommandError("give the music folder to index, e.g. `likewise index ~/Music`")
    from likewise.audio.discover import walk_audio_files
    from likewise.index.pipeline import Indexer, check_library_folder

    root = check_library_folder(args.folder)
    if next(walk_audio_files(root), None) is None:  # also keeps an unmounted drive from emptying its library
        raise CommandError(f"no audio files in {printable(root)}: nothing to index (if it is on a drive, is it mounted?)")
    db = library.db_for(root)
    if args.moved_from is not None:
        _move_library(db, args.moved_from, root)
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


def _move_library(db: Path, old_root: Path, root: Path) -> None:
    """Re-root the store of a library that moved from `old_root` to `root`, keeping every analysis."""
    from likewise.index.lock import IndexLock

    with IndexLock(db), LibraryStore(db, writing=True) as store:
        if store.library_root != root:
            store.move_library(old_root, root)
            log.info("moved the library from %s to %s", display_path(str(old_root)), display_path(str(root)))


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
