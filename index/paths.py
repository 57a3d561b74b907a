"""Where library stores live, and how stored relative paths map to files."""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
from pathlib import Path

from likewise.audio.userdata import data_dir


def default_db_path(library_root: Path) -> Path:
    """The store for a library folder: one file per folder, keyed by its absolute path."""
    root = Path(library_root).expanduser().resolve()
    digest = hashlib.sha1(os.fsencode(str(root))).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", root.name).strip("-")[:40] or "library"
    return data_dir() / "libraries" / f"{slug}-{digest}.sqlite"


def _recent_file() -> Path:
    return data_dir() / "recent.json"


def remember_library(db_path: Path) -> None:
    """Record the store used last, so commands without --db and the desktop app find it (a convenience: a
    data folder that cannot be written only earns a warning)."""
    path = _recent_file()
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"db": os.fsdecode(Path(db_path).resolve())}, ensure_ascii=True))
        os.replace(tmp, path)
    except OSError as error:
        logging.getLogger("likewise").warning("cannot remember this library in %s: %s", path.parent,
                                              os_error_reason(error, path))


def last_library() -> Path | None:
    """The store used last, if it still exists."""
    try:
        db = Path(json.loads(_recent_file().read_text())["db"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return db if db.exists() else None


def encode_relpath(relpath: str) -> bytes:
    """Stored form of a relative path: raw bytes, so names that are not valid UTF-8 survive."""
    return relpath.replace(os.sep, "/").encode("utf-8", "surrogateescape")


def decode_relpath(stored: bytes | str) -> str:
    """Relative path (native separators) from its stored form."""
    text = stored.decode("utf-8", "surrogateescape") if isinstance(stored, bytes) else stored
    return text.replace("/", os.sep)


def display_path(relpath: str) -> str:
    """A path made printable: undecodable bytes are shown as U+FFFD."""
    return relpath.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def stored_path(path: Path | str) -> str | bytes:
    """Stored form of an absolute path (a library root): text when it is valid UTF-8, else its raw bytes."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return encode_relpath(text)
    return text


def _first_file_above(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` (or itself) that is not a folder."""
    for candidate in (Path(path), *Path(path).parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def os_error_reason(error: OSError, path: Path) -> str:
    """Why an operation on `path` failed, in words a user can act on (one line)."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: free some space and run the command again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{display_path(str(Path(path).parent))} cannot be written ({error.strerror.lower()})"
    blocker = _first_file_above(Path(path).parent) if error.errno in (errno.ENOTDIR, errno.EEXIST) else None
    if blocker is not None:
        return f"{display_path(str(blocker))} is a file, not a folder: move it aside"
    return error.strerror or str(error)
