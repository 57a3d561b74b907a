"""Recommendations by slice voting: each slice of the seed asks the search index for its nearest slices of other
songs, and those vote for their songs. Also the "why similar" evidence: which moments of the seed matched which
moments of a result.

A seed that was in playlists or listening sessions also has co-listening (index/colisten.py): its scores are
blended with how near each song's co-listening vector lies to the seed's, by a weight that grows with that
evidence, and the songs nearest it there become candidates too. Options.audio_only leaves the blend out."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from likewise.index.colisten import CoListening, load_colistening
from likewise.index.store import LibraryStore, StoreError, Track
from likewise.index.search import SearchIndex, load_index

DUPLICATE_DISTANCE = 0.02  # mean best-match distance below this: another copy of the same recording
SCORE_FLOOR = 1e-3  # added to each seed's score before a mix takes their geometric mean (no votes: low, not 0)
COLISTENED_CANDIDATES = 20  # songs nearest a seed's co-listening vector that join its candidates
TOGETHER_SHOWN = 2  # "often played together" from this many times
ROOM_CHECK_NEIGHBOURS = 3200  # a search this wide first asks whether the caps leave any song that could join


@dataclass
class Options:
    """How results are chosen."""

    count: int = 10
    per_artist: int | None = 3  # at most this many results per artist (None: no cap)
    per_album: int | None = None  # at most this many results per album (None: no cap)
    suppress_duplicates: bool = True
    neighbours: int = 50  # nearest slices asked for per seed slice
    audio_only: bool = False  # by sound alone: no co-listening blended in


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
    together: int = 0  # times played together with the seeds whose co-listening was blended in

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


def together_reason(item: Recommendation) -> str:
    """The co-listening part of "why similar": 'often played together (N times)', or '' when it did not count."""
    return f"often played together ({item.together} times)" if item.together >= TOGETHER_SHOWN else ""


class Recommender:
    """Answers "what sounds like this?" over one library store."""

    def __init__(self, store: LibraryStore, search: SearchIndex | None = None,
                 colistening: CoListening | None = None):
        self.store = store
        self.search = search or load_index(store)
        self.colistening = colistening or load_colistening(store)

    def seed_for_track(self, track_id: int) -> Seed:
        """The seed of a library song; ValueError if it has not been analysed."""
        track = self.store.track(track_id)
        if track is None or track.status != "ok":
            raise ValueError("this song has not been analysed" if track else f"no song with id {track_id}")
        vectors, starts = self.store.slices_of(track_id)
        if not len(vectors):
            raise StoreError(f"the analysis of {track.label} is damaged: `likewise repair` has it analysed again")
        return Seed(vectors, starts, track, self.store.genre_probs(track_id))

    def similar(self, seed: Seed, options: Options | None = None, exclude: set[int] | None = None,
                chosen: Selection | None = None, enough: int | None = None) -> list[Recommendation]:
        """The songs most similar to the seed, best first, never the seed itself, with caps and duplicates applied
        (after the songs `chosen` before, as `mix` does)."""
        return self.mix([seed], options, exclude, chosen=chosen, enough=enough)

    def mix(self, seeds: Sequence[Seed], options: Options | None = None, exclude: set[int] | None = None,
            seed_weights: Sequence[float] | None = None, chosen: Selection | None = None,
            enough: int | None = None) -> list[Recommendation]:
        """The songs most similar to the seeds as a whole, best first: every slice of every seed votes, and a song's
        score is the geometric mean of its scores per seed (weighted by `seed_weights`, one per seed, if given), so
        a song close to all the seeds beats one very close to a single seed. Never a seed; caps as `similar` applies
        them, and a copy of any seed counts as a duplicate. With `chosen` (the songs a radio or a queue holds
        already), the results go on from it under its caps: its songs count, and their copies are duplicates.
        When the caps leave fewer than options.count, the search looks further until `enough` are found (default:
        options.count), or the whole library was searched: a caller that weighs a pool of candidates but needs only
        a few (a radio's next song) does not search the whole library at every step."""
        options = options or Options()
        if seed_weights is not None and (len(seed_weights) != len(seeds) or min(seed_weights, default=1.0) < 0
                                         or not sum(seed_weights)):
            raise ValueError("a mix needs one weight per seed, none negative, not all 0")
        excluded = set(exclude or ()) | {seed.track.id for seed in seeds if seed.track is not None}
        neighbours = options.neighbours
        weights = self._blend_weights(seeds, options)
        colistened = self._colistened(seeds, weights, excluded)  # the same however far the search looks
        ranking, best = self._vote(seeds, neighbours, excluded, weights, colistened, seed_weights)
        rankings = [ranking]
        results = self._select(seeds, _in_turn(rankings), options, chosen)
        # Caps and duplicates can leave too few: look further, and rank what is found there after the first
        # candidates, so the top of the list (and its scores) does not depend on how far we had to look.
        library: list[Track] | None = None  # every analysed song, read once if the search grows wide
        while len(results) < min(options.count, enough or options.count) and neighbours < self.search.size:
            neighbours *= 4
            if neighbours >= ROOM_CHECK_NEIGHBOURS:
                library = library if library is not None else self.store.tracks("ok")
                if not self._room_left(seeds, results, options, chosen, excluded, library):
                    break  # every song not found yet is by an artist or on an album at its cap
            further, further_best = self._vote(seeds, neighbours, excluded, weights, colistened, seed_weights)
            rankings.append(further)
            best = {**further_best, **best}
            results = self._select(seeds, _in_turn(rankings), options, chosen)
        for item in results:  # the evidence is read only for the songs shown
            item.matches = self._matches(seeds, item.track.id, best.get(item.track.id, {}))
        return results

    def _room_left(self, seeds: Sequence[Seed], results: list[Recommendation], options: Options,
                   chosen: Selection | None, excluded: set[int], library: list[Track]) -> bool:
        """Whether a song of `library` not among `results` (nor excluded, nor a seed) passes the caps after them:
        when none does, a wider search can only find songs the caps turn away (the wide searches it spares take
        seconds at 20,000 songs)."""
        selection = self._selection(seeds, options, chosen)
        for item in results:
            selection.add(item.track)
        taken = excluded | {item.track.id for item in results}
        return any(track.id not in taken and selection.cap(track) is None for track in library)

    def _blend_weights(self, seeds: Sequence[Seed], options: Options) -> list[float]:
        """How much co-listening counts for each seed: 0 with audio_only, for a seed outside the library, or
        without co-listening evidence."""
        if options.audio_only or self.colistening is None:
            return [0.0] * len(seeds)
        return [self.colistening.weight(seed.track.id) if seed.track is not None else 0.0 for seed in seeds]

    def _vote(self, seeds: Sequence[Seed], neighbours: int, excluded: set[int], weights: Sequence[float],
              colistened: np.ndarray, seed_weights: Sequence[float] | None = None) -> tuple[_Ranking, dict]:
        """Candidates ranked by their votes pooled over the seeds (without matches yet), and each one's best match
        per (seed, seed slice). The candidates are the songs the seeds' slices vote for and `colistened`. A
        candidate's score is the geometric mean (weighted by `seed_weights`, if given) of its scores per seed (each
        blended with co-listening by its weight in `weights`), its distance the mean distance to the seed it lies
        nearest."""
        tallies = [self._tally(seed, neighbours, excluded) for seed in seeds]
        candidates = np.unique(np.concatenate([tally.candidates for tally in tallies] + [colistened]))
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
        together = np.zeros(len(candidates), np.int64)
        for number, weight in enumerate(weights):
            if weight > 0:
                scores[:, number] = self._blend(scores[:, number], seeds[number].track.id, candidates, weight)
                together += self.colistening.together(seeds[number].track.id, candidates)
        for n in np.flatnonzero(np.isinf(mean_distance)).tolist():  # proposed by co-listening alone
            mean_distance[n] = self._measure(seeds, int(candidates[n]), best[int(candidates[n])])
        logs = np.log(scores + SCORE_FLOOR)
        pooled = logs.mean(axis=1) if seed_weights is None else np.average(logs, axis=1, weights=seed_weights)
        score = np.exp(pooled) - SCORE_FLOOR
        order = np.lexsort((candidates, mean_distance, -score))
        return _Ranking(self.store, candidates[order], score[order], votes[order], mean_distance[order],
                        together[order]), best

    def _colistened(self, seeds: Sequence[Seed], weights: Sequence[float], excluded: set[int]) -> np.ndarray:
        """The analysed songs nearest each blended seed's co-listening vector (ascending ids, none excluded)."""
        nearest = [self.colistening.nearest(seed.track.id, COLISTENED_CANDIDATES + len(excluded))
                   for seed, weight in zip(seeds, weights) if weight > 0]
        if not nearest:  # audio alone
            return np.zeros(0, np.int64)
        found = np.unique(np.concatenate(nearest))
        return found[np.isin(found, self.search.song_ids) & ~np.isin(found, list(excluded))]

    def _blend(self, audio: np.ndarray, seed_id: int, candidates: np.ndarray, weight: float) -> np.ndarray:
        """One seed's audio scores blended with the candidates' co-listening similarity to it (0..1), scaled so
        that the song most likely played with the seed scores as the best-voted one does by sound."""
        scale = audio.max() if len(audio) and audio.max() > 0 else 1.0
        return (1.0 - weight) * audio + weight * scale * self.colistening.similarity(seed_id, candidates)

    def _measure(self, seeds: Sequence[Seed], owner: int, found: dict[tuple[int, int], tuple[float, int]]) -> float:
        """For a song no seed slice voted for: each seed slice's best match in it, into `found`, and its mean
        distance to the seed it lies nearest."""
        row = self.search.song_row(owner)
        begin, end = self.search.bounds[row], self.search.bounds[row + 1]
        nearest = np.inf
        for number, seed in enumerate(seeds):
            squared = self.search.squared_distances(seed.vectors, np.arange(begin, end))
            index = squared.argmin(axis=1)
            distances = np.sqrt(np.maximum(squared[np.arange(len(squared)), index], 0.0))
            for seed_slice, (distance, slice_index) in enumerate(zip(distances.tolist(), index.tolist())):
                found[(number, seed_slice)] = (distance, int(self.search.positions[begin + slice_index]))
            nearest = min(nearest, float(distances.mean()))
        return nearest

    def _tally(self, seed: Seed, neighbours: int, excluded: set[int]) -> _Tally:
        """The votes of one seed's slices for the songs of their nearest slices: each seed slice gives each song one
        vote, weighted by the rank of that song's nearest slice (a song with many merely-near slices, a "hub", would
        otherwise outvote an exact copy of the seed)."""
        distances, indices = self.search.query(seed.vectors, neighbours, excluded)
        if distances.size == 0:
            return _Tally(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64), np.zeros(0), {})
        rows, k = distances.shape
        owners = self.search.owners[indices].ravel()
        candidates, which = np.unique(owners, return_inverse=True)
        votes = np.bincount(which)
        # Rows are nearest first, so a song's first slice in a row is its best match for that seed slice.
        _, first = np.unique(which * rows + np.repeat(np.arange(rows), k), return_index=True)
        voter = which[first]  # every song a seed slice voted for, once per seed slice
        weight = np.tile(1.0 - np.arange(k) / neighbours, rows)[first]
        score = np.bincount(voter, weight, minlength=len(candidates)) / len(seed.vectors)
        mean_distance = np.bincount(voter, distances.ravel()[first]) / np.bincount(voter)
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
        starts = self.store.slice_starts(owner)
        best: dict[tuple[int, int], Match] = {}
        for (number, seed_slice), (distance, index) in found.items():
            if (number, index) not in best or distance < best[number, index].distance:
                best[number, index] = Match(seed_slice, float(seeds[number].starts[seed_slice]), index,
                                            float(starts[index]) if index < len(starts) else 0.0, distance, number)
        return sorted(best.values(), key=lambda match: (match.distance, match.slice))

    def _selection(self, seeds: Sequence[Seed], options: Options, before: Selection | None) -> Selection:
        """The selection results join: after the songs chosen `before` (under their caps) or empty (under the caps
        of `options`), with no copy of a seed."""
        selection = before.copy() if before is not None else Selection(options, search=self.search)
        for seed in seeds:
            if seed.track is not None:
                selection.avoid(seed.track)
        return selection

    def _select(self, seeds: Sequence[Seed], ranked: Iterable[Recommendation], options: Options,
                before: Selection | None = None) -> list[Recommendation]:
        """The first options.count candidates admitted under the caps of `options`, or after the songs chosen
        `before` under theirs; never a copy of a seed or of another result."""
        selection = self._selection(seeds, options, before)
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


