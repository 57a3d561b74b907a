"""Keep playing: when the play queue runs low, the songs to append, chosen from what was heard recently.

The songs heard and not skipped steer (the newest most: recency weights in a weighted `Recommender.mix`); a song
skipped steers away (a candidate nearer a skipped song than every steering song comes after all the others). No
song played this session or waiting in the queue comes again, nor another copy of its recording; the artist and
album caps count the songs waiting and the last ones heard.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from likewise.index.recommend import Options, Recommendation, Recommender, Seed, Selection
from likewise.index.store import Track

LOW_WATER = 3  # fewer songs than this left after the one playing: time to append
BATCH = 5  # songs appended at a time
STEERING = 5  # the last songs heard (not skipped) that choose what comes next
RECENCY = 0.6  # each steering song counts this much as the one heard after it
CAPPED_WINDOW = 5  # the last songs heard (not skipped) that count towards the artist and album caps
POOL = 50  # candidates (the caps and duplicates applied) asked of the mix, for the skips to rank anew


@dataclass
class Listening:
    """What the session has heard and what waits: `history` is (track id, skipped) in play order, newest last."""

    history: list[tuple[int, bool]] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)  # the songs still to play, in order
    played: set[int] = field(default_factory=set)  # every song started this session

    def needs_more(self) -> bool:
        """Whether the queue runs low."""
        return len(self.queued) < LOW_WATER


def recency_weights(count: int) -> list[float]:
    """Weights of `count` songs in play order: the newest 1, each older one RECENCY times the next."""
    return [RECENCY ** (count - 1 - position) for position in range(count)]


def songs_to_append(recommender: Recommender, listening: Listening, options: Options | None = None,
                    count: int = BATCH) -> list[Track]:
    """Up to `count` songs to append to the queue, best first (fewer when the library runs out, none without a
    song to steer by: every song heard was skipped and none waits)."""
    options = options or Options()
    steering = _steering_songs(listening)
    seeds = _seeds(recommender, steering)
    if not seeds:
        return []
    skipped = {track_id for track_id, was_skipped in listening.history if was_skipped}
    excluded = listening.played | set(listening.queued) | {track_id for track_id, _ in listening.history}
    pool_options = replace(options, count=max(POOL, count * 4))
    weights = recency_weights(len(seeds))
    pool = recommender.mix(seeds, pool_options, exclude=excluded, seed_weights=weights,
                           chosen=_chosen_before(recommender, listening, options), enough=count)
    pool = _away_from_skips(recommender, pool, [seed.track.id for seed in seeds], skipped)
    return [item.track for item in pool[:count]]  # the pool keeps the caps as a whole, so any part of it does


def _heard_recently(listening: Listening, count: int) -> list[int]:
    """The last `count` distinct songs heard and not skipped, newest first."""
    return list(dict.fromkeys(track_id for track_id, skipped in reversed(listening.history) if not skipped))[:count]


def _steering_songs(listening: Listening) -> list[int]:
    """The last STEERING distinct songs heard and not skipped, oldest first; the queued songs if there are none."""
    return list(reversed(_heard_recently(listening, STEERING))) or list(dict.fromkeys(listening.queued))[-STEERING:]


def _seeds(recommender: Recommender, track_ids: Sequence[int]) -> list[Seed]:
    """Seeds of the songs that can be one (analysed, not removed since)."""
    seeds = []
    for track_id in track_ids:
        try:
            seeds.append(recommender.seed_for_track(track_id))
        except ValueError:
            continue
    return seeds


def _away_from_skips(recommender: Recommender, pool: list[Recommendation], steering: list[int],
                     skipped: set[int]) -> list[Recommendation]:
    """The candidates ranked anew: first those no nearer (by song vector) a skipped song than the nearest steering
    song, then the others (still eligible, so that the music goes on when only songs like a skipped one are left)."""
    search = recommender.search
    indexed = set(search.song_ids.tolist())
    avoid = [search.song_row(track_id) for track_id in skipped & indexed]
    toward = [search.song_row(track_id) for track_id in set(steering) & indexed]
    if not avoid or not toward:
        return pool
    vectors = search.song_vectors()
    candidates = [item for item in pool if item.track.id in indexed]
    near = vectors[np.array([search.song_row(item.track.id) for item in candidates], np.int64)]  # (0, dim) for none
    to_skipped = np.linalg.norm(near[:, None, :] - vectors[avoid][None, :, :], axis=2).min(axis=1)
    to_steering = np.linalg.norm(near[:, None, :] - vectors[toward][None, :, :], axis=2).min(axis=1)
    away = to_skipped >= to_steering
    return ([item for item, keep in zip(candidates, away) if keep]
            + [item for item, keep in zip(candidates, away) if not keep])


def _chosen_before(recommender: Recommender, listening: Listening, options: Options) -> Selection:
    """What the caps count before the songs appended (the songs waiting and the last ones heard, not skipped), and
    every song played this session or waiting, whose copies may not come."""
    heard = [track_id for track_id, _ in listening.history]
    known = recommender.store.tracks_by_id(sorted(listening.played | set(listening.queued) | set(heard)))
    selection = Selection(options, avoid=known.values(), search=recommender.search)
    for track_id in [*_heard_recently(listening, CAPPED_WINDOW), *listening.queued]:
        if track_id in known:
            selection.add(known[track_id])
    return selection
