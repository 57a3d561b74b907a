"""Recommendations by slice voting: each slice of the seed asks the search index for its nearest slices of other
songs, and those vote for their songs. Also the "why similar" evidence: which moments of the seed matched which
moments of a result."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from likewise.index.store import LibraryStore, StoreError, Track
from likewise.index.search import SearchIndex, load_index

DUPLICATE_DISTANCE = 0.02  # mean best-match distance below this: another copy of the same recording
SCORE_FLOOR = 1e-3  # added to each seed's score before a mix takes their geometric mean (no votes: low, not 0)


@dataclass
class Options:
    """How results are chosen."""

    count: int = 10
    per_artist: int | None = 3  # at most this many results per artist (None: no cap)
    per_album: int | None = None  # at most this many results per album (None: no cap)
    suppress_duplicates: bool = True
    neighbours: int = 50  # nearest slices asked for per seed slice


@dataclass
class Match:
    """One seed moment and the moment of a result that sounds most like it."""

    seed_slice: int
    seed_time: float  # seconds into the seed song
    slice: int
    time: float  # seconds into the result song
    distance: float
    seed: int = 0  # which seed of a mix the seed moment belongs to


@dataclass
class Recommendation:
    """A similar song, how strongly it was voted for, and why."""

    track: Track
    score: float  # rank-weighted votes per seed slice
    votes: int  # neighbour slices that voted for it
    mean_distance: float  # mean distance of its best match per matching seed slice
    matches: list[Match] = field(default_factory=list)  # best first, each moment of this song once

    @property
    def similarity(self) -> float:
        """How alike its matching moments sound, 0..1 (1: the same sound): the cosine similarity that the mean
        distance between the model's unit-length moment vectors stands for."""
        return min(1.0, max(0.0, 1.0 - self.mean_distance**2 / 2.0))


@dataclass
class Seed:
    """What a query starts from: slice vectors and their times, the track they belong to, if any, and its mean tag
    probabilities (in the order of the store's tag names), if known."""

    vectors: np.ndarray
    starts: np.ndarray
    track: Track | None = None
    tag_probs: np.ndarray | None = None


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def artist_key(track: Track) -> str | None:
    artist = _norm(track.artist or track.album_artist)
    return artist or None


def _album_key(track: Track) -> str | None:
    album = _norm(track.album)
    return f"{_norm(track.album_artist or track.artist)}\x00{album}" if album else None


def title_key(track: Track) -> str | None:
    """What names a recording: artist and title, normalised; None without both."""
    title = _norm(track.title)
    return f"{_norm(track.artist)}\x00{title}" if title and track.artist else None


def is_duplicate(item: Recommendation, titles: set[str]) -> bool:
    """Another copy of the seed (near-identical sound) or of a song in `titles` (same artist and title)."""
    title = title_key(item.track)
    return item.mean_distance < DUPLICATE_DISTANCE or bool(title and title in titles)