class _Ranking:
    """Candidates in rank order (score, then distance, then id), made into Recommendations only as far as they are
    read: the caps rarely look past the first few dozen of a few thousand candidates, and reading every
    candidate's track from the store took longer than the vote."""

    CHUNK = 64  # tracks read from the store at a time

    def __init__(self, store: LibraryStore, ids: np.ndarray, score: np.ndarray, votes: np.ndarray,
                 mean_distance: np.ndarray, together: np.ndarray):
        self.store, self.ids, self.score, self.votes = store, ids, score, votes
        self.mean_distance, self.together = mean_distance, together
        self._tracks: dict[int, Track] = {}
        self._read: set[int] = set()  # the chunks read, by their start

    def items(self, skip: set[int]) -> Iterator[Recommendation]:
        """The candidates best first, but those in `skip` (and those removed from the library since indexed)."""
        for start in range(0, len(self.ids), self.CHUNK):
            chunk = self.ids[start:start + self.CHUNK].tolist()
            if start not in self._read:
                self._tracks.update(self.store.tracks_by_id(chunk))
                self._read.add(start)
            for n, owner in enumerate(chunk, start):
                if owner not in skip and owner in self._tracks:
                    yield Recommendation(self._tracks[owner], float(self.score[n]), int(self.votes[n]),
                                         float(self.mean_distance[n]), together=int(self.together[n]))


