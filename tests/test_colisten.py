"""Co-listening on the indexed demo library: learning from playlists and play logs, the saved arrays, and the
blend into similar, mixes and the radio (audio alone unchanged, co-listened songs raised, forgetting erases)."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from likewise.assets import DEMO_DIR
from likewise.index import colisten
from likewise.index.colisten import (BLEND_CAP, CoListening, colistening_path, load_colistening,
                                     refresh_colistening, train)
from likewise.index.pipeline import Indexer
from likewise.index.playlist import song_radio
from likewise.index.plays import forget_plays, record_play
from likewise.index.recommend import Options, Recommendation, Recommender, together_reason
from likewise.index.store import LibraryStore

EVERYTHING = Options(count=19, per_artist=None, per_album=None)
AUDIO_ONLY = dataclasses.replace(EVERYTHING, audio_only=True)


@pytest.fixture
def store(demo_store_copy: Path) -> LibraryStore:
    with LibraryStore(demo_store_copy) as opened:
        yield opened


def _ranking(recommender: Recommender, seed_id: int, options: Options = EVERYTHING) -> list[int]:
    return [item.track.id for item in recommender.similar(recommender.seed_for_track(seed_id), options)]


def _pair_far_apart_by_sound(store: LibraryStore) -> tuple[int, int]:
    """A song and the song audio alone ranks last for it."""
    seed = store.tracks("ok")[0].id
    return seed, _ranking(Recommender(store, colistening=None), seed, AUDIO_ONLY)[-1]


def _playlists(ids: list[int], a: int, b: int, together: int = 8, seed: int = 0) -> list[list[int]]:
    """`together` playlists holding a and b side by side among random others, and 12 of random songs alone."""
    rng = np.random.default_rng(seed)
    others = [i for i in ids if i not in (a, b)]
    shared = [[*fill[:2], a, b, *fill[2:]] for fill in (rng.choice(others, 4, replace=False).tolist()
                                                       for _ in range(together))]
    return shared + [rng.choice(others, 5, replace=False).tolist() for _ in range(12)]


def _as_tuples(items: list[Recommendation]) -> list[tuple]:
    return [(item.track.id, item.score, item.votes, item.mean_distance, item.together,
             [dataclasses.astuple(match) for match in item.matches]) for item in items]


def test_training_counts_pairs_within_the_window_and_is_deterministic() -> None:
    far = list(range(100, 100 + colisten.WINDOW + 2))  # 100 and the last song lie WINDOW + 1 apart
    sequences = [[1, 2, 3], [2, 1, 1, 4], [3], far, [5, 5]]
    learnt = train(sequences)
    assert learnt.together(1, np.array([2, 3, 4, 5, far[-1]])).tolist() == [2, 1, 1, 0, 0]
    assert learnt.together(100, np.array([far[-2], far[-1]])).tolist() == [1, 0]
    assert learnt.evidence(1) == 2 and learnt.evidence(3) == 1 and learnt.evidence(5) == 0  # [3], [5, 5]: nothing
    again = train(sequences)
    assert np.array_equal(learnt.vectors, again.vectors) and learnt.source == again.source
    assert train([[7], [8, 8]]) is None


def test_blend_weight_grows_with_evidence_up_to_its_cap() -> None:
    learnt = train([[1, 2]] * 2 + [[3, 4]] * 40)
    assert 0 < learnt.weight(1) < learnt.weight(3) == BLEND_CAP and learnt.weight(99) == 0


def test_saved_co_listening_is_plain_arrays_served_only_to_its_store(store: LibraryStore, demo_store_copy: Path,
                                                                    tmp_path: Path) -> None:
    a, b, c = [track.id for track in store.tracks("ok")[:3]]
    for number, track_id in enumerate((a, b, c)):
        record_play(store, track_id, 1000.0 + 200 * number, 200.0, 200.0)
    learnt = refresh_colistening(store)
    with np.load(colistening_path(demo_store_copy), allow_pickle=False) as saved:  # no pickled object in it
        assert set(saved.files) >= {"ids", "vectors", "contexts", "pairs", "counts"}
    loaded = load_colistening(store)
    assert loaded.source == learnt.source and np.array_equal(loaded.vectors, learnt.vectors)
    assert refresh_colistening(store).source == learnt.source  # unchanged sequences: not learnt again
    other = tmp_path / "other.sqlite"
    other.write_bytes(b"")
    with LibraryStore(other, library_root=tmp_path, create=True) as stranger:
        colistening_path(other).write_bytes(colistening_path(demo_store_copy).read_bytes())
        assert load_colistening(stranger) is None  # made for another store
    colistening_path(demo_store_copy).write_bytes(b"PK\x03\x04 damaged")
    assert load_colistening(store) is None


def test_songs_in_many_playlists_together_rank_higher_for_each_other(store: LibraryStore) -> None:
    a, b = _pair_far_apart_by_sound(store)
    ids = [track.id for track in store.tracks("ok")]
    blended = Recommender(store, colistening=train(_playlists(ids, a, b)))
    for seed, partner in ((a, b), (b, a)):
        by_sound = _ranking(blended, seed, AUDIO_ONLY).index(partner)
        results = blended.similar(blended.seed_for_track(seed), EVERYTHING)
        rank = [item.track.id for item in results].index(partner)
        assert rank < by_sound and rank <= 2, (seed, partner, by_sound, rank)
        assert together_reason(results[rank]) == "often played together (8 times)"
        assert all(item.matches for item in results)  # the moments that match are still shown


def test_play_logs_raise_the_songs_played_together(store: LibraryStore) -> None:
    a, b = _pair_far_apart_by_sound(store)
    ids = [track.id for track in store.tracks("ok")]
    started = 0.0
    for session in _playlists(ids, a, b, seed=1):  # each a listening session, a day apart
        for track_id in session:
            record_play(store, track_id, started, 200.0, 200.0)
            started += 200.0
        started += 86400.0
    refresh_colistening(store)
    recommender = Recommender(store)
    assert recommender.colistening is not None
    assert _ranking(recommender, a).index(b) < _ranking(recommender, a, AUDIO_ONLY).index(b)
    forget_plays(store)
    assert Recommender(store).colistening is None
    assert _as_tuples(Recommender(store).similar(recommender.seed_for_track(a), EVERYTHING)) == _as_tuples(
        recommender.similar(recommender.seed_for_track(a), AUDIO_ONLY))


def test_audio_only_is_exactly_the_plain_recommender(store: LibraryStore) -> None:
    ids = [track.id for track in store.tracks("ok")]
    a, b = _pair_far_apart_by_sound(store)
    plain = Recommender(store, colistening=None)
    blended = Recommender(store, plain.search, colistening=train(_playlists(ids, a, b)))
    for seed_id in ids[:6] + [b]:
        seed = plain.seed_for_track(seed_id)
        for options in (Options(), AUDIO_ONLY, Options(count=3, neighbours=1)):
            audio_only = dataclasses.replace(options, audio_only=True)
            assert _as_tuples(blended.similar(seed, audio_only)) == _as_tuples(plain.similar(seed, options))
    seeds = [plain.seed_for_track(i) for i in (a, b, ids[5])]
    assert _as_tuples(blended.mix(seeds, AUDIO_ONLY)) == _as_tuples(plain.mix(seeds, EVERYTHING))
    radio = song_radio(blended, seeds[0], 8, Options(audio_only=True))
    assert [t.id for t in radio] == [t.id for t in song_radio(plain, seeds[0], 8)]


def test_a_seed_without_co_listening_is_recommended_by_sound_alone(store: LibraryStore) -> None:
    ids = [track.id for track in store.tracks("ok")]
    unheard = ids[-1]
    learnt = train([ids[:5], ids[3:9]])
    assert learnt.evidence(unheard) == 0
    plain = Recommender(store, colistening=None)
    blended = Recommender(store, plain.search, colistening=learnt)
    seed = plain.seed_for_track(unheard)
    assert _as_tuples(blended.similar(seed, EVERYTHING)) == _as_tuples(plain.similar(seed, EVERYTHING))


def test_a_song_played_together_enters_even_when_sound_did_not_propose_it(store: LibraryStore) -> None:
    a, b = _pair_far_apart_by_sound(store)
    ids = [track.id for track in store.tracks("ok")]
    narrow = Options(count=3, per_artist=None, neighbours=1)
    blended = Recommender(store, colistening=train(_playlists(ids, a, b, together=20)))
    seed = blended.seed_for_track(a)
    assert b not in [item.track.id for item in blended.similar(seed, dataclasses.replace(narrow, audio_only=True))]
    [item] = [item for item in blended.similar(seed, narrow) if item.track.id == b]
    assert item.votes == 0 and item.together == 20 and item.matches  # measured, though no slice voted
    theirs = store.slices_of(b)[0]
    nearest = np.sqrt(((seed.vectors[:, None, :] - theirs[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    assert np.isfinite(item.mean_distance) and item.mean_distance == pytest.approx(nearest.mean(), rel=1e-3)


def test_radio_and_mix_follow_co_listening(store: LibraryStore) -> None:
    a, b = _pair_far_apart_by_sound(store)
    ids = [track.id for track in store.tracks("ok")]
    blended = Recommender(store, colistening=train(_playlists(ids, a, b, together=20)))
    seed = blended.seed_for_track(a)
    uncapped = Options(per_artist=None, per_album=None)
    assert b in [t.id for t in song_radio(blended, seed, 3, uncapped)]
    assert b not in [t.id for t in song_radio(blended, seed, 3, dataclasses.replace(uncapped, audio_only=True))]
    other = blended.seed_for_track(ids[5])
    mixed = [item.track.id for item in blended.mix([seed, other], EVERYTHING)]
    assert mixed.index(b) < [item.track.id for item in blended.mix([seed, other], AUDIO_ONLY)].index(b)


def test_playlists_in_the_library_folder_raise_their_songs_for_each_other(tmp_path: Path) -> None:
    music, db = tmp_path / "music", tmp_path / "library.sqlite"
    shutil.copytree(DEMO_DIR, music, ignore=shutil.ignore_patterns("*.py", "*.md"))
    Indexer(music, db, jobs=1).run()
    with LibraryStore(db) as store:
        a, b = _pair_far_apart_by_sound(store)
        by_sound = _ranking(Recommender(store), a).index(b)
        paths = {track.id: track.relpath for track in store.tracks("ok")}
    for number, playlist in enumerate(_playlists(list(paths), a, b)):
        (music / f"mix {number}.m3u8").write_text("".join(f"{paths[i]}\n" for i in playlist), encoding="utf-8")
    summary = Indexer(music, db, jobs=1).run()  # reads the playlists, and learns from them
    assert summary.playlists_read == 20 and summary.playlist_problems == []
    with LibraryStore(db) as store:
        blended = Recommender(store).similar(Recommender(store).seed_for_track(a), EVERYTHING)
        audio_only = _ranking(Recommender(store), a, AUDIO_ONLY)
    rank = [item.track.id for item in blended].index(b)
    assert rank < 3 <= by_sound and audio_only.index(b) == by_sound
    assert together_reason(blended[rank]) == "often played together (8 times)"


def test_nothing_to_learn_from_never_loads_gensim(tmp_path: Path) -> None:
    """A scan of a library without playlists or plays must not pay gensim's import (about a second, on every
    `likewise index` and every recorded play of a new library)."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from likewise.index.store import LibraryStore; "
            "from likewise.index.colisten import refresh_colistening; "
            f"store = LibraryStore(Path({str(tmp_path / 'fresh.sqlite')!r}), Path({str(tmp_path)!r}), create=True); "
            "assert refresh_colistening(store) is None; print('gensim' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_looking_further_for_enough_songs_asks_co_listening_once(store: LibraryStore) -> None:
    """A search whose caps leave too few songs widens, step by step; what was played together does not change with
    it, and is asked for once, not at every step."""
    a, b = _pair_far_apart_by_sound(store)
    learnt = train(_playlists([track.id for track in store.tracks("ok")], a, b))
    asked, widths = [], []
    nearest = learnt.nearest
    learnt.nearest = lambda *args: asked.append(args) or nearest(*args)
    blended = Recommender(store, colistening=learnt)
    vote = blended._vote
    blended._vote = lambda seeds, neighbours, *rest: widths.append(neighbours) or vote(seeds, neighbours, *rest)
    blended.similar(blended.seed_for_track(a), Options(count=19, per_artist=1, neighbours=1))
    assert len(widths) > 2 and len(asked) == 1, (widths, len(asked))


def test_a_new_song_given_a_removed_songs_id_inherits_none_of_its_co_listening(store: LibraryStore) -> None:
    """SQLite gives a new song the id of the last song removed; a `likewise index` stopped before it learnt again
    leaves beside the store what was learnt from the removed song's plays, which must not be served to the new
    song (nor to anyone: the file no longer matches the store's plays)."""
    ids = [track.id for track in store.tracks("ok")]
    removed, partner = max(ids), ids[0]
    started = 0.0
    for _ in range(4):  # four listening sessions of the two songs
        for track_id in (removed, partner):
            record_play(store, track_id, started, 200.0, 200.0)
            started += 200.0
        started += 86400.0
    assert refresh_colistening(store).evidence(removed) == 4
    store.remove_tracks([removed])  # its plays go with it
    [new] = store.add_pending([("brand new.mp3", 1, 0.0, "Brand new")])
    assert new == removed
    assert load_colistening(store) is None
    assert Recommender(store).colistening is None