class Recommender:
    """Answers "what sounds like this?" over one library store."""

    def __init__(self, store: LibraryStore, search: SearchIndex | None = None):
        self.store = store
        self.search = search or load_index(store)

    def seed_for_track(self, track_id: int) -> Seed:
        """The seed of a library song; ValueError if it has not been analysed."""
        track = self.store.track(track_id)
        if track is None or track.status != "ok":
            raise ValueError("this song has not been analysed" if track else f"no song with id {track_id}")
        vectors, starts = self.store.slices_of(track_id)
        if not len(vectors):
            raise StoreError(f"the analysis of {track.label} is damaged: `likewise repair` has it analysed again")
        return Seed(vectors, starts, track, self.store.genre_probs(track_id))

    def similar(self, seed: Seed, options: Options | None = None, exclude: set[int] | None = None) -> list[Recommendation]:
        """The songs most similar to the seed, best first, never the seed itself, with caps and duplicates applied."""
        return self.mix([seed], options, exclude)

    def mix(self, seeds: Sequence[Seed], options: Options | None = None,
            exclude: set[int] | None = None) -> list[Recommendation]:
        """The songs most similar to the seeds as a whole, best first: every slice of every seed votes, and a song's
        score is the geometric mean of its scores per seed, so a song close to all the seeds beats one very close to
        a single seed. Never a seed; caps as `similar` applies them, and a copy of any seed counts as a duplicate."""
        options = options or Options()
        excluded = set(exclude or ()) | {seed.track.id for seed in seeds if seed.track is not None}
        neighbours = options.neighbours
        ranked, best = self._vote(seeds, neighbours, excluded)
        chosen = self._select(seeds, ranked, options)
        # Caps and duplicates can leave too few: look further, and rank what is found there after the first
        # candidates, so the top of the list (and its scores) does not depend on how far we had to look.
        while len(chosen) < options.count and neighbours < self.search.size:
            neighbours *= 4
            further, further_best = self._vote(seeds, neighbours, excluded)
            ranked += [item for item in further if item.track.id not in best]
            best = {**further_best, **best}
            chosen = self._select(seeds, ranked, options)
        for item in chosen:  # the evidence is read only for the songs shown
            item.matches = self._matches(seeds, item.track.id, best[item.track.id])
        return chosen

    def _vote(self, seeds: Sequence[Seed], neighbours: int, excluded: set[int]) -> tuple[list[Recommendation], dict]:
        """Candidates ranked by their votes pooled over the seeds (without matches yet), and each one's best match
        per (seed, seed slice). A candidate's score is the geometric mean of its scores per seed, its distance the
        mean distance to the seed it lies nearest."""
        tallies = [self._tally(seed, neighbours, excluded) for seed in seeds]
        candidates = np.unique(np.concatenate([tally.candidates for tally in tallies]))
        scores = np.zeros((len(candidates), len(seeds)))  # each candidate's score from each seed
        votes = np.zeros(len(candidates), np.int64)
        mean_distance = np.full(len(candidates), np.inf)
        best: dict[int, dict[tuple[int, int], tuple[float, int]]] = defaultdict(dict)
        for number, tally in enumerate(tallies):
            rows = np.searchsorted(candidates, tally.candidates)
            scores[rows, number] = tally.score
            votes[rows] += tally.votes
            mean_distance[rows] = np.minimum(mean_distance[rows], tally.mean_distance)
            for owner, found in tally.best.items():
                best[owner].update({(number, seed_slice): match for seed_slice, match in found.items()})
        score = np.exp(np.log(scores + SCORE_FLOOR).mean(axis=1)) - SCORE_FLOOR
        tracks = self.store.tracks_by_id(candidates.tolist())
        ranked = [Recommendation(tracks[owner], float(score[n]), int(votes[n]), float(mean_distance[n]))
                  for n, owner in enumerate(candidates.tolist()) if owner in tracks]  # else removed since indexed
        ranked.sort(key=lambda item: (-item.score, item.mean_distance, item.track.id))
        return ranked, best

    def _tally(self, seed: Seed, neighbours: int, excluded: set[int]) -> _Tally:
        """The votes of one seed's slices for the songs of their nearest slices."""
        distances, indices = self.search.query(seed.vectors, neighbours, excluded)
        if distances.size == 0:
            return _Tally(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), np.zeros(0), {})
        rows, k = distances.shape
        owners = self.search.owners[indices].ravel()
        candidates, which = np.unique(owners, return_inverse=True)
        score = np.bincount(which, np.tile(1.0 - np.arange(k) / neighbours, rows)) / len(seed.vectors)
        votes = np.bincount(which)
        # Rows are nearest first, so a song's first slice in a row is its best match for that seed slice.
        _, first = np.unique(which * rows + np.repeat(np.arange(rows), k), return_index=True)
        mean_distance = np.bincount(which[first], distances.ravel()[first]) / np.bincount(which[first])
        best: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # track -> seed slice -> (dist, slice)
        for flat in first.tolist():
            best[int(owners[flat])][flat // k] = (float(distances.flat[flat]),
                                                  int(self.search.positions[indices.flat[flat]]))
        return _Tally(candidates, score, votes, mean_distance, best)

    def _matches(self, seeds: Sequence[Seed], owner: int,
                 found: dict[tuple[int, int], tuple[float, int]]) -> list[Match]:
        """The evidence for one result: each of its moments that is the best match of some seed moment, once, with
        the seed moment it matches best (a chorus that answers six seed moments is listed once, not six times);
        in a mix, once per seed."""
        starts = self.store.slices_of(owner)[1]
        best: dict[tuple[int, int], Match] = {}
        for (number, seed_slice), (distance, index) in found.items():
            if (number, index) not in best or distance < best[number, index].distance:
                best[number, index] = Match(seed_slice, float(seeds[number].starts[seed_slice]), index,
                                            float(starts[index]) if index < len(starts) else 0.0, distance, number)
        return sorted(best.values(), key=lambda match: (match.distance, match.slice))

    @staticmethod
    def _select(seeds: Sequence[Seed], ranked: list[Recommendation], options: Options) -> list[Recommendation]:
        selection = Selection(options, avoid=[seed.track for seed in seeds if seed.track is not None])
        chosen = []
        for item in ranked:
            if selection.admits(item.track, same_sound=item.mean_distance < DUPLICATE_DISTANCE):
                selection.add(item.track)
                chosen.append(item)
                if len(chosen) == options.count:
                    break
        return chosen


