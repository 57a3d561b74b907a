"""Songs by mood: the songs nearest a point of the valence-arousal plane, and journeys from one point to another
whose every step is also close in sound to the song before."""
from __future__ import annotations

import numpy as np

from likewise.index.search import SearchIndex

MOOD_SLACK = 0.15  # a journey step may take any song this much farther from its target than the nearest one
MOOD_NEUTRAL = 0.2  # within this of 0 an axis reads as neutral in words


def mood_words(valence: float, arousal: float) -> str:
    """The mood in words, arousal first: "calm, happy", "energetic, sad", "neutral"."""
    energy = "calm" if arousal < -MOOD_NEUTRAL else "energetic" if arousal > MOOD_NEUTRAL else ""
    feeling = "sad" if valence < -MOOD_NEUTRAL else "happy" if valence > MOOD_NEUTRAL else ""
    return ", ".join(word for word in (energy, feeling) if word) or "neutral"


def _arrays(moods: dict[int, tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(track ids (n,), moods (n, 2)) of a track id -> (valence, arousal) mapping."""
    return np.fromiter(moods, np.int64, len(moods)), np.array(list(moods.values()), np.float64).reshape(-1, 2)


def nearest_moods(moods: dict[int, tuple[float, float]], point: tuple[float, float],
                  count: int) -> list[tuple[int, float]]:
    """(track id, distance) of the `count` songs whose mood lies nearest `point`, nearest first."""
    ids, points = _arrays(moods)
    distances = np.hypot(*(points - np.asarray(point, np.float64)).T)
    return [(int(ids[n]), float(distances[n])) for n in np.lexsort((ids, distances))[:count]]


def mood_journey(moods: dict[int, tuple[float, float]], search: SearchIndex, start: tuple[float, float],
                 end: tuple[float, float], length: int) -> list[int]:
    """Up to `length` songs, no repeats, from the song nearest `start` to the one nearest `end`, in even steps
    between their moods, never stepping back, and not running ahead of schedule along the way while a song allows
    it; when no free song lies ahead, the journey goes straight to its last song (so it is shorter). Each step
    takes, among the songs within MOOD_SLACK of the nearest one to its target, the one whose song vector (the
    search index's) lies nearest the previous song's."""
    rows = {int(track_id): row for row, track_id in enumerate(search.song_ids)}
    ids, points = _arrays({track_id: mood for track_id, mood in moods.items() if track_id in rows})
    if not len(ids):
        return []
    sound = np.asarray(search.songs.data)[[rows[int(i)] for i in ids]]
    start, end = np.asarray(start, np.float64), np.asarray(end, np.float64)
    first = int(np.argmin(np.hypot(*(points - start).T)))
    last = int(np.argmin(np.where(np.arange(len(ids)) == first, np.inf, np.hypot(*(points - end).T))))
    direction = (end - start) / max(float(np.linalg.norm(end - start)), 1e-9)
    progress = (points - start) @ direction  # how far along the way, in mood units
    free = np.ones(len(ids), bool)
    free[[first, last]] = False
    journey = [first]
    for target in np.linspace(points[first], points[last], min(length, len(ids)))[1:-1]:
        ahead = free & (progress >= progress[journey[-1]]) & (progress <= progress[last])
        on_time = ahead & (progress <= (target - start) @ direction + MOOD_SLACK)
        if not ahead.any():
            break
        allowed = on_time if on_time.any() else ahead
        distances = np.where(allowed, np.hypot(*(points - target).T), np.inf)
        near = np.flatnonzero(distances <= distances.min() + MOOD_SLACK)
        journey.append(int(near[np.argmin(np.linalg.norm(sound[near] - sound[journey[-1]], axis=1))]))
        free[journey[-1]] = False
    return [int(ids[n]) for n in journey + ([last] if length > 1 and len(ids) > 1 else [])]
