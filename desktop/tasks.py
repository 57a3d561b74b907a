"""One way to run background work: `TaskRunner.submit(fn, on_done, on_error)`.

`fn` runs on the library thread (where the store connection lives); its result or its error (any Exception, as
one line) comes back to the GUI thread through a queued signal. Threads still winding down when their owner goes
away are kept alive here until they finish, so that closing the window never waits for them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from likewise.audio.errors import LikewiseError

_winding_down: dict[QThread, tuple] = {}  # thread -> the objects that must live as long as it runs


def error_line(error: BaseException) -> str:
    """An error as one line for the user: likewise's own messages as they are, others with their kind."""
    text = " ".join(str(error).split())
    if isinstance(error, (LikewiseError, ValueError, OSError)) and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass
class Task:
    """A function to run, and where its outcome goes."""

    fn: Callable[[], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[str], None] | None


class _Executor(QObject):
    """Lives in the worker thread; runs each task it is sent."""

    finished = Signal(object, object, str)  # Task, result, error message ("" when it succeeded)

    @Slot(object)
    def run(self, task: Task) -> None:
        try:
            result = task.fn()
        except Exception as error:  # every error reaches the GUI as a message
            self.finished.emit(task, None, error_line(error))
        else:
            self.finished.emit(task, result, "")


class TaskRunner(QObject):
    """Runs functions one at a time, in order, on its own thread; reports back on the GUI thread."""

    _send = Signal(object)  # Task, queued to the executor
    error = Signal(str)  # a task without its own on_error failed

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName(name)
        self._executor = _Executor()
        self._executor.moveToThread(self.thread)
        self._send.connect(self._executor.run)
        self._executor.finished.connect(self._finished)
        self._stopped = False
        self.thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
        """Run `fn()` on the thread, then `on_done(result)` or `on_error(message)` (default: the error signal)."""
        if not self._stopped:
            self._send.emit(Task(fn, on_done, on_error))

    def stop(self, last: Callable[[], Any] | None = None, *keep_alive: object) -> None:
        """Run `last` after the tasks already submitted, then end the thread, without waiting for it; `keep_alive`
        are objects the thread uses (they live until it ends)."""
        if self._stopped:
            return
        self._stopped = True
        self._executor.finished.disconnect(self._finished)  # nobody is listening any more

        def finish() -> None:
            if last is not None:
                last()
            QThread.currentThread().quit()

        keep_until_finished(self.thread, self._executor, *keep_alive)
        self._send.emit(Task(finish, None, None))

    def _finished(self, task: Task, result: Any, message: str) -> None:
        if message:
            (task.on_error or self.error.emit)(message)
        elif task.on_done is not None:
            task.on_done(result)


def keep_until_finished(thread: QThread, *objects: object) -> None:
    """Keep a running thread (and the objects it uses) alive after its owner is gone, until it finishes."""
    _forget_finished()
    if thread.isRunning():
        thread.setParent(None)
        _winding_down[thread] = objects


def _forget_finished() -> None:
    for thread in [thread for thread in _winding_down if thread.isFinished()]:
        del _winding_down[thread]


def wait_for_background(timeout_s: float) -> bool:
    """Wait up to `timeout_s` seconds for the threads still winding down; True when none is left."""
    deadline = time.monotonic() + timeout_s
    for thread in list(_winding_down):
        thread.wait(max(0, int((deadline - time.monotonic()) * 1000)))
    _forget_finished()
    return not _winding_down
