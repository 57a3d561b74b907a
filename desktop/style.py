"""Looks: the Fusion style with a light or dark palette that follows the system, a few type rules, the icon."""
from __future__ import annotations

import os

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap, QPolygonF
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QLabel, QTableView

from likewise.assets import ICON_DIR
from likewise.index.store import Track, format_duration
from likewise.index.text import printable

ACCENT = QColor("#3b6fd4")

STYLE_SHEET = """
QLabel#heading { font-size: 13pt; font-weight: 600; padding: 2px 0 6px 0; }
QLabel#subheading { font-weight: 600; padding-top: 6px; }
QLabel#emptyState { font-size: 12pt; color: palette(placeholder-text); padding: 24px; }
QTableView, QTableWidget, QListWidget { border: 1px solid palette(mid); border-radius: 3px; }
QListWidget::item { padding: 2px 4px; }
QLabel#notice { background: palette(tool-tip-base); color: palette(tool-tip-text); border: 1px solid palette(mid);
                border-radius: 3px; padding: 6px 8px; }
QTabWidget::pane { border: none; }
QToolBar { spacing: 6px; padding: 4px; border: none; }
QStatusBar QLabel { padding: 0 4px; }
"""


def one_line(text: str) -> str:
    """Tag text (a title, tags, a label made of them) as one line: line breaks and tabs become spaces, other control
    characters visible escapes, so a lyrics tag pasted into a title cannot grow a label or a row."""
    return printable(" ".join(text.split()))


def song_line(track: Track, number: int | None = None) -> str:
    """A song as one row of a list: its number (if given), its label as one line, its duration."""
    prefix = f"{number:>2}.  " if number is not None else ""
    return f"{prefix}{one_line(track.label)}   {format_duration(track.duration)}"


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text as it is, never as rich text: tags may look like HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def setup_table(view: QTableView) -> None:
    """The look and behaviour every table shares: whole rows, one at a time, read-only, compact uniform rows."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def empty_state_label() -> QLabel:
    """The large, centred, wrapping message a view shows instead of an empty table."""
    label = QLabel()
    label.setObjectName("emptyState")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def media_icon(playing: bool) -> QIcon:
    """A play (or, while playing, pause) icon drawn in the palette's text colour, so it reads on any theme."""
    icon = QIcon()
    palette = QGuiApplication.palette()
    for mode, group in ((QIcon.Mode.Normal, QPalette.ColorGroup.Active),
                        (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled)):
        pixmap = QPixmap(64, 64)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(group, QPalette.ColorRole.ButtonText))
        if playing:
            painter.drawRoundedRect(QRectF(14, 10, 13, 44), 3, 3)
            painter.drawRoundedRect(QRectF(37, 10, 13, 44), 3, 3)
        else:
            painter.drawPolygon(QPolygonF([QPointF(16, 8), QPointF(56, 32), QPointF(16, 56)]))
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon


def app_icon() -> QIcon:
    """The application icon (SVG, with the PNG render as a fallback)."""
    icon = QIcon()
    for name in ("likewise.svg", "likewise.png"):
        if (ICON_DIR / name).exists():
            icon.addFile(str(ICON_DIR / name))
    return icon


def wants_dark() -> bool:
    """True when the system (or LIKEWISE_THEME=dark) asks for a dark palette."""
    theme = os.environ.get("LIKEWISE_THEME", "").lower()
    if theme in ("dark", "light"):
        return theme == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    """A calm dark palette with readable contrast."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e8e8ea",
        QPalette.ColorRole.Base: "#1f2023", QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.Text: "#e8e8ea", QPalette.ColorRole.Button: "#34363b",
        QPalette.ColorRole.ButtonText: "#e8e8ea", QPalette.ColorRole.ToolTipBase: "#34363b",
        QPalette.ColorRole.ToolTipText: "#e8e8ea", QPalette.ColorRole.PlaceholderText: "#9a9ca3",
        QPalette.ColorRole.Mid: "#44464c", QPalette.ColorRole.Dark: "#18191b", QPalette.ColorRole.Light: "#4a4c52",
        QPalette.ColorRole.Link: "#8fb3ff", QPalette.ColorRole.BrightText: "#ffffff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#74767c"))
    return palette


def apply_style(app: QApplication) -> None:
    """Fusion style, a palette to match the system, the style sheet and the window icon."""
    app.setStyle("Fusion")
    palette = dark_palette() if wants_dark() else app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
    app.setWindowIcon(app_icon())
