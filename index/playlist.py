"""Song radio: a chain of songs, each similar to the one before it and to the seed; and M3U8 export."""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from index.recommend import Options, Recommendation, Recommender, Seed, artist_key
from index.store import Track

SEED_WEIGHT = 0.5  # how much the seed counts against the previous song when picking the next one


def song_radio(recommender: Recommender, seed: Seed, length: int, options: Options | None = None) -> list[Track]:
    """Up to `length` songs after the seed: no repeats, no seed, at most options.per_artist per artist.

    The list is shorter only when the library runs out of eligible songs.
    """
    options = options or Options()
    pool_options = replace(options, count=max(50, length * 2), per_artist=None, per_album=None)
    from_seed = {item.track.id: item for item in recommender.similar(seed, pool_options)}
    used: set[int] = {seed.track.id} if seed.track is not None else set()
    artists: dict[str, int] = defaultdict(int)
    if seed.track is not None and (artist := artist_key(seed.track)):
        artists[artist] += 1
    chain: list[Track] = []
    previous = seed
    while len(chain) < length:
        from_previous = {item.track.id: item for item in recommender.similar(previous, pool_options, exclude=used)}
        candidates = _score(from_previous, from_seed, used)
        pick = next((item for item in candidates if _artist_allowed(item, artists, options.per_artist)), None)
        if pick is None:
            break
        chain.append(pick.track)
        used.add(pick.track.id)
        if artist := artist_key(pick.track):
            artists[artist] += 1
        previous = recommender.seed_for_track(pick.track.id)
    return chain


def _score(from_previous: dict[int, Recommendation], from_seed: dict[int, Recommendation], used: set[int]) -> list[Recommendation]:
    scored = []
    for track_id, item in from_previous.items():
        if track_id in used:
            continue
        seed_score = from_seed[track_id].score if track_id in from_seed else 0.0
        scored.append((item.score + SEED_WEIGHT * seed_score, item))
    scored.sort(key=lambda pair: (-pair[0], pair[1].track.id))
    return [item for _, item in scored]


def _artist_allowed(item: Recommendation, artists: dict[str, int], cap: int | None) -> bool:
    artist = artist_key(item.track)
    return cap is None or not artist or artists[artist] < cap


def write_m3u8(tracks: list[Track], library_root: Path, out: Path, absolute: bool = False) -> None:
    """Write an extended M3U playlist in UTF-8; paths relative to the playlist's folder unless `absolute`."""
    out = Path(out)
    lines = ["#EXTM3U"]
    for track in tracks:
        location = Path(library_root) / track.relpath
        if not absolute:
            location = Path(os.path.relpath(location, out.resolve().parent))
        lines.append(f"#EXTINF:{round(track.duration or -1)},{track.label}")
        lines.append(location.as_posix())
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")
