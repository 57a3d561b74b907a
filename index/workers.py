"""Running per-file preparation in worker processes, with a hard time limit per file.

Each worker is one process with a pipe for its tasks and one for its results. A thread of the parent receives every
result as soon as it is sent, so that a worker never waits for a busy parent; the parent hands each worker its next
file while the current one is still in progress. (multiprocessing.Pool was used before: its worker-handler thread
also wakes whenever results are waiting to be read, and spun through 0.4 s of CPU on 200 songs' slices.)
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from functools import partial
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from likewise.audio.features import FeatureParams
from likewise.index.prepare import Failed, Prepared, prepare_file

Task = tuple[int, str, str]  # (track id, library root, path relative to it)
TASKS_AHEAD = 2  # files each worker holds: the one in progress and the next, so it never waits for the parent
CRASHED = "the decoder crashed on this file"


def _serve(tasks: Connection, results: Connection, work: Callable[[Task], Prepared | Failed]) -> None:
    """A worker process: prepare each task received and send back its result, until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # and so is a closed terminal
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one BLAS thread per worker: the workers already use every core
    while True:
        try:
            task = tasks.recv()
        except (EOFError, OSError):  # the parent closed the pipe, or is gone
            return
        result = work(task)
        try:
            results.send(result)
        except OSError:  # the parent is gone: end quietly, not with a traceback on its terminal
            return


@contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Block SIGINT in this thread meanwhile: a process started now inherits the block from its first instant (it
    would otherwise print a KeyboardInterrupt traceback when Ctrl-C comes while it imports), and a Ctrl-C meant for
    this process waits to be handled until the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: Ctrl-C reaches console processes otherwise
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _Worker:
    """A worker process, the files it holds (in order) and when it started the first of them."""

    def __init__(self, context: multiprocessing.context.SpawnContext, work: Callable[[Task], Prepared | Failed]):
        task_end, self.tasks = context.Pipe(duplex=False)
        self.results, result_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(task_end, result_end, work), daemon=True)
        with _deaf_to_ctrl_c():
            self.process.start()
        task_end.close()
        result_end.close()  # the worker's end only: its death closes the pipe, which the receiving thread sees
        self.held: deque[Task] = deque()
        self.sent: deque[float] = deque()  # when each held file was sent
        self.since = time.monotonic()
        self.gone = False  # the receiving thread met the end of its results pipe

    def give(self, task: Task) -> None:
        """Send it a file. If the worker has just died, the file stays held and goes to its replacement."""
        now = time.monotonic()
        if not self.held:
            self.since = now
        self.held.append(task)
        self.sent.append(now)
        try:
            self.tasks.send(task)
        except OSError:  # a broken pipe: the receiving thread reports the death, and the files held move on
            pass

    def finished(self, when: float) -> Task:
        """The file whose result arrived at `when`; the next one started then, or when it was sent, if later."""
        task = self.held.popleft()
        self.sent.popleft()
        self.since = max(when, self.sent[0]) if self.sent else when
        return task

    def stop(self) -> None:
        """End the process, whatever it is doing."""
        self.held.clear()
        self.sent.clear()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.tasks.close()


class AnalysisPool:
    """Prepare files in `jobs` processes (or in this process when jobs is 1 on the main thread), yielding results.

    A file that crashes its worker is reported as Failed as soon as the worker is gone; a file that hangs past
    `hard_limit` seconds is reported as Failed and its worker ended. Either way a new worker takes the files that one
    still held, and the other workers go on.
    """

    def __init__(self, jobs: int, params: FeatureParams, time_limit: float = 60.0):
        self.jobs = max(1, jobs)
        self.work = partial(prepare_file, params=params, time_limit=time_limit)
        self.hard_limit = time_limit * 2 + 15
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self._received: queue.Queue = queue.Queue()  # (worker, result or None once it is gone, when)
        self._stop = threading.Event()
        self._receiver: threading.Thread | None = None

    def run(self, tasks: Iterable[Task], cancelled: threading.Event | None = None,
            idle: Callable[[], None] | None = None) -> Iterator[Prepared | Failed]:
        """Yield one result per task; stop within a quarter of a second once `cancelled` is set (`close` then ends
        the workers, whatever they are doing); call `idle` (if given) about every quarter second spent waiting."""
        cancelled = cancelled or threading.Event()
        source = iter(tasks)
        if self.jobs == 1 and threading.current_thread() is threading.main_thread():
            # in this process only on the main thread: elsewhere (the desktop app's indexing thread) the soft time
            # limit cannot fire, and only a worker process can be stopped
            for task in source:
                if cancelled.is_set():
                    return
                yield self.work(task)
            return
        self._fill(source)
        self._receiver = threading.Thread(target=self._receive, name="likewise-results", daemon=True)
        self._receiver.start()
        while any(worker.held for worker in self.workers) and not cancelled.is_set():
            try:
                worker, result, when = self._received.get(timeout=0.25)
            except queue.Empty:
                if idle is not None:
                    idle()
                for failed in self._end_hung():
                    self._fill(source)
                    yield failed
                continue
            if not worker.held:
                continue  # a worker ended for hanging: its end was already reported
            task = worker.finished(when)
            if result is None:
                result = Failed(task[0], CRASHED)
                self._replace(worker)
            self._fill(source)
            yield result

    def _fill(self, source: Iterator[Task]) -> None:
        """Give every worker files up to TASKS_AHEAD, starting workers (up to `jobs`) while files are left."""
        for slot in range(self.jobs):
            worker = self.workers[slot] if slot < len(self.workers) else None
            while worker is None or len(worker.held) < TASKS_AHEAD:
                task = next(source, None)
                if task is None:
                    return
                if worker is None:
                    worker = _Worker(self.context, self.work)
                    self.workers.append(worker)
                worker.give(task)

    def _receive(self) -> None:
        """On a thread: receive each worker's results as they arrive; a worker that died sends None."""
        while not self._stop.is_set():
            listening = [worker for worker in self.workers if not worker.gone]
            ready = set(wait([worker.results for worker in listening], timeout=0.1))
            for worker in listening:
                if worker.results in ready:
                    try:
                        result = worker.results.recv()
                    except Exception:  # the end of the pipe (the worker died), or a result that cannot be read
                        worker.gone, result = True, None
                        worker.results.close()
                    self._received.put((worker, result, time.monotonic()))

    def _end_hung(self) -> list[Failed]:
        """Fail the file of each worker past the hard limit, and replace that worker."""
        failed = []
        for worker in list(self.workers):
            if worker.held and time.monotonic() - worker.since >= self.hard_limit:
                failed.append(Failed(worker.finished(time.monotonic())[0],
                                     f"analysis did not finish within {self.hard_limit:.0f} s (the decoder hung)"))
                self._replace(worker)
        return failed

    def _replace(self, worker: _Worker) -> None:
        """End a worker and start another that takes the files it still held."""
        held = list(worker.held)
        worker.stop()
        new = _Worker(self.context, self.work)
        self.workers[self.workers.index(worker)] = new
        for task in held:
            new.give(task)

    def close(self) -> None:
        """Stop the worker processes, then the receiving thread (which meets the end of their pipes at once, where it
        would otherwise wait out its tenth of a second)."""
        self._stop.set()
        for worker in self.workers:
            worker.stop()
        if self._receiver is not None:
            self._receiver.join()
            self._receiver = None
        for worker in self.workers:
            if not worker.gone:
                worker.results.close()
        self.workers = []
        self._received = queue.Queue()
        self._stop.clear()
