"""The mood map: every analysed song a dot on the valence (sad … happy) / arousal (calm … energetic) plane.

Built for 50,000 songs: the dots are drawn in one pass into a cached pixmap (redrawn only when the songs or the
size change; about 0.1 s, see tests/bench/bench_moodmap.py), and the dot under the cursor is found with one numpy
search over precomputed pixel positions.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QHBoxLayout, QListWidget, QPushButton, QSizePolicy, QSpinBox, QToolTip, QVBoxLayout, QWidget,
)

from likewise.desktop.radio import export_playlist
from likewise.desktop.style import one_line, plain_label, song_line
from likewise.index.mood import mood_words, nearest_moods
from likewise.index.store import Track

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
OTHER_COLOUR = "#9e9e9e"
OTHER_TAG = "other"
MARGIN = 44  # pixels around the plane, for the axis words
DOT_SIZE = 5.0
HIT_RADIUS = 6.0  # a click this close to a dot's centre is on the dot
DRAG_MIN = 6  # a press and release further apart than this is a rectangle, not a click
NEAREST_COUNT = 20  # songs listed for a click on an empty spot
JOURNEY_LENGTH = 10  # songs in a mood journey until the person picks another length
PROMPT = ("Drag a rectangle, or click an empty spot, to list the songs of that mood. "
          "Shift-click where a journey starts, then where it ends.")

Moods = dict[int, tuple[float, float]]


def top_tag(track: Track) -> str:
    """The song's likeliest tag ("electronic" of "electronic 72%, dance 41%"), or "" when it has none."""
    first = (track.genre or "").split(",")[0].strip()
    return first.rsplit(" ", 1)[0] if first.endswith("%") else first


def tag_colours(tags: list[str]) -> dict[str, QColor]:
    """A colour for each of the most common tags (as many as PALETTE has), most common first; the rest share grey."""
    common = [tag for tag, _count in Counter(tag for tag in tags if tag).most_common(len(PALETTE))]
    return {tag: QColor(colour) for tag, colour in zip(common, PALETTE)}


