"""The similar-songs panel on its own, fed by the real recommender over the indexed demo library."""
from __future__ import annotations

from pathlib import Path

from likewise.desktop.recommendations_panel import RESULT_COLUMNS, RecommendationsPanel
from likewise.index.recommend import Options, Recommender
from likewise.index.store import LibraryStore


def test_numbers_explain_themselves_and_moments_are_distinct(qtbot, demo_library: tuple[Path, Path]) -> None:
    with LibraryStore(demo_library[1]) as store:
        recommender = Recommender(store)
        seed = store.tracks("ok")[0]
        items = recommender.similar(recommender.seed_for_track(seed.id), Options(count=10))
    panel = RecommendationsPanel()
    qtbot.addWidget(panel)
    panel.show_results(seed, items)
    for name in ("Similarity", "Score", "Votes"):
        assert len(panel.table.horizontalHeaderItem(RESULT_COLUMNS.index(name)).toolTip()) > 20, name
    column = RESULT_COLUMNS.index("Similarity")
    shown = [panel.table.item(row, column).text() for row in range(len(items))]
    assert shown == [f"{item.similarity:.0%}" for item in items]
    assert all(0 <= int(text[:-1]) <= 100 for text in shown)
    for row, item in enumerate(items):
        panel.table.selectRow(row)
        assert "Distance" in panel.why.horizontalHeaderItem(2).text() and panel.why.horizontalHeaderItem(2).toolTip()
        moments = [panel.why.item(line, 1).text() for line in range(panel.why.rowCount())]
        assert len(moments) == len(set(moments)) == len(item.matches), moments


def test_tags_show_as_one_line_of_plain_text(qtbot, demo_library: tuple[Path, Path]) -> None:
    from dataclasses import replace

    from PySide6.QtCore import Qt

    from likewise.desktop.player import Player, TransportBar

    with LibraryStore(demo_library[1]) as store:
        seed = store.tracks("ok")[0]
    lyrics = replace(seed, title="Verse one\n" * 25 + "end", artist="Mallory", genre="rock 80%\npop 20%")
    html = replace(seed, title='<img src="x"><h1>Big</h1><a href="https://evil.example">click</a>', artist="")
    panel = RecommendationsPanel()
    qtbot.addWidget(panel)
    panel.show_results(lyrics, [])
    for label in (panel.heading, panel.seed_tags):
        assert label.textFormat() == Qt.TextFormat.PlainText and "\n" not in label.text()
    assert panel.heading.text().startswith("Similar to Mallory - Verse one Verse one")
    panel.show_message("Finding similar songs…", f"Similar to {html.label}")
    assert panel.heading.text() == f"Similar to {html.label}"  # shown as typed, never rendered

    transport = TransportBar(Player())
    qtbot.addWidget(transport)
    transport.now_playing(lyrics.label)
    assert transport.title.textFormat() == Qt.TextFormat.PlainText and "\n" not in transport.title.text()

    from likewise.desktop.playlists_pane import PlaylistsPane

    playlists = PlaylistsPane()
    qtbot.addWidget(playlists)
    playlists.show_playlist(None, [lyrics])
    assert "\n" not in playlists.songs.item(0).text()  # a playlist's song rows, too
