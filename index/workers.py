"""Running per-file preparation in parallel worker processes, with a hard time limit per file."""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
import time
from collections import deque
from functools import partial
from typing import Callable, Iterable, Iterator

from likewise.audio.features import FeatureParams
from likewise.index.prepare import Failed, Prepared, prepare_file


_started = None  # in a worker: where it reports (track id, pid) as it starts a file


def _init_worker(started) -> None:
    global _started
    _started = started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # and so is a closed terminal
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one BLAS thread per worker: the workers already use every core


def _run_reporting(work, task: tuple[int, str, str]) -> Prepared | Failed:
    """In a worker: say which process takes the file, so that the parent can tell when it dies, then do it."""
    _started.put((task[0], os.getpid()))
    return work(task)


class AnalysisPool:
    """Prepare files in `jobs` processes (or in this process when jobs is 1 on the main thread), yielding results.

    A file that crashes its worker is reported as Failed as soon as the worker is gone (the pool replaces it). A
    file that hangs past `hard_limit` seconds is reported as Failed and the workers are restarted; the other files
    in flight are resubmitted.
    """

    def __init__(self, jobs: int, params: FeatureParams, time_limit: float = 60.0):
        self.jobs = max(1, jobs)
        self.work = partial(prepare_file, params=params, time_limit=time_limit)
        self.hard_limit = time_limit * 2 + 15
        self.pool: multiprocessing.pool.Pool | None = None
        self.started = None  # the current pool's queue of (track id, pid) reports
        self.workers: dict[int, int] = {}  # track id -> pid of the worker that took it

    def _start(self) -> multiprocessing.pool.Pool:
        context = multiprocessing.get_context("spawn")
        self.started = context.SimpleQueue()  # unbuffered: a report is sent even if the worker dies right after
        self.workers = {}  # track id -> pid of the worker that took it
        return context.Pool(self.jobs, initializer=_init_worker, initargs=(self.started,))

    def _crashed(self, track_id: int) -> bool:
        """True when the worker that took this file has died."""
        while not self.started.empty():
            started_id, pid = self.started.get()
            self.workers[started_id] = pid
        pid = self.workers.get(track_id)
        return pid is not None and pid not in {child.pid for child in multiprocessing.active_children()}

    def run(self, tasks: Iterable[tuple[int, str, str]],
            cancelled: threading.Event | None = None,
            idle: Callable[[], None] | None = None) -> Iterator[Prepared | Failed]:
        """Yield one result per task; stop within a quarter of a second once `cancelled` is set (`close` then ends
        the workers, whatever they are doing); call `idle` (if given) about every quarter second spent waiting."""
        cancelled = cancelled or threading.Event()
        if self.jobs == 1 and threading.current_thread() is threading.main_thread():
            # in this process only on the main thread: elsewhere (the desktop app's indexing thread) the soft time
            # limit cannot fire, and only a worker process can be stopped
            for task in tasks:
                if cancelled.is_set():
                    return
                yield self.work(task)
            return
        self.pool = self._start()
        source = iter(tasks)
        in_flight: deque = deque()
        window = self.jobs * 3

        def submit(task: tuple[int, str, str]) -> None:
            in_flight.append([task, self.pool.apply_async(_run_reporting, (self.work, task)), None])

        for task in source:
            submit(task)
            if len(in_flight) >= window:
                break
        while in_flight and not cancelled.is_set():
            entry = in_flight[0]
            if entry[2] is None:
                entry[2] = time.monotonic()
            try:
                result = entry[1].get(timeout=0.25)
            except multiprocessing.TimeoutError:
                if idle is not None:
                    idle()
                if self._crashed(entry[0][0]):
                    in_flight.popleft()
                    result = Failed(entry[0][0], "the decoder crashed on this file")
                elif time.monotonic() - entry[2] < self.hard_limit:
                    continue
                else:
                    in_flight.popleft()
                    result = self._restart(in_flight, submit, entry[0][0])
            else:
                in_flight.popleft()
            next_task = next(source, None)
            if next_task is not None:
                submit(next_task)
            yield result

    def _restart(self, in_flight: deque, submit, track_id: int) -> Failed:
        """Replace every worker (one is stuck), resubmit the other files in flight, and fail the stuck file."""
        self.pool.terminate()
        self.pool = self._start()
        waiting = [item[0] for item in in_flight]
        in_flight.clear()
        for task in waiting:
            submit(task)
        return Failed(track_id, f"analysis did not finish within {self.hard_limit:.0f} s (the decoder hung)")

    def close(self) -> None:
        """Stop the worker processes."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
