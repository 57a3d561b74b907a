"""Song radio under its rules: a library that holds the same folder twice never plays one recording twice, and the
per-artist and per-album caps hold without ending a radio while songs they admit are left."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import mutagen
import numpy as np
import pytest

from likewise.audio.features import DEFAULT_PARAMS
from likewise.index.pipeline import Indexer
from likewise.index.playlist import build_radio, song_radio, sonic_path
from likewise.index.recommend import Options, Recommender
from likewise.index.store import Analysis, LibraryStore

ARTISTS, SONGS_EACH, ALBUM_SIZE = 6, 60, 12  # the clustered library: each artist's songs sound alike


def clustered_store(db: Path, dim: int = 16) -> list[int]:
    """A real store (made without the model) of ARTISTS artists with SONGS_EACH songs each, ALBUM_SIZE to an album,
    every artist's songs near one point of their own: a song's nearest songs are all its artist's. Its track ids."""
    rng = np.random.default_rng(1)
    with LibraryStore(db, library_root=db.parent, create=True) as store:
        store.set_analysis_settings("synthetic-model", DEFAULT_PARAMS.to_json())
        store.set_genres(["rock", "jazz"])
        files = [(f"a{artist}/{song:02d}.mp3", 1000, 1.0, f"{artist}-{song}")
                 for artist in range(ARTISTS) for song in range(SONGS_EACH)]
        ids = store.add_pending(files)
        done = []
        for number, track_id in enumerate(ids):
            artist, song = divmod(number, SONGS_EACH)
            centre = np.roll(np.eye(dim)[0], artist) + 0.1 * rng.standard_normal(dim)
            vectors = (centre + 0.01 * rng.standard_normal((4, dim))).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            tags = {"title": f"Song {artist}-{song}", "artist": f"Artist {artist}",
                    "album": f"Album {artist}-{song // ALBUM_SIZE}", "album_artist": "", "track_number": 1,
                    "year": 2000, "genre": "", "duration": 200.0}
            done.append((track_id, Analysis(tags, f"fingerprint-{number}", 0.0, vectors, np.arange(4) * 3.0, "rock",
                                            np.array([0.6, 0.4], np.float32))))
        store.save_results(done, [], "synthetic-model")
    return ids


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """The clustered library: its store and its track ids (each artist's songs in turn)."""
    db = tmp_path_factory.mktemp("clustered") / "library.sqlite"
    return db, clustered_store(db)


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
        end = next(track for track in reversed(store.tracks("ok")) if recording[track.relpath] != played[0])
        path = [recording[track.relpath] for track in sonic_path(recommender, seed.track, end, 8,
                                                                  Options(per_artist=None))]
        assert len(path) == len(set(path)), path  # a sonic path, too


def test_the_album_cap_holds_on_a_radio(clustered: tuple[Path, list[int]]) -> None:
    db, ids = clustered
    with LibraryStore(db) as store:
        recommender = Recommender(store)
        seed = recommender.seed_for_track(ids[0])
        radio = build_radio(recommender, seed, 4, Options(per_artist=None, per_album=1))
    albums = [track.album for track in [seed.track, *radio.tracks]]
    assert len(radio.tracks) == 4 and len(set(albums)) == 5, albums  # the seed's album counts


def test_a_radio_goes_on_to_other_artists_when_its_nearest_songs_are_capped(clustered: tuple[Path, list[int]]) -> None:
    """The seed's artist is at the cap after two songs, and every song near those is that artist's: the radio looks
    further for songs the cap admits instead of ending."""
    db, ids = clustered
    with LibraryStore(db) as store:
        recommender = Recommender(store)
        seed = recommender.seed_for_track(ids[0])
        radio = build_radio(recommender, seed, 10, Options(per_artist=3, per_album=2))
    played = [seed.track, *radio.tracks]
    assert len(radio.tracks) == 10 and radio.short_because == ""
    assert max(Counter(track.artist for track in played).values()) == 3
    assert max(Counter(track.album for track in played).values()) <= 2
    with LibraryStore(db) as store:  # the library can run out under the caps all the same, and says so
        recommender = Recommender(store)
        radio = build_radio(recommender, recommender.seed_for_track(ids[0]), 20, Options(per_artist=3))
    assert len(radio.tracks) == 3 * ARTISTS - 1 and "Per artist" in radio.short_because