@dataclass
class _Tally:
    """One seed's votes: per candidate track (ascending ids), its score, votes and mean best-match distance; and
    its best match per seed slice."""

    candidates: np.ndarray
    score: np.ndarray
    votes: np.ndarray
    mean_distance: np.ndarray
    best: dict[int, dict[int, tuple[float, int]]]


class Selection:
    """Songs chosen one by one under the caps of `options`: at most per_artist per artist and per_album per album,
    and unless duplicates are kept, no second copy of a recording (nor a copy of a song in `avoid`)."""

    def __init__(self, options: Options, avoid: Iterable[Track] = ()):
        self.options = options
        self.per_artist: dict[str, int] = defaultdict(int)
        self.per_album: dict[str, int] = defaultdict(int)
        self.titles = {key for track in avoid if (key := title_key(track))}

    def admits(self, track: Track, same_sound: bool = False) -> bool:
        """Whether `track` may join; `same_sound`: it sounds identical to a song already there."""
        options = self.options
        if options.suppress_duplicates and (same_sound or title_key(track) in self.titles):
            return False
        artist, album = artist_key(track), _album_key(track)
        if options.per_artist is not None and artist and self.per_artist[artist] >= options.per_artist:
            return False
        return not (options.per_album is not None and album and self.per_album[album] >= options.per_album)

    def add(self, track: Track) -> None:
        """Count `track` as chosen."""
        if artist := artist_key(track):
            self.per_artist[artist] += 1
        if album := _album_key(track):
            self.per_album[album] += 1
        if title := title_key(track):
            self.titles.add(title)


def seed_from_file(path, model_dir=None) -> Seed:
    """Analyse a file that is not in the library (nothing is stored) and make it a seed.

    Raises ValueError with the reason when the file cannot be analysed. Loads the model.
    """
    from pathlib import Path

    from likewise.index.prepare import Failed, prepare_file
    from likewise.model.embedder import load_embedder
    from likewise.model.info import read_model_info

    path = Path(path).resolve()
    prepared = prepare_file((0, str(path.parent), path.name), read_model_info(model_dir).params)
    if isinstance(prepared, Failed):
        raise ValueError(prepared.reason)
    vectors, probabilities = load_embedder(model_dir).embed(prepared.slices)
    return Seed(vectors, prepared.slice_starts.astype(np.float32), tag_probs=probabilities.mean(axis=0))
