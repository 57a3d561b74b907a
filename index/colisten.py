"""Co-listening vectors (item2vec): songs heard or listed together, learnt from playlists and listening sessions
with gensim's Word2Vec (skip-gram with negative sampling; a sequence is a sentence, a song a word); and how often
each pair of songs lay within WINDOW songs of each other in one sequence ("played together N times").

How near two songs are is the model's own estimate that one is played with the other: the sigmoid of a song's
vector dotted with the other's context vector, both ways round, averaged. (The cosine of two songs' vectors, the
usual item2vec measure, says instead that they are played in the same company: two songs always played with
each other and otherwise with anything score low on it.)

What is learnt stays beside the store, in `<store>.colisten`: plain arrays (numpy .npz, never a gensim model,
which pickles), served only to the store it was made for while its plays and playlists are those it was saved for
(a song removed, whose id a new song may be given, takes its plays with it). It is retrained from scratch, which
is cheap (seconds for 10,000 songs in 1,000 playlists, tests/bench/bench_personal.py), whenever the sequences
changed; forgetting the plays (index/plays.py) removes it.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from likewise.index.cache_file import read_arrays, write_arrays
from likewise.index.playlist_store import playlist_sequences
from likewise.index.plays import listening_sessions, plays_stamp
from likewise.index.search import store_id
from likewise.index.store import LibraryStore, StoreError, describe_error

WINDOW = 10  # songs either side that count as context, for the vectors and the pair counts
DIMENSIONS = 32
NEGATIVE = 5  # negative samples per pair
TOKEN_BUDGET = 300_000  # song occurrences times epochs: small histories get more epochs, large ones fewer
MIN_EPOCHS, MAX_EPOCHS = 5, 200
EVIDENCE_HALF = 2  # sequences at which a song's co-listening weighs half, on its way up to ...
BLEND_CAP = 0.8  # ... this weight: the audio always keeps 20 % (both chosen on bench_personal's valid playlists)
CACHE_VERSION = 2
_ARRAYS = ("ids", "vectors", "contexts", "occurrences", "pairs", "counts", "source", "stamp")
_MAX_ID = 2**31  # ids are packed two to an int64 while counting pairs


@dataclass
class CoListening:
    """What co-listening taught: a vector per song, and how often pairs of songs were together."""

    ids: np.ndarray  # (S,) int64 track ids, ascending
    vectors: np.ndarray  # (S, DIMENSIONS) float32, each song's vector
    contexts: np.ndarray  # (S, DIMENSIONS) float32, each song's vector as the context of another
    occurrences: np.ndarray  # (S,) int64 sequences each song is in
    pairs: np.ndarray  # (P, 2) int64 (song, other song), both ways round, sorted
    counts: np.ndarray  # (P,) int64 sequences in which the pair lay within WINDOW songs of each other
    source: str  # digest of the sequences it was learnt from

    def _row(self, track_id: int) -> int | None:
        row = int(np.searchsorted(self.ids, track_id))
        return row if row < len(self.ids) and self.ids[row] == track_id else None

    def evidence(self, track_id: int) -> int:
        """In how many playlists and listening sessions the song was (0: unknown here)."""
        row = self._row(track_id)
        return 0 if row is None else int(self.occurrences[row])

    def weight(self, track_id: int) -> float:
        """How much co-listening counts for this seed: n / (n + EVIDENCE_HALF) for n sequences, at most BLEND_CAP."""
        evidence = self.evidence(track_id)
        return min(BLEND_CAP, evidence / (evidence + EVIDENCE_HALF))

    def _togetherness(self, row: int, rows: np.ndarray) -> np.ndarray:
        """The model's probability, 0..1, that the songs of `rows` are played with the song of `row`."""
        logits = (self.vectors[rows] @ self.contexts[row] + self.contexts[rows] @ self.vectors[row]) / 2.0
        return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))

    def similarity(self, track_id: int, others: np.ndarray) -> np.ndarray:
        """How much more likely than usual each of `others` is played with the song: 1 for the song most likely
        played with it, 0 for one no more likely than the median song (or less), or without co-listening."""
        result = np.zeros(len(others))
        row = self._row(track_id)
        if row is None or not len(others) or len(self.ids) < 2:
            return result
        togetherness = self._togetherness(row, np.arange(len(self.ids)))
        everyone = np.delete(togetherness, row)
        usual, best = np.median(everyone), everyone.max()
        rows = np.minimum(np.searchsorted(self.ids, others), len(self.ids) - 1)
        known = (self.ids[rows] == others) & (rows != row)
        if best > usual:
            result[known] = np.clip((togetherness[rows[known]] - usual) / (best - usual), 0.0, 1.0)
        return result

    def nearest(self, track_id: int, count: int) -> np.ndarray:
        """The ids of the `count` songs most likely played with the song (none when it has no co-listening)."""
        row = self._row(track_id)
        if row is None:
            return np.zeros(0, np.int64)
        similarity = self._togetherness(row, np.arange(len(self.ids)))
        similarity[row] = -np.inf
        order = np.argsort(-similarity, kind="stable")[:count]
        return self.ids[order]

    def together(self, track_id: int, others: np.ndarray) -> np.ndarray:
        """How often the song was together with each of `others` (0 for never)."""
        begin, end = np.searchsorted(self.pairs[:, 0], [track_id, track_id + 1])
        partners, counts = self.pairs[begin:end, 1], self.counts[begin:end]
        if not len(partners):
            return np.zeros(len(others), np.int64)
        rows = np.minimum(np.searchsorted(partners, others), len(partners) - 1)
        return np.where(partners[rows] == others, counts[rows], 0)


