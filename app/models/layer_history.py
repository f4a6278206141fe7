"""Undo and redo of the layer table: whole-table snapshots on a QUndoStack.

One user action (a cell edit, deleting several rows, loading a preset) can emit
`edited` several times; the snapshots of one event-loop turn make one undo step.
Opening a project or starting a new one clears the history (the file is the record).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.models.layer_table_model import LayerTableModel

LIMIT = 200  # steps kept: a snapshot of a few hundred rows costs a few kilobytes


class _Step(QUndoCommand):
    def __init__(self, history: "LayerHistory", before: tuple, after: tuple, text: str):
        super().__init__(text)
        self.history, self.before, self.after = history, before, after
        self.first = True  # pushed after the edit happened: the first redo has nothing to do

    def redo(self) -> None:
        if self.first:
            self.first = False
            return
        self.history.apply(self.after)

    def undo(self) -> None:
        self.history.apply(self.before)


class LayerHistory(QObject):
    def __init__(self, model: LayerTableModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(LIMIT)
        self._last = model.snapshot()
        self._applying = False
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self._commit)
        model.edited.connect(self._edited)

    def _edited(self) -> None:
        if not self._applying:
            self._pending.start()

    def _commit(self) -> None:
        now = self.model.snapshot()
        if now != self._last:
            before, self._last = self._last, now
            self.stack.push(_Step(self, before, now, _describe(before, now)))

    def apply(self, snap: tuple) -> None:
        self._pending.stop()
        self._applying = True
        try:
            self.model.restore(snap)
        finally:
            self._applying = False
        self._last = snap

    def reset(self) -> None:
        """Forget the history: the table as it is now is the start."""
        self._pending.stop()
        self.stack.clear()
        self._last = self.model.snapshot()


def _describe(before: tuple, after: tuple) -> str:
    """'Layer Edit', 'Add Layer', 'Delete 2 Layers', 'Load vgg13-paper' for the Edit menu."""
    n0, n1 = len(before[4]), len(after[4])
    if before[0] != after[0]:
        return f"Load {after[0]}"
    if n1 > n0:
        return "Add Layer" if n1 == n0 + 1 else f"Add {n1 - n0} Layers"
    if n1 < n0:
        return "Delete Layer" if n0 == n1 + 1 else f"Delete {n0 - n1} Layers"
    if sorted(map(id, before[4])) == sorted(map(id, after[4])):  # the same row objects, reordered
        return "Move Layer"
    return "Layer Edit"
