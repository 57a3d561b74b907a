"""Fuzzing decoding and tag reading with mutated real files: nothing escapes the per-file boundary."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from likewise.audio.decode import AudioError, decode_excerpt
from likewise.audio.features import DEFAULT_PARAMS
from likewise.audio.tags import Tags, read_tags
from likewise.index.prepare import Failed, Prepared, prepare_file
from tests.conftest import tone, write_audio
from tests.corpus import assert_clear_reason, id3_tag, mp3_bytes

HEADER_BYTES = 1024  # half of the mutations land here, where the parsers of tags and stream headers work


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Small valid files to mutate: tagged MP3, FLAC, Ogg Vorbis and WAV, 4 s each."""
    folder = tmp_path_factory.mktemp("seeds")
    files = {".mp3": id3_tag("Fuzz Title", "Fuzz Artist", 1) + mp3_bytes(tone(4.0, 440.0, 44100), 44100)}
    for suffix in (".flac", ".ogg", ".wav"):
        files[suffix] = write_audio(folder / f"seed{suffix}", tone(4.0, 330.0)).read_bytes()
    return files


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, bytes]]]:
    """A seed format and a few edits: (operation, position, bytes)."""
    suffix = draw(st.sampled_from([".mp3", ".flac", ".ogg", ".wav"]))
    edits = draw(st.lists(st.tuples(
        st.sampled_from(["overwrite", "insert", "delete", "truncate", "duplicate"]),
        st.one_of(st.integers(0, HEADER_BYTES), st.integers(0, 10**9)),
        st.binary(min_size=1, max_size=48),
    ), min_size=1, max_size=5))
    return suffix, edits


def mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    """Apply edits in order; positions wrap around the current length."""
    buffer = bytearray(data)
    for operation, position, chunk in edits:
        at = position % max(len(buffer), 1)
        if operation == "overwrite":
            buffer[at : at + len(chunk)] = chunk
        elif operation == "insert":
            buffer[at:at] = chunk
        elif operation == "delete":
            del buffer[at : at + len(chunk) * 97]
        elif operation == "truncate":
            del buffer[at:]
        else:
            buffer[at:at] = buffer[at : at + len(chunk) * 97]
    return bytes(buffer)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations())
def test_mutated_files_never_raise_past_the_per_file_boundary(seeds: dict[str, bytes], tmp_path: Path,
                                                              mutation: tuple[str, list]) -> None:
    suffix, edits = mutation
    path = tmp_path / f"01 - Fuzz - Song{suffix}"
    path.write_bytes(mutate(seeds[suffix], edits))

    tags = read_tags(path)  # documented never to raise
    assert isinstance(tags, Tags) and isinstance(tags.title, str) and tags.title
    try:
        excerpt = decode_excerpt(path, DEFAULT_PARAMS)
    except AudioError as error:
        assert_clear_reason(str(error))
    else:
        assert len(excerpt.samples) >= DEFAULT_PARAMS.min_samples
    result = prepare_file((1, str(tmp_path), path.name), DEFAULT_PARAMS, time_limit=20)
    assert isinstance(result, (Prepared, Failed))
    if isinstance(result, Failed):
        assert_clear_reason(result.reason)


def test_byte_flips_in_a_store_end_in_its_results_a_clear_message_or_a_repair(demo_library: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    """15 trials of tests/bench/bench_store_fuzz.py (which runs 200): flipped bytes in copies of a real store."""
    from tests.bench.bench_store_fuzz import GOOD, fuzz, table

    outcomes = fuzz(demo_library[1], trials=15, seed=20261129, work=tmp_path)
    assert sum(outcomes.values()) == 15
    assert set(outcomes) <= set(GOOD), table(outcomes)