def clean_sequences(sequences: Iterable[Iterable[int]]) -> list[list[int]]:
    """The sequences worth learning from: ids as ints (those outside 0..2^31 left out), a song repeated right
    after itself once, and only sequences of at least two different songs."""
    cleaned = []
    for sequence in sequences:
        songs: list[int] = []
        for song in map(int, sequence):
            if 0 <= song < _MAX_ID and (not songs or songs[-1] != song):
                songs.append(song)
        if len(set(songs)) >= 2:
            cleaned.append(songs)
    return cleaned


def sequences_digest(sequences: list[list[int]]) -> str:
    """A hash of the (cleaned) sequences: what a saved CoListening must have been learnt from to be current."""
    hashed = hashlib.blake2b(digest_size=20)
    hashed.update(f"{CACHE_VERSION} {WINDOW} {DIMENSIONS} {TOKEN_BUDGET}".encode())
    for sequence in sequences:
        hashed.update(np.asarray(sequence, np.int64).tobytes() + b"|")
    return hashed.hexdigest()


def train(sequences: Iterable[Iterable[int]]) -> CoListening | None:
    """Learn co-listening from the sequences (playlists, listening sessions); None when none holds two songs.
    Deterministic: one worker thread and a fixed seed."""
    cleaned = clean_sequences(sequences)
    if not cleaned:
        return None
    from gensim.models import Word2Vec  # here, not above: a library without playlists or plays never pays its import

    tokens = sum(map(len, cleaned))
    model = Word2Vec([[str(song) for song in sequence] for sequence in cleaned], vector_size=DIMENSIONS,
                     window=WINDOW, min_count=1, sample=0, sg=1, negative=NEGATIVE, workers=1, seed=1,
                     epochs=int(np.clip(TOKEN_BUDGET // tokens, MIN_EPOCHS, MAX_EPOCHS)), hashfxn=_stable_hash)
    ids = np.array([int(word) for word in model.wv.index_to_key], np.int64)
    order = np.argsort(ids)
    vectors, contexts = (np.asarray(array, np.float32)[order] for array in (model.wv.vectors, model.syn1neg))
    pairs, counts = _pair_counts(cleaned)
    occurrences = np.bincount(np.searchsorted(ids[order], np.concatenate([np.unique(s) for s in cleaned])),
                              minlength=len(ids))
    return CoListening(ids[order], vectors, contexts, occurrences.astype(np.int64), pairs, counts,
                       sequences_digest(cleaned))


def _stable_hash(text: str) -> int:
    """Seeds Word2Vec's starting vectors the same in every process (Python's own str hash varies)."""
    return zlib.crc32(text.encode())


def _pair_counts(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each pair of different songs within WINDOW songs of each other, counted once per sequence: (pairs (P, 2)
    both ways round, sorted; counts (P,))."""
    keys = [np.zeros(0, np.int64)]
    for sequence in sequences:
        songs = np.asarray(sequence, np.int64)
        offsets = range(1, min(WINDOW, len(songs) - 1) + 1)
        first = np.concatenate([songs[:-offset] for offset in offsets])
        second = np.concatenate([songs[offset:] for offset in offsets])
        different = first != second
        low, high = np.minimum(first, second)[different], np.maximum(first, second)[different]
        keys.append(np.unique(low << 32 | high))
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    low, high = unique >> 32, unique & (2**32 - 1)
    pairs = np.concatenate([np.stack([low, high], axis=1), np.stack([high, low], axis=1)])
    counts = np.concatenate([counts, counts]).astype(np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return pairs[order], counts[order]


# --- the store's co-listening: sequences from it, and the arrays saved beside it ---------------------------------

def training_sequences(store: LibraryStore) -> list[list[int]]:
    """What co-listening learns from: the library's playlists, then the listening sessions (index/plays.py)."""
    return playlist_sequences(store) + listening_sessions(store)


def colistening_path(db_path: Path) -> Path:
    """Where a store's co-listening is kept: beside it, like its search index."""
    return Path(str(db_path) + ".colisten")


def _key(store: LibraryStore) -> str:
    return json.dumps([CACHE_VERSION, store_id(store)])


def _stamp(store: LibraryStore) -> str:
    """The store's plays and playlists as they are now, cheaply (the plays are not read: 25 ms for 100,000 plays
    and 1,000 playlists of 30 songs, instead of 140 ms for the sequences themselves)."""
    return json.dumps([*plays_stamp(store), sequences_digest(playlist_sequences(store))])


def _saved(store: LibraryStore) -> tuple[CoListening, str] | None:
    """The co-listening saved for this store and the stamp of the plays and playlists it was saved for, or None."""
    arrays = read_arrays(colistening_path(store.path), _key(store), _ARRAYS)
    if arrays is None or not _consistent(**arrays):
        return None
    stamp = str(arrays.pop("stamp"))
    return CoListening(**{**arrays, "source": str(arrays["source"])}), stamp


def load_colistening(store: LibraryStore) -> CoListening | None:
    """The co-listening saved for this store, or None; None too when a play or a playlist changed since it was
    saved (a refresh_colistening is then due)."""
    saved = _saved(store)
    return saved[0] if saved is not None and saved[1] == _stamp(store) else None


def _consistent(ids: np.ndarray, vectors: np.ndarray, contexts: np.ndarray, occurrences: np.ndarray,
                pairs: np.ndarray, counts: np.ndarray, source: np.ndarray, stamp: np.ndarray) -> bool:
    """Whether saved arrays fit together (ids ascending, two vectors and a count per id, a count per pair)."""
    return (ids.dtype == occurrences.dtype == pairs.dtype == counts.dtype == np.int64 and ids.ndim == 1
            and vectors.dtype == contexts.dtype == np.float32
            and vectors.shape == contexts.shape == (len(ids), DIMENSIONS)
            and occurrences.shape == ids.shape and pairs.ndim == 2 and pairs.shape == (len(counts), 2)
            and not np.any(np.diff(ids) <= 0) and source.ndim == stamp.ndim == 0
            and bool(np.isfinite(vectors).all() and np.isfinite(contexts).all()))


def refresh_colistening(store: LibraryStore) -> CoListening | None:
    """Bring the store's co-listening up to date with its playlists and plays: learn it again (from scratch) when
    they changed since it was saved, remove it when there is nothing to learn from. Meant for a background thread
    after a play is recorded or a playlist changes; returns what is current. What was learnt is saved only when no
    play or playlist changed while it was learnt (else it learns again), under the store's write lock: a
    forget_plays meanwhile never finds its erased plays come back."""
    while True:
        stamp = _stamp(store)  # before the sequences: a change while they are read shows at the check below
        sequences = clean_sequences(training_sequences(store))
        saved, saved_stamp = _saved(store) or (None, "")
        if saved is not None and saved.source == sequences_digest(sequences):
            if saved_stamp == stamp:
                return saved
            learnt = saved  # the same sequences (a skip was recorded, say): saved again for the plays as they are
        else:
            learnt = train(sequences)
        with store.transaction():  # no play is recorded or erased from here until the file is in place
            if _stamp(store) == stamp:
                _save(store, learnt, stamp)
                return learnt


def _save(store: LibraryStore, learnt: CoListening | None, stamp: str) -> None:
    """Keep what was learnt for the plays and playlists of `stamp` beside the store (remove the file for None)."""
    if learnt is None:
        discard_colistening(store)
        return
    write_arrays(colistening_path(store.path), _key(store),
                 {"ids": learnt.ids, "vectors": learnt.vectors, "contexts": learnt.contexts,
                  "occurrences": learnt.occurrences, "pairs": learnt.pairs, "counts": learnt.counts,
                  "source": np.array(learnt.source), "stamp": np.array(stamp)})


def discard_colistening(store: LibraryStore) -> None:
    """Remove the store's saved co-listening; StoreError when it is there and cannot be removed."""
    path = colistening_path(store.path)
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        raise StoreError(describe_error(error, path)) from error
