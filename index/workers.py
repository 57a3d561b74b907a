"""Running per-file preparation in parallel worker processes, with a hard time limit per file."""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import signal
import threading
import time
from collections import deque
from functools import partial
from typing import Iterable, Iterator

from audio.features import FeatureParams
from index.prepare import Failed, Prepared, prepare_file


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one BLAS thread per worker: the workers already use every core


class AnalysisPool:
    """Prepare files in `jobs` processes (or in this process when jobs is 1 on the main thread), yielding results.

    A file that hangs or crashes its worker past `hard_limit` seconds is reported as Failed and the workers are
    restarted; the other files in flight are resubmitted.
    """

    def __init__(self, jobs: int, params: FeatureParams, time_limit: float = 60.0):
        self.jobs = max(1, jobs)
        self.work = partial(prepare_file, params=params, time_limit=time_limit)
        self.hard_limit = time_limit * 2 + 15
        self.pool: multiprocessing.pool.Pool | None = None

    def _start(self) -> multiprocessing.pool.Pool:
        context = multiprocessing.get_context("spawn")
        return context.Pool(self.jobs, initializer=_init_worker)

    def run(self, tasks: Iterable[tuple[int, str, str]]) -> Iterator[Prepared | Failed]:
        """Yield one result per task."""
        if self.jobs == 1 and threading.current_thread() is threading.main_thread():
            # in this process only on the main thread: elsewhere (the desktop app's indexing thread) the soft time
            # limit cannot fire, and only a worker process can be stopped
            for task in tasks:
                yield self.work(task)
            return
        self.pool = self._start()
        source = iter(tasks)
        in_flight: deque = deque()
        window = self.jobs * 3

        def submit(task: tuple[int, str, str]) -> None:
            in_flight.append([task, self.pool.apply_async(self.work, (task,)), None])

        for task in source:
            submit(task)
            if len(in_flight) >= window:
                break
        while in_flight:
            entry = in_flight[0]
            if entry[2] is None:
                entry[2] = time.monotonic()
            try:
                result = entry[1].get(timeout=0.25)
            except multiprocessing.TimeoutError:
                if time.monotonic() - entry[2] < self.hard_limit:
                    continue
                in_flight.popleft()
                self.pool.terminate()
                self.pool = self._start()
                waiting = [item[0] for item in in_flight]
                in_flight.clear()
                for task in waiting:
                    submit(task)
                result = Failed(entry[0][0], f"analysis did not finish within {self.hard_limit:.0f} s (decoder hung or crashed)")
            else:
                in_flight.popleft()
            next_task = next(source, None)
            if next_task is not None:
                submit(next_task)
            yield result

    def close(self) -> None:
        """Stop the worker processes."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
