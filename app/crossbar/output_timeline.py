"""A small timeline under the OFM: the cycles that add to one output, and where playback is.

The output is the one last hovered on the OFM (or the OFM pixel of the pinned or hovered
cell): it stays while the mouse moves down to the timeline, so its ticks can be clicked.
One tick per contributing cycle (one per row tile), filled once added, hollow while to
come; a red line marks the current cycle, an arrow at the end when it lies outside. The
axis spans the contributing cycles (a little wider), not the whole layer: an output's row
tiles may be a few cycles apart in a layer of millions. Click a tick to jump to its cycle.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

HINT = "hover an output: its cycles"
HIT_PX = 6  # a click or hover this close to a tick picks it
DONE, TO_COME, NOW, AXIS = "#1b1f24", "#8a929c", "#d62728", "#c3c8ce"


class OutputTimeline(QWidget):
    cycle_chosen = Signal(int)  # a tick was clicked: its cycle

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("outputTimeline")
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setMouseTracking(True)
        self.label = ""
        self.cycles = np.zeros(0, dtype=np.int64)  # contributing cycles, sorted (real ones only)
        self.tiles = np.zeros(0, dtype=np.int64)  # the row tile of each
        self.values: np.ndarray | None = None  # values mode: the partial sum each adds
        self.t = 0
        self.short = ""
        self._fit_height()

    # --- inputs -----------------------------------------------------------------------------
    def set_output(self, label: str | None, cycles=None, total: int = 0, values=None, short: str = "") -> None:
        """`label` names the output ('output (channel 3, 4, 5)', `short` under the axis: 'ch 3
        (4, 5)'); `cycles`: its contributing cycles per row tile (a cycle >= total: none, a
        removed channel); None: no output."""
        self.short = short or (label or "")
        if label is None:
            self.label, self.cycles, self.tiles, self.values = "", np.zeros(0, np.int64), np.zeros(0, np.int64), None
        else:
            c = np.asarray(cycles, dtype=np.int64)
            real = np.flatnonzero(c < total)
            order = real[np.argsort(c[real], kind="stable")]
            self.label, self.cycles, self.tiles = label, c[order], order
            self.values = None if values is None else np.asarray(values, dtype=np.int64)[order]
        self.update()

    def set_cycle(self, t: int) -> None:
        if t != self.t:
            self.t = int(t)
            if self.cycles.size:
                self.update()

    @property
    def added(self) -> int:
        """Contributing cycles done by the current cycle."""
        return int(np.count_nonzero(self.cycles <= self.t))

    def caption(self) -> str:
        """The whole story (the widget's tooltip); `short_caption` is what fits under the axis."""
        if not self.label:
            return HINT
        n = self.cycles.size
        if n == 0:
            return f"{self.label}: never computed (its output channel is removed)"
        text = f"{self.label}: {n} contributing cycle{'s' if n > 1 else ''}, {self.added} added by cycle {self.t:,}"
        if self.values is not None:
            text += f" · sum so far {self._sum_so_far():,} of {int(self.values.sum()):,}"
        return text

    def short_caption(self) -> str:
        if not self.label or not self.cycles.size:
            return self.caption()
        return f"{self.short}: {self.added}/{self.cycles.size} added"

    def _sum_so_far(self) -> int:
        return int(self.values[self.cycles <= self.t].sum())

    # --- geometry -----------------------------------------------------------------------------
    def _fit_height(self) -> None:
        self.setFixedHeight(self.fontMetrics().lineSpacing() + 18)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.ApplicationFontChange):
            self._fit_height()
        super().changeEvent(event)

    def _span(self) -> tuple[float, float]:
        lo, hi = float(self.cycles[0]), float(self.cycles[-1])
        pad = max(1.0, 0.08 * (hi - lo))
        return lo - pad, hi + pad

    def _bar(self) -> QRectF:
        """The axis' strip, above the line of words."""
        return QRectF(10, 4, max(1, self.width() - 20), 10)

    def x_of(self, cycle: float) -> float:
        lo, hi = self._span()
        bar = self._bar()
        return bar.left() + (cycle - lo) / (hi - lo) * bar.width()

    def tick_at(self, x: float) -> int | None:
        """Index (into `cycles`) of the tick nearest x, within HIT_PX, or None."""
        if not self.cycles.size:
            return None
        d = np.abs(self.x_of(self.cycles.astype(np.float64)) - x)
        i = int(np.argmin(d))
        return i if d[i] <= HIT_PX else None

    # --- painting -----------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        fm = self.fontMetrics()
        bar = self._bar()
        words = QRectF(4, bar.bottom() + 3, self.width() - 8, fm.lineSpacing())
        room = words.width()
        p.setPen(QColor("#3a414b"))
        if self.cycles.size:
            first, last = f"{int(self.cycles[0]):,}", f"{int(self.cycles[-1]):,}"  # cycles
            p.drawText(words, Qt.AlignLeft | Qt.AlignVCenter, first)
            if self.cycles.size > 1:
                p.drawText(words, Qt.AlignRight | Qt.AlignVCenter, last)
            room -= 2 * max(fm.horizontalAdvance(first), fm.horizontalAdvance(last)) + 16
        p.setPen(QColor("#1b1f24"))
        p.drawText(words, Qt.AlignHCenter | Qt.AlignVCenter,
                   fm.elidedText(self.short_caption(), Qt.ElideRight, int(max(0, room))))
        if not self.cycles.size:
            return
        mid = bar.center().y()
        p.setPen(QPen(QColor(AXIS), 2))
        p.drawLine(QPointF(bar.left(), mid), QPointF(bar.right(), mid))
        for c in self.cycles:
            x = self.x_of(float(c))
            done = c <= self.t
            p.setPen(QPen(QColor(DONE if done else TO_COME), 1.5))
            p.setBrush(QColor(DONE) if done else Qt.NoBrush)
            p.drawRect(QRectF(x - 3, bar.top(), 6, bar.height()))
        self._draw_now(p, bar)

    def _draw_now(self, p: QPainter, bar: QRectF) -> None:
        """The current cycle: a red line on the axis, or an arrow at the end it lies beyond."""
        x = self.x_of(self.t)
        p.setPen(QPen(QColor(NOW), 2))
        p.setBrush(QColor(NOW))
        top, bottom = bar.top() - 3, bar.bottom() + 3
        if bar.left() <= x <= bar.right():
            p.drawLine(QPointF(x, top), QPointF(x, bottom))
            return
        end, sign = (bar.left(), -1) if x < bar.left() else (bar.right(), 1)
        mid = bar.center().y()
        p.drawPolygon(QPolygonF([QPointF(end + 6 * sign, mid), QPointF(end, mid - 5), QPointF(end, mid + 5)]))

    # --- mouse --------------------------------------------------------------------------------
    def tick_text(self, i: int) -> str:
        c = int(self.cycles[i])
        text = f"cycle {c:,}: row tile {int(self.tiles[i]) + 1}"
        if self.values is not None:
            text += f" adds {int(self.values[i]):,}"
        return text + (" (added)" if c <= self.t else " (to come)") + " · click to go there"

    def mouseMoveEvent(self, event) -> None:
        i = self.tick_at(event.position().x())
        if i is None:
            QToolTip.showText(event.globalPosition().toPoint(), self.caption(), self)
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tick_text(i), self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        i = self.tick_at(event.position().x()) if event.button() == Qt.LeftButton else None
        if i is not None:
            self.cycle_chosen.emit(int(self.cycles[i]))
        super().mousePressEvent(event)