class MoodPlot(QWidget):
    """The plane and its dots; says which song was clicked, double-clicked, or which mood area was chosen."""

    song_clicked = Signal(int)  # track id
    song_activated = Signal(int)  # track id (double-click)
    area_chosen = Signal(QRectF)  # (valence, arousal) rectangle; a click on an empty spot is a point-sized one
    point_picked = Signal(float, float)  # (valence, arousal) of a shift-click

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 160)
        self.ids = np.zeros(0, np.int64)
        self.points = np.zeros((0, 2))  # (valence, arousal) per dot
        self.labels: list[str] = []
        self.colour_index = np.zeros(0, np.int64)  # into self.colours; -1 for grey
        self.colours: dict[str, QColor] = {}
        self.current: int | None = None  # the selected song's track id
        self.path = np.zeros((0, 2))  # moods of the journey drawn over the dots
        self._pixels = np.zeros((0, 2))
        self._layer: QPixmap | None = None
        self._press: QPoint | None = None
        self._drag: QRect | None = None

    # --- contents -------------------------------------------------------------------------------------------

    def set_points(self, ids: np.ndarray, points: np.ndarray, labels: list[str], tags: list[str]) -> None:
        """Show these songs: track ids (n,), moods (n, 2), labels and top tags."""
        self.ids, self.points, self.labels = np.asarray(ids, np.int64), np.asarray(points, float).reshape(-1, 2), labels
        self.colours = tag_colours(tags)
        order = {tag: number for number, tag in enumerate(self.colours)}
        self.colour_index = np.array([order.get(tag, -1) for tag in tags], np.int64)
        self._layer = None
        self.update()

    def set_current(self, track_id: int | None) -> None:
        """Ring the selected song's dot."""
        self.current = track_id
        self.update()

    def set_path(self, moods: np.ndarray) -> None:
        """Draw a line through these (n, 2) moods, in order (none when empty)."""
        self.path = np.asarray(moods, float).reshape(-1, 2)
        self.update()

    def plane(self) -> QRectF:
        """Where the plane lies in the widget, in pixels."""
        return QRectF(self.rect()).adjusted(MARGIN, MARGIN / 2, -MARGIN / 2, -MARGIN)

    def to_pixels(self, points: np.ndarray) -> np.ndarray:
        """(n, 2) moods -> (n, 2) widget positions (valence right, arousal up)."""
        plane = self.plane()
        x = plane.left() + (points[:, 0] + 1) / 2 * plane.width()
        y = plane.bottom() - (points[:, 1] + 1) / 2 * plane.height()
        return np.column_stack([x, y])

    def to_mood(self, position: QPointF) -> tuple[float, float]:
        """A widget position -> (valence, arousal), clipped to the plane."""
        plane = self.plane()
        valence = (position.x() - plane.left()) / plane.width() * 2 - 1
        arousal = (plane.bottom() - position.y()) / plane.height() * 2 - 1
        return float(np.clip(valence, -1, 1)), float(np.clip(arousal, -1, 1))

    def song_at(self, position: QPointF) -> int | None:
        """The row of the dot under a widget position (the nearest within HIT_RADIUS), or None."""
        self._ensure_layout()
        if not len(self._pixels):
            return None
        distances = np.hypot(self._pixels[:, 0] - position.x(), self._pixels[:, 1] - position.y())
        row = int(np.argmin(distances))
        return row if distances[row] <= HIT_RADIUS else None

    # --- drawing --------------------------------------------------------------------------------------------

    def _ensure_layout(self) -> None:
        """Place the dots and draw the layer again when the songs or the size changed."""
        if self._layer is None or self._layer.size() != self.size():
            self._pixels = self.to_pixels(self.points)
            self._layer = self._draw_layer(self.size())

    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._layer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if len(self.path):
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in self.to_pixels(self.path).tolist()]))
        row = self._row_of(self.current)
        if row is not None:
            painter.setPen(QPen(self.palette().text().color(), 2))
            painter.drawEllipse(QPointF(*self._pixels[row]), DOT_SIZE + 2, DOT_SIZE + 2)
        if self._drag is not None:
            painter.setPen(QPen(self.palette().highlight().color(), 1, Qt.PenStyle.DashLine))
            painter.drawRect(self._drag)

    def _draw_layer(self, size: QSize) -> QPixmap:
        """The axes, words, legend and every dot, drawn once for this size."""
        layer = QPixmap(size)
        layer.fill(self.palette().base().color())
        painter = QPainter(layer)
        self._draw_axes(painter)
        layers = [(-1, QColor(OTHER_COLOUR))] + list(enumerate(self.colours.values()))
        for number, colour in layers:  # grey first, so coloured dots lie on top; unsmoothed: 3x quicker
            pixels = self._pixels[self.colour_index == number]
            painter.setPen(QPen(colour, DOT_SIZE, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPoints(QPolygonF([QPointF(x, y) for x, y in pixels.tolist()]))
        self._draw_legend(painter)
        painter.end()
        return layer

    def _draw_axes(self, painter: QPainter) -> None:
        plane = self.plane()
        text = self.palette().text().color()
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(plane)
        centre = plane.center()
        painter.drawLine(QPointF(plane.left(), centre.y()), QPointF(plane.right(), centre.y()))
        painter.drawLine(QPointF(centre.x(), plane.top()), QPointF(centre.x(), plane.bottom()))
        painter.setPen(text)
        below = QRectF(plane.left(), plane.bottom() + 4, plane.width(), MARGIN - 8)
        painter.drawText(below, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, "sad")
        painter.drawText(below, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "valence →")
        painter.drawText(below, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, "happy")
        painter.save()
        painter.translate(plane.left() - 6, plane.bottom())
        painter.rotate(-90)
        side = QRectF(0, -MARGIN + 6, plane.height(), MARGIN - 6)
        painter.drawText(side, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, "calm")
        painter.drawText(side, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, "arousal →")
        painter.drawText(side, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, "energetic")
        painter.restore()

    def _draw_legend(self, painter: QPainter) -> None:
        entries = list(self.colours.items()) + ([(OTHER_TAG, QColor(OTHER_COLOUR))] if (self.colour_index < 0).any()
                                               else [])
        line = painter.fontMetrics().height()
        left, top = self.plane().right() - 120, self.plane().top() + 6
        for number, (tag, colour) in enumerate(entries):
            y = top + number * line
            painter.setPen(QPen(colour, DOT_SIZE + 1, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPoint(QPointF(left, y + line / 2))
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(left + 10, y, 110, line), Qt.AlignmentFlag.AlignVCenter, tag)

    # --- mouse ----------------------------------------------------------------------------------------------

    def _row_of(self, track_id: int | None) -> int | None:
        rows = np.flatnonzero(self.ids == track_id) if track_id is not None else []
        return int(rows[0]) if len(rows) else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        if self._press is not None:
            self._drag = QRect(self._press, position.toPoint()).normalized()
            self.update()
            return
        row = self.song_at(position)
        if row is None:
            QToolTip.hideText()
        else:
            valence, arousal = self.points[row]
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{self.labels[row]}\n{mood_words(valence, arousal)}", self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        press, release = QPointF(self._press), event.position()
        self._press, self._drag = None, None
        self.update()
        if (release - press).manhattanLength() > DRAG_MIN:
            corners = (self.to_mood(press), self.to_mood(release))
            self.area_chosen.emit(QRectF(QPointF(*corners[0]), QPointF(*corners[1])).normalized())
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.point_picked.emit(*self.to_mood(release))
            return
        row = self.song_at(release)
        if row is None:
            self.area_chosen.emit(QRectF(QPointF(*self.to_mood(release)), QSizeF(0, 0)))
        else:
            self.song_clicked.emit(int(self.ids[row]))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        row = self.song_at(event.position())
        if row is not None:
            self.song_activated.emit(int(self.ids[row]))


class MoodMapView(QWidget):
    """The map beside a list of the songs nearest the mood last chosen, or of a journey between two moods picked by
    shift-clicks; the list can be played or exported."""

    track_clicked = Signal(object)  # Track: select it in the library
    play_requested = Signal(object, float)  # Track, start seconds
    journey_requested = Signal(object, object, int)  # start and end (valence, arousal), number of songs
    exported = Signal(list, object)  # the songs written, the M3U8 file (Path)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tracks: dict[int, Track] = {}
        self.moods: Moods = {}
        self.found: list[Track] = []
        self.library_root: Path | None = None
        self.db: Path | None = None
        self.journey_start: tuple[float, float] | None = None  # set by the first shift-click, until the second
        self.plot = MoodPlot()
        self.plot.song_clicked.connect(lambda track_id: self.track_clicked.emit(self.tracks[track_id]))
        self.plot.song_activated.connect(lambda track_id: self.play_requested.emit(self.tracks[track_id], 0.0))
        self.plot.area_chosen.connect(self.list_area)
        self.plot.point_picked.connect(self.pick_journey_point)
        self.heading = plain_label(PROMPT)
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(lambda item: self.play_requested.emit(self.found[self.list.row(item)], 0.0))
        self.export_button = QPushButton("Export M3U8…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.choose_export)
        self.journey_length = QSpinBox()
        self.journey_length.setRange(2, 200)
        self.journey_length.setValue(JOURNEY_LENGTH)
        self.journey_length.setPrefix("Journey of ")
        self.journey_length.setSuffix(" songs")
        self.journey_length.setToolTip("How many songs a journey (shift-click twice on the map) walks through")
        # its text must not widen the window's minimum (the list beside the map is narrow at 760 px)
        self.journey_length.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        side = QVBoxLayout()
        side.addWidget(self.heading)
        side.addWidget(self.list, 1)
        side.addWidget(self.journey_length)
        side.addWidget(self.export_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 2)
        layout.addLayout(side, 1)

    def set_library(self, tracks: list[Track], moods: Moods, library_root: Path | None, db: Path | None) -> None:
        """Plot the songs of `tracks` that have a mood."""
        self.tracks = {track.id: track for track in tracks if track.id in moods}
        self.moods = {track_id: moods[track_id] for track_id in self.tracks}
        self.library_root, self.db = library_root, db
        shown = list(self.tracks.values())
        self.plot.set_points(np.fromiter(self.tracks, np.int64, len(shown)),
                             np.array([self.moods[track.id] for track in shown], float).reshape(-1, 2),
                             [track.label for track in shown], [top_tag(track) for track in shown])

    def clear(self) -> None:
        """Forget the library shown (another opens): no dots, no list, no path, no journey half picked."""
        self.set_library([], {}, None, None)
        self.journey_start = None
        self.plot.set_path(np.zeros((0, 2)))
        self._show([], PROMPT)

    def list_area(self, area: QRectF) -> None:
        """List the songs inside a (valence, arousal) rectangle, or the NEAREST_COUNT nearest its centre if it holds
        none, nearest its centre first."""
        inside = {track_id: mood for track_id, mood in self.moods.items()
                  if area.left() <= mood[0] <= area.right() and area.top() <= mood[1] <= area.bottom()}
        centre = (area.center().x(), area.center().y())
        pool, count = (inside, len(inside)) if inside else (self.moods, NEAREST_COUNT)
        found = [self.tracks[track_id] for track_id, _distance in nearest_moods(pool, centre, count)]
        where = "in this area" if inside else "nearest this mood"
        self.journey_start = None  # a plain click or drag: the journey half picked is given up
        self.plot.set_path(np.zeros((0, 2)))
        self._show(found, f"{len(found)} songs {where} ({mood_words(*centre)}); double-click one to play it.")

    def pick_journey_point(self, valence: float, arousal: float) -> None:
        """The first pick is where the journey starts; the second asks for the journey to where it ends."""
        if self.journey_start is None:
            self.journey_start = (valence, arousal)
            self.heading.setText(self._ask_for_end())
            return
        start, self.journey_start = self.journey_start, None
        self.heading.setText("Building the journey…")
        self.journey_requested.emit(start, (valence, arousal), self.journey_length.value())

    def _ask_for_end(self) -> str:
        return f"A journey from {mood_words(*self.journey_start)}: shift-click where it should end."

    def show_journey(self, tracks: list[Track], moods: Moods) -> None:
        """List a journey's songs in order and draw its path on the map through their `moods` (the map may not show
        a song analysed since it was drawn)."""
        self._draw_path(tracks, moods)
        ends = f"from {mood_words(*moods[tracks[0].id])} to {mood_words(*moods[tracks[-1].id])}" if tracks \
            else "found no songs"
        self._show(tracks, f"A journey of {len(tracks)} songs {ends}; double-click one to play it.")

    def journey_failed(self, reason: str) -> None:
        """Say that the journey asked for cannot be made, in place of "Building the journey…"."""
        self.plot.set_path(np.zeros((0, 2)))
        self._show([], f"No journey: {reason}. {PROMPT}")

    def show_sonic_path(self, tracks: list[Track]) -> None:
        """List a sonic path's songs in order and draw it on the map as a journey is drawn."""
        self._draw_path(tracks, self.moods)
        ends = f"from {tracks[0].label} to {tracks[-1].label}" if tracks else ""
        self._show(tracks, f"A sonic path of {len(tracks)} songs {ends}; double-click one to play it.")

    def _draw_path(self, tracks: list[Track], moods: Moods) -> None:
        """Draw a line through the moods of these songs (those that have one in `moods`), in order."""
        path = [moods[track.id] for track in tracks if track.id in moods]
        self.plot.set_path(np.array(path, float).reshape(-1, 2))

    def _show(self, found: list[Track], heading: str) -> None:
        """List these songs under a heading; they are what double-click plays and Export writes. A journey start
        picked meanwhile (the list may answer an earlier request) is still asked about."""
        self.found = found
        self.heading.setText(one_line(heading) + (f" {self._ask_for_end()}" if self.journey_start else ""))
        self.list.clear()
        for track in found:
            self.list.addItem(song_line(track))
        self.export_button.setEnabled(bool(found))

    def choose_export(self) -> None:
        """Ask where to save the listed songs, then save them."""
        path, _ = export_playlist(self, self.found, self.library_root, self.db, "Mood")
        if path is not None:
            self.exported.emit(self.found, path)
