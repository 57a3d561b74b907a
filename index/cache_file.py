"""Caches kept beside a store as plain arrays (numpy .npz, never pickled objects: a file found beside a store must
not be able to run code), each made for a key (what it was computed from) and served only for that key, intact."""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def digest(arrays: dict[str, np.ndarray]) -> str:
    """A hash of the arrays' names, shapes, types and contents."""
    hashed = hashlib.blake2b(digest_size=20)
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        hashed.update(f"{name}{array.dtype.str}{array.shape}".encode())
        hashed.update(array.data)
    return hashed.hexdigest()


def read_arrays(path: Path, key: str, names: Sequence[str]) -> dict[str, np.ndarray] | None:
    """The arrays `names` of the cache at `path` when it is a regular file made for `key` whose contents check out;
    else None (missing, truncated, corrupt, another key, or not ours: all mean "compute it again")."""
    try:  # non-blocking, no links followed: a FIFO or a device in its place must not hang or feed us
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        try:
            with np.load(handle, allow_pickle=False) as cached:
                if str(cached["key"]) != key:
                    return None
                arrays = {name: cached[name] for name in names}
                stored_digest = str(cached["digest"])
        except Exception:
            return None
    return arrays if digest(arrays) == stored_digest else None


def write_arrays(path: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Save `arrays` for `key` at `path`: a new file renamed into place, never written through what is there (a
    link, a FIFO or a folder in its place is left alone). A cache that cannot be written is only slower next time."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "wb") as handle:
            np.savez(handle, key=np.array(key), digest=np.array(digest(arrays)), **arrays)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