def _in_turn(rankings: list[_Ranking]) -> Iterator[Recommendation]:
    """The first ranking's candidates, then each later one's that no earlier ranking had."""
    seen: set[int] = set()
    for ranking in rankings:
        yield from ranking.items(seen)
        seen |= set(ranking.ids.tolist())


class Selection:
    """Songs chosen one by one under the caps of `options`: at most per_artist per artist and per_album per album,
    and unless duplicates are kept, no second copy of a recording (nor a copy of a song in `avoid`). A copy has the
    same artist and title, or (given the library's `search` index) a song vector within DUPLICATE_DISTANCE."""

    def __init__(self, options: Options, avoid: Iterable[Track] = (), search: SearchIndex | None = None):
        self.options = options
        self.search = search
        self.per_artist: dict[str, int] = defaultdict(int)
        self.per_album: dict[str, int] = defaultdict(int)
        self.titles: set[str] = set()
        self.rows: list[int] = []  # the song rows (in `search`) of the songs chosen or avoided
        self._sounds: np.ndarray | None = None  # their song vectors, gathered when first needed
        for track in avoid:
            self.avoid(track)

    def copy(self) -> Selection:
        """The same songs counted, to go on from without changing this selection."""
        other = Selection(self.options, search=self.search)
        other.per_artist.update(self.per_artist)
        other.per_album.update(self.per_album)
        other.titles, other.rows, other._sounds = set(self.titles), list(self.rows), self._sounds
        return other

    def admits(self, track: Track, same_sound: bool = False) -> bool:
        """Whether `track` may join; `same_sound`: it sounds identical to a song already there."""
        if self.cap(track) is not None:  # the cheap test first: most candidates of a long radio fail it
            return False
        return not (self.options.suppress_duplicates and (same_sound or self.repeats(track)))

    def repeats(self, track: Track) -> bool:
        """Whether `track` is another copy of a recording chosen or avoided: same artist and title, or same sound."""
        if title_key(track) in self.titles:
            return True
        row = self._row(track)
        if row is None or not self.rows:
            return False
        vectors = self.search.song_vectors()
        if self._sounds is None or len(self._sounds) != len(self.rows):
            self._sounds = vectors[self.rows]
        return bool(np.min(np.linalg.norm(self._sounds - vectors[row], axis=1)) < DUPLICATE_DISTANCE)

    def cap(self, track: Track) -> str | None:
        """Which cap rules `track` out: "artist", "album", or None."""
        options, artist, album = self.options, artist_key(track), _album_key(track)
        if options.per_artist is not None and artist and self.per_artist[artist] >= options.per_artist:
            return "artist"
        if options.per_album is not None and album and self.per_album[album] >= options.per_album:
            return "album"
        return None

    def add(self, track: Track) -> None:
        """Count `track` as chosen."""
        if artist := artist_key(track):
            self.per_artist[artist] += 1
        if album := _album_key(track):
            self.per_album[album] += 1
        self.avoid(track)

    def avoid(self, track: Track) -> None:
        """Admit no other copy of `track`'s recording (without counting it towards the caps)."""
        if title := title_key(track):
            self.titles.add(title)
        if (row := self._row(track)) is not None:
            self.rows.append(row)

    def _row(self, track: Track) -> int | None:
        """The track's song row in `search`; None without the index or when the track is not in it."""
        if self.search is None:
            return None
        try:
            return self.search.song_row(track.id)
        except KeyError:
            return None


