"""The library a subcommand works on: found from --db, FOLDER or the library used last, opened on first use."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from likewise.cli.errors import CommandError
from likewise.index.paths import default_db_path, display_path, last_library
from likewise.index.store import LibraryStore, StoreError, Track
from likewise.index.text import printable

if TYPE_CHECKING:  # the recommender loads numpy and scikit-learn: only commands that ask for songs pay for it
    from likewise.index.playlist_store import Playlist
    from likewise.index.recommend import Recommender, Seed


def resolve_db(db: Path | None, folder: Path | None = None) -> Path:
    """The store to use: --db, else the store of FOLDER, else the library used last."""
    if db is not None:
        return Path(db).expanduser()
    if folder is not None:
        return default_db_path(folder)
    last = last_library()
    if last is None:
        raise CommandError("no library yet: run `likewise index FOLDER` first (or give --db)")
    return last


def open_existing(db: Path) -> LibraryStore:
    """Open a store for reading only (a read-only store or folder works too); CommandError if there is none."""
    try:
        return LibraryStore(db, read_only=True)
    except StoreError as error:
        raise CommandError(str(error)) from error


class Library:
    """The open library handed to each subcommand: its store path, its store read-only and its recommender, each
    found or opened when first asked for (a command that writes the store takes only `db`)."""

    def __init__(self, db: Path | None = None, folder: Path | None = None) -> None:
        self.given_db, self.folder = db, folder
        self._db: Path | None = None
        self._store: LibraryStore | None = None
        self._recommender: Recommender | None = None

    def db_for(self, folder: Path | None) -> Path:
        """The store of `folder` (the --db given wins)."""
        return resolve_db(self.given_db, folder)

    @property
    def db(self) -> Path:
        """The store's path: --db, else FOLDER's store, else the library used last."""
        if self._db is None:
            self._db = self.db_for(self.folder)
        return self._db

    @property
    def store(self) -> LibraryStore:
        """The store, open for reading only; CommandError if there is none."""
        if self._store is None:
            self._store = open_existing(self.db)
        return self._store

    @property
    def recommender(self) -> Recommender:
        """The recommender over the store, built once."""
        if self._recommender is None:
            from likewise.index.recommend import Recommender

            self._recommender = Recommender(self.store)
        return self._recommender

    def seed(self, query: str) -> Seed:
        """A seed from a query: a file path (in the library or outside it) or words matched against artist and
        title."""
        from likewise.index.recommend import seed_from_file

        store = self.store
        candidate = Path(os.path.expanduser(query))
        if os.path.isfile(candidate):  # False too when no file can have that name (too long): then it is words
            try:
                relpath = str(candidate.resolve().relative_to(store.library_root))
            except ValueError:
                relpath = None
            track = store.track_by_path(relpath) if relpath else None
            if track is not None and track.status == "ok":
                return self.recommender.seed_for_track(track.id)
            try:
                return seed_from_file(candidate, indexed_with=store.analysis_settings()[0])
            except ValueError as error:
                raise CommandError(f"cannot analyse {printable(query)}: {printable(error)}") from error
        matches = store.search(query)
        if not matches:
            raise CommandError(f"no song matches {query!r} (try other words, or a file path)")
        exact = [track for track in matches if track.label.casefold() == query.casefold().strip()]
        if len(matches) > 1 and len(exact) != 1:
            listing = "\n".join(f"  {printable(track.label)}  ({printable(display_path(track.relpath))})"
                                for track in matches[:15])
            more = f"\n  ... and {len(matches) - 15} more" if len(matches) > 15 else ""
            raise CommandError(f"{query!r} matches {len(matches)} songs; be more specific:\n{listing}{more}")
        return self.recommender.seed_for_track((exact or matches)[0].id)

    def song(self, query: str) -> Track:
        """The library song a query names (as `seed` resolves it); CommandError for a file outside the library."""
        seed = self.seed(query)
        if seed.track is None:
            raise CommandError(f"{printable(query)} is not a song of the library: a path runs between two of its songs")
        return seed.track

    def writable_store(self) -> LibraryStore:
        """The store opened anew for writing (the caller closes it, best with `with`); StoreError if it cannot be."""
        return LibraryStore(self.db)

    def playlist(self, name_or_id: str) -> Playlist:
        """The stored playlist named so (case aside), or with that id; CommandError for none or several."""
        from likewise.index.playlist_store import list_playlists

        playlists = list_playlists(self.store)
        wanted = name_or_id.strip().casefold()
        found = [item for item in playlists if item.name.casefold() == wanted]
        found = found or [item for item in playlists if str(item.id) == wanted]
        if not found:
            raise CommandError(f"no playlist named {name_or_id!r}: `likewise playlists` lists them")
        if len(found) > 1:
            listing = "\n".join(f"  {item.id}  {printable(display_path(str(item.path or item.name)))}" for item in found)
            raise CommandError(f"{len(found)} playlists are named {name_or_id!r}; give one by its number:\n{listing}")
        return found[0]

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
