"""Help > About likewise: the version, the licences and the credits, read from the files shipped with the code (the
demo library's CREDITS.md and the model card), so that they never disagree with them."""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from likewise.assets import ASSETS_DIR, DEMO_DIR, installed_version

DEMO_CREDITS = DEMO_DIR / "CREDITS.md"
MODEL_CARD = ASSETS_DIR / "model" / "MODEL.md"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _plain(markdown: str) -> str:
    """Markdown inline marks and links as plain text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(re.sub(r"[*`]", "", text).split())


def demo_credits(markdown: str) -> tuple[str, list[str]]:
    """(the licence paragraph, the authors in order of appearance) of the demo library's CREDITS.md."""
    paragraphs = [part.strip() for part in markdown.split("\n\n")]
    licence = next((part for part in paragraphs if part and not part.startswith(("#", "|"))), "")
    authors: list[str] = []
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) > 2 and cells[2] not in authors:
            authors.append(cells[2])
    return _plain(licence), authors


def model_credits(markdown: str) -> str:
    """The model card's licence note, and its teacher's line (musicnn), as plain text."""
    note = next((part for part in markdown.split("\n\n") if part.startswith("**Licence note:**")), "")
    teacher = next((line.lstrip("- ") for line in markdown.splitlines() if "musicnn" in line and "licence" in line),
                   "")
    return _plain(" ".join(part for part in (note, f"Teacher: {teacher}" if teacher else "") if part))


def about_html() -> str:
    """The About text: version, the code's licence, the model's and the demo music's credits."""
    licence, authors = demo_credits(_read(DEMO_CREDITS))
    model = model_credits(_read(MODEL_CARD))
    parts = [
        f"<h2>likewise {escape(installed_version())}</h2>",
        "<p>Finds the songs of your library that sound alike, on your computer, offline.</p>",
        "<p><b>Code</b>: MIT licence.</p>",
        f"<p><b>Model</b> ({escape(str(MODEL_CARD.parent))}): {escape(model or 'see MODEL.md')}</p>",
        f"<p><b>Demo music</b> by {escape(', '.join(authors) or 'see CREDITS.md')}. {escape(licence)} "
        f"Every track, its excerpt and source: {escape(str(DEMO_CREDITS))}.</p>",
    ]
    return "\n".join(parts)


class AboutDialog(QDialog):
    """Version, licences and credits."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About likewise")
        self.resize(560, 440)
        self.text = QTextBrowser()
        self.text.setHtml(about_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
