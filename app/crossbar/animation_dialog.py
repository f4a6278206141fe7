"""Options of a GIF/MP4 export (cycle range, step, frame rate, frame size) and a trace export's range."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QSpinBox)

SIZES = ((1280, 720), (1920, 1080), (960, 540), (640, 360))


@dataclass(frozen=True)
class AnimationOptions:
    first: int
    last: int
    step: int = 1
    fps: float = 10.0
    width: int = 1280
    height: int = 720

    @property
    def frames(self) -> int:
        return len(range(self.first, self.last + 1, max(1, self.step)))


def _cycle_box(total: int, value: int) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(0)
    box.setGroupSeparatorShown(True)
    box.setRange(0, max(0, total - 1))
    box.setValue(value)
    return box


class CycleRangeDialog(QDialog):
    """First and last cycle of an export (a trace: the values of every cycle between them);
    subclasses add their own rows in `_more_rows`."""

    def __init__(self, parent, total: int, current: int, title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.first = _cycle_box(total, current)
        self.last = _cycle_box(total, min(total - 1, current + 99))
        form = QFormLayout(self)
        form.addRow("First cycle", self.first)
        form.addRow("Last cycle", self.last)
        self._more_rows(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _more_rows(self, form: QFormLayout) -> None:
        pass

    def cycles(self) -> tuple[int, int]:
        first, last = int(self.first.value()), int(self.last.value())
        return min(first, last), max(first, last)


class AnimationDialog(CycleRangeDialog):
    def __init__(self, parent, total: int, current: int, fmt: str):
        super().__init__(parent, total, current, f"Export playback as {fmt.upper()}")

    def _more_rows(self, form: QFormLayout) -> None:
        self.step = QSpinBox()
        self.step.setRange(1, 1_000_000)
        self.step.setToolTip("Every n-th cycle becomes a frame")
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(10)
        self.fps.setSuffix(" frames/s")
        self.size = QComboBox()
        for w, h in SIZES:
            self.size.addItem(f"{w} × {h}", (w, h))
        self.count = QLabel()
        for label, w in (("Step", self.step), ("Speed", self.fps), ("Frame size", self.size), ("", self.count)):
            form.addRow(label, w)
        for w in (self.first, self.last, self.step):
            w.valueChanged.connect(self._count)
        self._count()

    def options(self) -> AnimationOptions:
        w, h = self.size.currentData()
        first, last = self.cycles()
        return AnimationOptions(first, last, self.step.value(), float(self.fps.value()), w, h)

    def _count(self) -> None:
        self.count.setText(f"{self.options().frames:,} frames")


def ask_animation_options(parent, total: int, current: int, fmt: str) -> AnimationOptions | None:
    """Modal: None when the user cancels (tests replace this function)."""
    dialog = AnimationDialog(parent, total, current, fmt)
    return dialog.options() if dialog.exec() == QDialog.Accepted else None


def ask_cycle_range(parent, total: int, current: int, fmt: str) -> tuple[int, int] | None:
    """Modal: (first, last) or None when the user cancels (tests replace this function)."""
    dialog = CycleRangeDialog(parent, total, current, f"Export the cycles' values as {fmt.upper()}")
    return dialog.cycles() if dialog.exec() == QDialog.Accepted else None
