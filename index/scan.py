"""Diffing a music folder against the store: what is new, changed, moved, vanished or unchanged."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from likewise.audio.discover import FoundFile, walk_files
from likewise.audio.formats import format_of
from likewise.audio.tags import title_from_filename
from likewise.index.fingerprint import file_fingerprint
from likewise.index.playlist_files import is_playlist_file
from likewise.index.prepare import caused_by_environment
from likewise.index.store import LibraryStore, StoreError


@dataclass
class ScanCounts:
    """How many files of each kind a scan found."""

    added: int = 0
    updated: int = 0
    moved: int = 0
    removed: int = 0
    unchanged: int = 0
    reanalysed: int = 0  # analysed with another model or other feature parameters
    resumed: int = 0  # left pending by an interrupted run
    retried: int = 0  # failed for a reason outside the file (vanished, unreadable) and tried again
    unreadable: int = 0  # folders or files that could not be read: their songs are kept as they were


@dataclass
class ScanResult(ScanCounts):
    """What a scan found and already applied to the store (moves, removals, new pending rows)."""

    to_analyse: list[tuple[int, str]] = field(default_factory=list)  # (track id, relpath)
    playlist_files: list[FoundFile] = field(default_factory=list)  # for index/playlist_store.sync_playlists
    cancelled: bool = False  # the walk was cut short: nothing was applied, and nothing here is the whole folder


def _needs_analysis(status: str, analysed_by: str | None, model_id: str) -> bool:
    """An unchanged file still waiting from an interrupted run, or analysed by another model."""
    return status == "pending" or (status == "ok" and analysed_by != model_id)


def _within(relpath: str, places: list[str]) -> bool:
    """Whether `relpath` is one of `places` (paths relative to the library root, "." for the root) or below one."""
    return any(place in (".", relpath) or relpath.startswith(place + os.sep) for place in places)


def scan_library(store: LibraryStore, root: Path, model_id: str,
                 cancelled: threading.Event | None = None) -> ScanResult:
    """Walk `root`, apply moves and removals to the store, queue new and changed files; return the plan, with the
    playlist files found on the way. If `cancelled` is set during the walk, return at once, the store untouched.

    Unchanged files (same size and mtime, analysed by the current model) cost one stat each: nothing is read.
    """
    result = ScanResult()
    known = store.track_states()
    left_out = store.left_out()
    found: dict[str, FoundFile] = {}
    unreadable: list[str] = []
    for item in walk_files(root, lambda name: format_of(name) is not None or is_playlist_file(name), unreadable):
        if cancelled is not None and cancelled.is_set():
            return ScanResult(cancelled=True)
        if is_playlist_file(item.relpath):
            result.playlist_files.append(item)
        elif left_out.get(item.relpath) != (item.size, item.mtime):  # removed by hand, and unchanged since
            found[item.relpath] = item
    if not root.is_dir():  # gone while it was walked: its songs are not gone
        raise StoreError(f"the library folder {root} is gone (unplugged or renamed?): nothing was changed")
    if known and not found and not unreadable:
        raise StoreError(f"no audio files in {root}, whose store holds {len(known)} songs: nothing was changed "
                         "(if it is on a drive, is it mounted?)")
    result.unreadable = len(unreadable)
    came_back = [path for path in left_out if path in found]  # removed by hand, then changed
    if came_back:
        store.let_back(came_back)
    retry = {track.relpath for track in store.tracks("failed") if caused_by_environment(track.reason or "")}

    new_paths = [path for path in found if path not in known]
    vanished = {path: state for path, state in known.items() if path not in found and not _within(path, unreadable)}
    changed_ids, changed_stats = [], []
    stale_ids = []
    queued: dict[int, str] = {}  # track id -> relpath, for files already in the store
    for path, item in found.items():
        state = known.get(path)
        if state is None:
            continue
        track_id, size, mtime, _fingerprint, status, analysed_by = state
        if size != item.size or mtime != item.mtime:
            changed_ids.append(track_id)
            changed_stats.append((item.size, item.mtime))
            queued[track_id] = path
            result.updated += 1
        elif _needs_analysis(status, analysed_by, model_id) or path in retry:
            stale_ids.append(track_id)
            queued[track_id] = path
            result.resumed += status == "pending"
            result.reanalysed += status == "ok"
            result.retried += status == "failed"
        else:
            result.unchanged += 1

    # A new path whose content matches a vanished analysed file is that file, moved or renamed.
    by_fingerprint = {
        state[3]: (path, state) for path, state in vanished.items() if state[3]
    }
    truly_new = []
    for path in new_paths:
        item = found[path]
        match = None
        if by_fingerprint:
            try:
                match = by_fingerprint.pop(file_fingerprint(root / path), None)
            except OSError:
                match = None
        if match is None:
            truly_new.append(item)
            continue
        old_path, state = match
        del vanished[old_path]
        store.move_track(state[0], path, item.size, item.mtime)
        result.moved += 1
        if _needs_analysis(state[4], state[5], model_id):
            stale_ids.append(state[0])
            queued[state[0]] = path

    store.remove_tracks([state[0] for state in vanished.values()])
    result.removed = len(vanished)
    store.note_changed(changed_ids, changed_stats)  # their old analysis is served until the new one is stored
    store.mark_pending(stale_ids)
    new_ids = store.add_pending(
        [(item.relpath, item.size, item.mtime, title_from_filename(Path(item.relpath))[1]) for item in truly_new]
    )
    result.added = len(new_ids)
    result.to_analyse = [(track_id, item.relpath) for track_id, item in zip(new_ids, truly_new)]
    result.to_analyse += sorted(queued.items(), key=lambda pair: pair[1])
    return result
