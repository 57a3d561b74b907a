"""The play queue pane: the queue's songs (the one playing in bold), reordered by drag and drop or Alt+Up/Down,
played by double-click or Enter, taken out with Delete; Clear, a Mix of the selected songs, and Keep playing."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget,
)

from likewise.desktop.queue_model import QueueModel
from likewise.index.store import Track


class QueuePane(QWidget):
    """Shows a QueueModel and edits it; asks for what it cannot do itself (playing, mixing) by signals."""

    play_requested = Signal(int)  # row
    mix_requested = Signal(list)  # list[Track]: the selected songs
    autoplay_changed = Signal(bool)

    def __init__(self, model: QueueModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.heading = QLabel("Queue")
        self.heading.setObjectName("subheading")
        self.autoplay = QCheckBox("Keep playing")
        self.autoplay.setToolTip("When the queue runs low, add songs like the ones you listened to")
        self.autoplay.setChecked(True)
        self.autoplay.toggled.connect(self.autoplay_changed)
        self.view = QListView()
        self.view.setModel(model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setAlternatingRowColors(True)
        self.view.activated.connect(lambda index: self.play_requested.emit(index.row()))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.play_action = self._action("Play", self._emit_play, None)
        self.up_action = self._action("Move up", lambda: self.move_selected(-1), "Alt+Up")
        self.down_action = self._action("Move down", lambda: self.move_selected(1), "Alt+Down")
        self.remove_action = self._action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        self.mix_action = self._action("Mix of these", lambda: self.mix_requested.emit(self.selected_tracks()), None)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Take every song but the one playing out of the queue")
        self.clear_button.clicked.connect(model.clear_others)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.autoplay)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        model.changed.connect(self._update_heading)

    def _action(self, text: str, slot, shortcut) -> QAction:
        action = QAction(text, self.view)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.view.addAction(action)
        return action

    def selected_rows(self) -> list[int]:
        """The selected rows, in order."""
        return sorted(index.row() for index in self.view.selectionModel().selectedRows())

    def selected_tracks(self) -> list[Track]:
        """The selected songs, in queue order."""
        return [self.model.track_at(row) for row in self.selected_rows()]

    def remove_selected(self) -> None:
        """Take the selected songs out of the queue."""
        self.model.remove(self.selected_rows())

    def move_selected(self, step: int) -> None:
        """Move the song under the cursor one place up (-1) or down (1)."""
        row = self.view.currentIndex().row()
        if row < 0 or not 0 <= row + step < self.model.rowCount():
            return
        self.model.moveRow(QModelIndex(), row, QModelIndex(), row + step + (step > 0))
        self.view.setCurrentIndex(self.model.index(row + step))

    def _emit_play(self) -> None:
        row = self.view.currentIndex().row()
        if row >= 0:
            self.play_requested.emit(row)

    def _update_heading(self) -> None:
        left = len(self.model.upcoming())
        self.heading.setText(f"Queue · {left} to come" if left else "Queue")
