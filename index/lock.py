"""A lock file that lets only one indexing run write a store at a time."""
from __future__ import annotations

import os
from pathlib import Path


class StoreBusy(Exception):
    """Another process is indexing this library."""


class IndexLock:
    """Exclusive, non-blocking lock on `<store>.lock`; released on exit or when the process dies."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".lock")
        self.handle = None

    def __enter__(self) -> "IndexLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            self.handle = None
            raise StoreBusy(f"this library is being indexed by {holder}; wait for it to finish") from error
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()}")
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.close()
            self.handle = None
