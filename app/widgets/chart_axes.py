"""pyqtgraph axes that read like the tables: counts with separators, log values as counts."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app import numbers


class CountAxis(pg.AxisItem):
    """Left axis of a count chart. In log mode the plotted value is log10(count)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.log_values = False

    def tickStrings(self, values, scale, spacing):
        if self.log_values:
            return [numbers.compact(10 ** v) for v in values]
        return [numbers.compact(v * scale) for v in values]

    def tickValues(self, minVal, maxVal, size):
        if not self.log_values:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = int(minVal // 1), int(maxVal // 1) + 1
        return [(1.0, [float(v) for v in range(lo, hi + 1)])]


class LabelAxis(pg.AxisItem):
    """Bottom axis with one text label per integer position (layers, array sizes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels: dict[int, str] = {}

    def set_labels(self, labels: dict[int, str]) -> None:
        self.labels = labels
        self.setTicks([list(labels.items())])


TEXT = "#1b1f24"
AXIS = "#5b6470"


def title_size() -> str:
    return f"{QApplication.font().pointSizeF() * 1.15:.1f}pt"


def styled_plot(plot: pg.PlotItem, title: str, left: str, bottom: str) -> None:
    """Dark, application-sized text on every axis: readable on a projector."""
    plot.setTitle(title, size=title_size(), color=TEXT)
    font = QFont(QApplication.font())
    for name, text in (("left", left), ("bottom", bottom)):
        axis = plot.getAxis(name)
        axis.setTickFont(font)
        axis.setTextPen(TEXT)
        axis.setPen(AXIS)
        axis.setLabel(text, color=TEXT, **{"font-size": f"{font.pointSizeF():.1f}pt"})
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.hideButtons()
