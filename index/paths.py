"""Where library stores live, and how stored relative paths map to files."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

APP_NAME = "likewise"


def data_dir() -> Path:
    """The user's data folder for likewise (LIKEWISE_DATA_DIR overrides it, e.g. for tests)."""
    override = os.environ.get("LIKEWISE_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path(library_root: Path) -> Path:
    """The store for a library folder: one file per folder, keyed by its absolute path."""
    root = Path(library_root).expanduser().resolve()
    digest = hashlib.sha1(os.fsencode(str(root))).hexdigest()[:12]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", root.name).strip("-")[:40] or "library"
    return data_dir() / "libraries" / f"{slug}-{digest}.sqlite"


def _recent_file() -> Path:
    return data_dir() / "recent.json"


def remember_library(db_path: Path) -> None:
    """Record the store used last, so commands without --db and the desktop app find it."""
    path = _recent_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"db": str(Path(db_path).resolve())}))
    os.replace(tmp, path)


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
