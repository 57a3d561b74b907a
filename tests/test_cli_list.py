"""`likewise list`: the scriptable view of the library, every track with its status, tags, mood and analysis."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from likewise.cli.main import main
from likewise.index.store import LibraryStore
from tests.test_recommend import assert_valid_tags

LISTED = {"path", "artist", "title", "album", "valence", "arousal", "duration", "status", "reason", "tags",
          "model_id", "excerpt_start", "plays", "last_played"}


def _listed(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.fixture(scope="module")
def tracks(demo_library: tuple[Path, Path]) -> list:
    with LibraryStore(demo_library[1], read_only=True) as store:
        return store.tracks()


def test_list_json_gives_every_track_with_its_analysis(demo_library: tuple[Path, Path], tracks: list, capsys) -> None:
    _, db = demo_library
    assert main(["list", "--json", "--db", str(db)]) == 0
    listed = _listed(capsys)
    assert [item["path"] for item in listed] == [track.relpath for track in tracks]
    for item in listed:
        assert set(item) == LISTED
        assert item["status"] == "ok" and item["reason"] is None
        assert item["duration"] > 0 and item["excerpt_start"] >= 0 and item["model_id"]
        assert -1 <= item["valence"] <= 1 and -1 <= item["arousal"] <= 1
        assert_valid_tags(item["tags"])
    assert any(item["tags"] for item in listed)


def test_list_query_filters_and_lines_are_printable(demo_library: tuple[Path, Path], tracks: list, capsys) -> None:
    _, db = demo_library
    track = tracks[3]
    assert main(["list", f"{track.artist} {track.title}", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(track.title in line for line in lines) and len(lines) < len(tracks)
    assert lines[0].startswith("ok") and f"{track.artist} - {track.title}" in lines[0]
    assert main(["list", "zzz qqq", "--db", str(db)]) == 0
    assert capsys.readouterr().out == ""


def test_list_shows_waiting_and_failed_files_with_the_reason(demo_library: tuple[Path, Path], tmp_path: Path,
                                                            capsys) -> None:
    db = tmp_path / "library.sqlite"
    shutil.copy(demo_library[1], db)
    with LibraryStore(db) as store:
        broken, waiting = store.add_pending([("broken\x1b[2J.mp3", 5000, 0.0, "broken"), ("new.mp3", 9, 0.0, "new")])
        store.save_results([], [(broken, "cannot decode audio: not an MP3", None)], "m")
    assert main(["list", "--json", "--db", str(db)]) == 0
    by_path = {item["path"]: item for item in _listed(capsys)}
    assert by_path["broken\x1b[2J.mp3"]["status"] == "failed"
    assert by_path["broken\x1b[2J.mp3"]["reason"] == "cannot decode audio: not an MP3"
    assert by_path["new.mp3"]["status"] == "waiting" and by_path["new.mp3"]["tags"] == []
    assert main(["list", "broken", "--db", str(db)]) == 0
    line, = capsys.readouterr().out.splitlines()
    assert line.startswith("failed") and "cannot decode audio: not an MP3" in line and "\x1b" not in line
