"""Indexing runs of the library shown: start, progress, cancel, and closing without waiting for a run to end."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from likewise.desktop.indexing import IndexingBar, IndexThread
from likewise.desktop.tasks import keep_until_finished


class IndexingController(QObject):
    """At most one run reports at a time: the one of the library shown. A run being left winds down unheard."""

    progress = Signal(object)  # index.pipeline.Progress of the current run
    finished = Signal(str, bool, bool)  # summary line or reason, interrupted, failed
    running_changed = Signal(bool)

    def __init__(self, bar: IndexingBar, jobs: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.bar = bar
        self.jobs = jobs
        self.current: IndexThread | None = None
        self._threads: list[IndexThread] = []  # every run not yet finished, including abandoned ones
        bar.cancel_requested.connect(self.cancel)

    def is_running(self) -> bool:
        """True while a run for the library shown is going."""
        return self.current is not None

    def start(self, root: Path, db: Path) -> bool:
        """Scan `root` and analyse what is new or changed into `db`, in the background; False if a run is going."""
        if self.current is not None:
            return False
        thread = IndexThread(root, db, self.jobs, self)
        thread.progress.connect(lambda progress: self._progress(thread, progress))
        thread.done.connect(lambda summary: self._done(thread, summary.line(), summary.interrupted))
        thread.failed.connect(lambda reason: self._done(thread, reason, failed=True))
        thread.finished.connect(lambda: self._thread_finished(thread))
        self.current = thread
        self._threads.append(thread)
        self.bar.start(root)
        thread.start()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        """Stop the run after storing what is finished."""
        if self.current is not None:
            self.current.cancel()

    def abandon(self) -> None:
        """Cancel the run of the library being left; it winds down on its own, unheard."""
        if self.current is not None:
            self.current.cancel()
            self.current = None
            self.bar.hide()
            self.running_changed.emit(False)

    def close(self) -> None:
        """Cancel every run and return at once: the runs end on their own (the next run resumes their work)."""
        self.abandon()
        for thread in self._threads:
            thread.cancel()
            for signal in (thread.progress, thread.done, thread.failed, thread.finished):
                signal.disconnect()
            keep_until_finished(thread)
        self._threads.clear()

    def _progress(self, thread: IndexThread, progress) -> None:
        if thread is self.current:
            self.bar.update_progress(progress)
            self.progress.emit(progress)

    def _done(self, thread: IndexThread, message: str, interrupted: bool = False, failed: bool = False) -> None:
        if thread is not self.current:
            return
        self.current = None
        self.bar.hide()
        self.running_changed.emit(False)
        self.finished.emit(message, interrupted, failed)

    def _thread_finished(self, thread: IndexThread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
            thread.deleteLater()
