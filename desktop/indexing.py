"""Background indexing: an `Indexer` run in a QThread, reported through signals, and its progress bar widget."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from likewise.index.paths import display_path


class IndexThread(QThread):
    """Runs one indexing pass over a folder; never touches widgets."""

    progress = Signal(object)  # index.pipeline.Progress
    done = Signal(object)  # index.pipeline.Summary
    failed = Signal(str)  # why the run could not start or stopped (store busy, unreadable folder...)

    def __init__(self, root: Path, db_path: Path, jobs: int | None = None, parent=None):
        super().__init__(parent)
        self.root = Path(root)
        self.db_path = Path(db_path)
        self.jobs = jobs
        self.indexer = None
        self._cancelled = False

    def run(self) -> None:
        from likewise.index.lock import StoreBusy
        from likewise.index.pipeline import Indexer
        from likewise.index.store import StoreError

        try:
            self.indexer = Indexer(self.root, self.db_path, jobs=self.jobs, on_progress=self.progress.emit)
            if self._cancelled:
                self.indexer.cancel()
            self.done.emit(self.indexer.run())
        except (StoreError, StoreBusy) as error:
            self.failed.emit(str(error))
        except Exception as error:  # a crash must end the run visibly, not kill the app
            self.failed.emit(f"Indexing stopped: {type(error).__name__}: {error}")

    def cancel(self) -> None:
        """Ask the run to stop once the files in progress are stored."""
        self._cancelled = True
        if self.indexer is not None:
            self.indexer.cancel()


def _format_eta(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s left" if minutes else f"{secs} s left"


class IndexingBar(QWidget):
    """Progress of the current run: what it does, a bar, songs/s and ETA, and a Cancel button."""

    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop analysing; what is finished is kept")
        self.cancel_button.clicked.connect(self._cancel)
        self._first: tuple[float, int] | None = None  # (elapsed, done) at the first report of the run
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def start(self, folder: Path) -> None:
        """Show a busy bar while the folder is scanned and the model loads."""
        self._first = None
        self.label.setText(f"Looking for music in {folder.name} and loading the analysis model…")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def update_progress(self, progress) -> None:
        """Show an `index.pipeline.Progress`."""
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        parts = [f"Analysing {progress.done} of {progress.total} songs"]
        rate = self._rate(progress)
        if rate:
            parts += [f"{rate:.1f} songs/s", _format_eta((progress.total - progress.done) / rate)]
        if progress.failed:
            parts.append(f"{progress.failed} failed")
        if progress.model_loading:
            parts.append("loading the analysis model…")
        self.label.setText(" · ".join(parts))
        if progress.current:
            self.label.setToolTip(display_path(progress.current))

    def _rate(self, progress) -> float | None:
        """Songs per second since the first report: the model loading time does not count."""
        if self._first is None:
            self._first = (progress.elapsed, progress.done)
            return None
        seconds, songs = progress.elapsed - self._first[0], progress.done - self._first[1]
        return songs / seconds if seconds > 0 and songs > 0 else None

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.cancel_requested.emit()
