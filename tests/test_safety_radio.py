"""Song radio from a library that holds the same folder twice never plays one recording twice."""
from __future__ import annotations

import shutil
from pathlib import Path

import mutagen
import pytest

from likewise.index.pipeline import Indexer
from likewise.index.playlist import song_radio
from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore


@pytest.mark.parametrize("copies", ["same tags", "untagged, renamed"])
def test_radio_from_a_duplicated_folder_repeats_no_recording(demo_copy: Path, tmp_path: Path, copies: str) -> None:
    """Copies are known by artist and title, or (without tags) by their near-identical sound."""
    album = sorted(path for path in demo_copy.iterdir() if path.is_dir())[0]
    recording: dict[str, str] = {}  # stored path -> the demo song it is a copy of
    (tmp_path / "music" / "backup").mkdir(parents=True)
    for number, song in enumerate(sorted(album.iterdir())[:5]):
        copy = f"backup/{song.name}" if copies == "same tags" else f"backup/track{number}{song.suffix}"
        for relpath in (song.name, copy):
            shutil.copy2(song, tmp_path / "music" / relpath)
            recording[relpath] = song.name
        if copies != "same tags":
            mutagen.File(tmp_path / "music" / copy).delete()
    db = tmp_path / "library.sqlite"
    assert Indexer(tmp_path / "music", db, jobs=2).run().analysed == 10
    with LibraryStore(db) as store:
        recommender = Recommender(store)
        seed = recommender.seed_for_track(store.tracks("ok")[0].id)
        chain = song_radio(recommender, seed, 8, Options(per_artist=None))
        played = [recording[track.relpath] for track in [seed.track, *chain]]
        assert len(played) == len(set(played)) == 5, played  # every other recording once, then no more
        kept = song_radio(recommender, seed, 8, Options(per_artist=None, suppress_duplicates=False))
        assert len(kept) == 8  # --keep-duplicates still gets the copies