def seed_from_file(path, model_dir=None, indexed_with: str | None = None) -> Seed:
    """Analyse a file that is not in the library (nothing is stored) and make it a seed.

    `indexed_with`: the model the library was analysed by (its store's), if it has one; StoreError when that is
    not the installed model, whose vectors could not be compared with the library's. Raises ValueError with the
    reason when the file cannot be analysed. Loads the model.
    """
    from pathlib import Path

    from likewise.index.prepare import Failed, prepare_file
    from likewise.index.text import printable
    from likewise.model.embedder import load_embedder
    from likewise.model.info import read_model_info

    info = read_model_info(model_dir)
    path = Path(path).resolve()
    prepared = prepare_file((0, str(path.parent), path.name), info.params)
    if isinstance(prepared, Failed):
        raise ValueError(prepared.reason)
    if indexed_with is not None and indexed_with != info.model_id:
        raise StoreError(f"the library was analysed by the model {printable(indexed_with)}, not by the installed "
                         f"{printable(info.model_id)}: run `likewise index` to analyse it again, then a file outside "
                         "it can be compared with its songs")
    vectors, probabilities = load_embedder(model_dir).embed(prepared.slices)
    return Seed(vectors, prepared.slice_starts.astype(np.float32), tag_probs=probabilities.mean(axis=0))
