"""The song radio dialog: it says why a radio is shorter than asked, and where an export went (or why not)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from likewise.desktop.radio import LENGTH_DELAY_MS, RadioDialog
from likewise.index.playlist import build_radio, song_radio
from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore


@pytest.fixture(scope="module")
def radios(demo_library: tuple[Path, Path]):
    """(seed track, capped radio of 20, uncapped radio of 30, analysed song count) on the demo library."""
    with LibraryStore(demo_library[1]) as store:
        recommender = Recommender(store)
        seed = next(track for track in store.tracks("ok") if track.artist == "Max McCracken")
        vectors = recommender.seed_for_track(seed.id)
        capped = build_radio(recommender, vectors, 20, Options(per_artist=3))
        assert capped.tracks == song_radio(recommender, vectors, 20, Options(per_artist=3))
        uncapped = build_radio(recommender, vectors, 30, Options(per_artist=None))
        return seed, capped, uncapped, len(store.tracks("ok"))


def test_a_short_radio_says_which_rule_stopped_it(radios) -> None:
    _seed, capped, uncapped, songs = radios
    # four artists: 3 by the seed's artist (the seed counts), 3 + 2 + 2 by the others
    assert len(capped.tracks) == 9 and "Per artist" in capped.short_because
    assert len(uncapped.tracks) == songs - 1 and "no other analysed song" in uncapped.short_because


def test_a_full_radio_gives_no_reason(radios, demo_library: tuple[Path, Path]) -> None:
    seed = radios[0]
    with LibraryStore(demo_library[1]) as store:
        recommender = Recommender(store)
        radio = build_radio(recommender, recommender.seed_for_track(seed.id), 5, Options(per_artist=3))
    assert len(radio.tracks) == 5 and radio.short_because == ""


def test_the_dialog_explains_the_shortfall_and_reports_the_export(qtbot, radios, demo_library: tuple[Path, Path],
                                                                  tmp_path: Path, monkeypatch) -> None:
    folder, db = demo_library
    seed, capped, _uncapped, _songs = radios
    dialog = RadioDialog(seed, capped, folder, db, 20)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.shortfall.isVisible()
    assert dialog.shortfall.text() == f"Only 9 of 20 songs: {capped.short_because}."

    out = tmp_path / "radio.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    dialog.choose_export()
    assert out.is_file() and dialog.status.text() == f"Saved 10 songs to {out}"

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    notes = tmp_path / "notes.m3u8"
    notes.write_text("my notes, not a playlist")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(notes), ""))
    dialog.choose_export()
    assert dialog.status.text().startswith("Not saved. Could not write the playlist:") and "not a playlist" in warned[0]
    assert notes.read_text() == "my notes, not a playlist"

    dialog.set_tracks(capped.tracks[:3])  # a later list that is as long as asked hides the reason
    dialog.length.setValue(3)
    dialog.set_tracks(capped.tracks[:3])
    assert not dialog.shortfall.isVisible()


def test_an_export_named_without_its_suffix_asks_before_replacing_that_playlist(
        qtbot, radios, demo_library: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    folder, db = demo_library
    dialog = RadioDialog(radios[0], radios[1], folder, db, 20)
    qtbot.addWidget(dialog)
    mine = tmp_path / "road trip.m3u8"
    own = "#EXTM3U\n#EXTINF:200,My own hand-made list\n/music/a.mp3\n"
    mine.write_text(own, encoding="utf-8")
    # the person types "road trip": the file dialog never saw "road trip.m3u8", so it did not ask
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(tmp_path / "road trip"), ""))
    asked = []
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: asked.append(args[2]) or answer)
    dialog.choose_export()
    assert len(asked) == 1 and "road trip.m3u8" in asked[0]
    assert mine.read_text(encoding="utf-8") == own and dialog.status.text() == ""

    answer = QMessageBox.StandardButton.Yes
    dialog.choose_export()
    assert len(asked) == 2 and mine.read_text(encoding="utf-8").count("#EXTINF") == 10
    assert dialog.status.text() == f"Saved 10 songs to {mine}"

    fresh = tmp_path / "new list.m3u8"  # nothing there: nothing to ask
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(tmp_path / "new list"), ""))
    dialog.choose_export()
    assert len(asked) == 2 and fresh.is_file()


def test_a_length_changed_just_before_closing_asks_for_no_playlist(qtbot, radios,
                                                                   demo_library: tuple[Path, Path]) -> None:
    folder, db = demo_library
    dialog = RadioDialog(radios[0], radios[1], folder, db, 20)
    qtbot.addWidget(dialog)
    dialog.show()
    asked: list[int] = []
    dialog.length_requested.connect(asked.append)
    dialog.length.setValue(5)
    qtbot.waitUntil(lambda: asked == [5], timeout=5 * LENGTH_DELAY_MS)  # open, it asks once the box settles

    dialog.length.setValue(6)
    dialog.close()  # closed (Close, Escape) before the box settled: nothing reopens it
    qtbot.wait(3 * LENGTH_DELAY_MS)
    assert asked == [5]
