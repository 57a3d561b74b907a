"""A lock file that lets only one indexing run write a store at a time."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from likewise.audio.errors import LikewiseError
from likewise.index.paths import display_path, os_error_reason
from likewise.index.store import StoreError


WINDOWS_LOCKED_BYTE = 1 << 30  # msvcrt locks bytes, and a lock may lie past the end of the file


class StoreBusy(LikewiseError):
    """Another process is indexing this library."""


class LockError(StoreError):
    """The lock file cannot be made (full disk, read-only folder, a file where the folder should be)."""


class IndexLock:
    """Exclusive, non-blocking lock on `<store>.lock`; released on exit or when the process dies."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".lock")
        self.handle = None

    def __enter__(self) -> "IndexLock":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644), "r+")  # not "a+": its
            # writes would all go to the end, and each run killed while it held the lock would add its pid
        except OSError as error:
            raise self._error(error) from error
        if not self._ours():
            self.handle.close()
            self.handle = None
            raise LockError(f"{display_path(str(self.path))} is in the way of the lock file and was not made by "
                            "likewise: move it aside")
        try:
            if os.name == "nt":
                import msvcrt

                # the byte locked is the one at the position: one far past the pid, which others must still
                # read (Windows refuses reads of a locked region), the same for every run
                os.lseek(self.handle.fileno(), WINDOWS_LOCKED_BYTE, os.SEEK_SET)
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
        try:
            self.handle.seek(0)
            self.handle.write(f"pid {os.getpid()}")  # write, then cut: a full disk fails here, before any change
            self.handle.flush()
            self.handle.truncate()
        except OSError as error:
            self.__exit__()
            raise self._error(error) from error
        return self

    def _ours(self) -> bool:
        """Whether the lock file may be written: empty, a lock likewise wrote, or not a regular file (a device)."""
        info = os.fstat(self.handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return True
        self.handle.seek(0)
        return re.fullmatch(rb"(pid \d+)+", self.handle.buffer.read(256)) is not None  # pids run together:
        # left by runs killed while they held the lock, with versions that appended; bytes: it may not be text

    def _error(self, error: OSError) -> LockError:
        return LockError(f"cannot make the lock file {display_path(str(self.path))}: {os_error_reason(error, self.path)}")

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            handle, self.handle = self.handle, None
            for step in (lambda: handle.seek(0), handle.truncate, handle.close):
                try:
                    step()
                except OSError:
                    pass  # the lock goes with the handle anyway
