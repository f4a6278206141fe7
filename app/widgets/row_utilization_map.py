"""The PW as a heatmap of row utilization (windows covering a pixel / windows in the PW).

Each PW pixel is one row of the dense layout per input channel. The value is written in
the pixel when it fits ("1/4"); pixels KERNTROL omitted are hatched. For PAIRS a second
reading counts, per PW pixel, the input channels whose row there is skipped. Figures come
from the engine (`coverage`, `row_utilization`, the compression's `row_keep`).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPainterPath, QPen

from engine.compress.kerntrol import coverage
from engine.compress.views import row_utilization

from app.crossbar.palette import hex_rgb
from app.widgets.pattern_grid import TEXT, HoverCanvas, draw_grid, draw_swatches

READINGS = ("utilization", "skipped")
RAMPS = {"utilization": ("#eef3fa", "#08519c"), "skipped": ("#fdf0e6", "#a63603")}
HATCH = "#b3261e"
MAX_CELL = 46


def ramp(t: float, reading: str = "utilization") -> QColor:
    lo, hi = (np.array(hex_rgb(c), dtype=float) for c in RAMPS[reading])
    return QColor(*[int(round(v)) for v in lo + (hi - lo) * min(1.0, max(0.0, t))])


def hatch(p: QPainter, r: QRectF, color: str = HATCH, step: float = 7.0) -> None:
    """Diagonal lines across `r` (clipped to it)."""
    p.save()
    p.setClipRect(r)
    p.setPen(QPen(QColor(color), 1.6))
    d = r.width() + r.height()
    k = 0.0
    while k < d:
        p.drawLine(QPointF(r.left() + k, r.bottom()), QPointF(r.left() + k - r.height(), r.top()))
        k += step
    p.restore()


class RowUtilizationMap(HoverCanvas):
    """`show_plan(plan)`; model: `coverage` (Ph, Pw) windows covering each pixel, `copies`,
    `utilization` (Ph, Pw), `omitted` (Ph, Pw) bool, `threshold` (KERNTROL) and, for PAIRS,
    `skipped` (Ph, Pw) channels whose row is skipped; `reading` picks what is coloured."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.reading = "utilization"
        self.clear()

    def clear(self) -> None:
        self.plan = None
        self.coverage = np.zeros((0, 0), dtype=np.int64)
        self.utilization = np.zeros((0, 0))
        self.omitted = np.zeros((0, 0), dtype=bool)
        self.skipped = None
        self.copies = 0
        self.channels = 0
        self.threshold = None
        self.updateGeometry()
        self.update()

    def show_plan(self, plan) -> bool:
        """False (nothing drawn) when `plan` is None or made of several regions (no one PW)."""
        self.clear()
        if plan is None or plan.regions:
            return False
        self.plan = plan
        self.coverage = coverage(plan)
        self.utilization = row_utilization(plan)
        self.copies = plan.copies
        self.channels = plan.group.in_c
        self.omitted = np.zeros(self.coverage.shape, dtype=bool)
        comp = plan.compression
        if comp is not None and comp.kind == "kerntrol":
            self.threshold = dict(comp.params).get("threshold")
            self.omitted = ~comp.row_keep.any(axis=0)  # what the engine left out (none when unchanged)
        if comp is not None and comp.kind == "pairs" and comp.row_keep.shape[1:] == self.coverage.shape:
            self.skipped = (~comp.row_keep).sum(axis=0)
        if self.skipped is None:
            self.reading = "utilization"
        self.updateGeometry()
        self.update()
        return True

    def set_reading(self, reading: str) -> None:
        if reading not in READINGS:
            raise ValueError(f"reading must be one of {READINGS}")
        self.reading = reading if (reading == "utilization" or self.skipped is not None) else "utilization"
        self.update()

    # --- values -------------------------------------------------------------------------
    def value(self, y: int, x: int) -> float:
        """The coloured value, 0..1."""
        if self.reading == "skipped":
            return float(self.skipped[y, x]) / max(1, self.channels)
        return float(self.utilization[y, x])

    def cell_text(self, y: int, x: int) -> str:
        if self.reading == "skipped":
            return f"{int(self.skipped[y, x]):,}"
        f = Fraction(int(self.coverage[y, x]), self.copies)
        return str(f)

    def pixel_hover(self, y: int, x: int) -> str:
        cov = int(self.coverage[y, x])
        text = (f"PW pixel ({y},{x}): covered by {cov} of {self.copies} windows, "
                f"utilization {Fraction(cov, self.copies)} = {self.utilization[y, x]:.2f}")
        if self.threshold is not None:
            text += (f", omitted (≤ {self.threshold})" if self.omitted[y, x] else ", kept")
        if self.skipped is not None:
            text += f"; {int(self.skipped[y, x]):,} of {self.channels:,} channels skip this row"
        return text

    # --- geometry -----------------------------------------------------------------------
    def _cell(self, width: int) -> int:
        if not self.copies:
            return 0
        ph, pw = self.coverage.shape
        return int(max(4, min(MAX_CELL, (width - 8) / pw, 420 / ph)))

    def _grid_rect(self, width: int) -> QRectF:
        s = self._cell(width)
        ph, pw = self.coverage.shape
        return QRectF(max(0, (width - pw * s) / 2), 2, pw * s, ph * s)

    def _legend_items(self):
        if self.threshold is None or not self.omitted.any():
            return []
        return [(lambda p, r: (p.fillRect(r, QColor("#ffffff")), hatch(p, r, step=5)),
                 f"omitted: utilization ≤ {self.threshold}")]

    def _caption(self) -> str:
        if self.reading == "utilization":
            return "row utilization: windows covering the pixel / windows in the PW"
        return "input channels whose row at the pixel is skipped"

    def _caption_rect(self, top: float, width: int) -> QRectF:
        fm = QFontMetrics(self.font())
        lines = max(1, math.ceil(fm.horizontalAdvance(self._caption()) / max(1, width - 24)))
        return QRectF(8, top, width - 16, lines * fm.height() + 2)

    def _legend_height(self, width: int) -> float:
        """Bar, tick labels, caption, swatches."""
        fm = QFontMetrics(self.font())
        h = 16 + fm.height() + self._caption_rect(0, width).height() + 6
        items = self._legend_items()
        if items:
            h += draw_swatches(None, fm, 0, width, items, paint=False) + 4
        return h

    def heightForWidth(self, width: int) -> int:
        if not self.copies:
            return 0
        return int(math.ceil(self._grid_rect(width).bottom() + 10 + self._legend_height(width)))

    def pixel_at(self, pos: QPointF) -> tuple[int, int] | None:
        if not self.copies:
            return None
        r = self._grid_rect(self.width())
        if not r.contains(pos):
            return None
        s = self._cell(self.width())
        ph, pw = self.coverage.shape
        return min(ph - 1, int((pos.y() - r.top()) // s)), min(pw - 1, int((pos.x() - r.left()) // s))

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        if not self.copies:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        r, s = self._grid_rect(self.width()), self._cell(self.width())
        ph, pw = self.coverage.shape
        font = QFont(self.font())
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.8)
        for y in range(ph):
            for x in range(pw):
                cell = QRectF(r.left() + x * s, r.top() + y * s, s, s)
                t = self.value(y, x)
                p.fillRect(cell, ramp(t, self.reading))
                if self.omitted[y, x]:
                    hatch(p, cell, step=max(5.0, s / 6))
                self._cell_label(p, cell, self.cell_text(y, x), t, bool(self.omitted[y, x]), font, small)
        draw_grid(p, r, ph, pw, s, "#ffffff")
        self._paint_legend(p, r.bottom() + 10)
        p.end()

    @staticmethod
    def _cell_label(p, cell: QRectF, text: str, t: float, omitted: bool, font, small) -> None:
        for f in (font, small):
            fm = QFontMetrics(f)
            w, h = fm.horizontalAdvance(text) + 6, fm.height() + 2
            if w <= cell.width() - 2 and h <= cell.height() - 2:
                break
        else:
            return
        p.setFont(f)
        box = QRectF(cell.center().x() - w / 2, cell.center().y() - h / 2, w, h)
        if omitted:  # a quiet box keeps the figure legible over the hatching
            path = QPainterPath()
            path.addRoundedRect(box, 3, 3)
            p.fillPath(path, QColor(255, 255, 255, 230))
            p.setPen(QColor(TEXT))
        else:
            p.setPen(QColor("#ffffff" if t > 0.55 else TEXT))
        p.drawText(box, Qt.AlignCenter, text)

    def _paint_legend(self, p: QPainter, top: float) -> None:
        fm = QFontMetrics(self.font())
        p.setFont(self.font())
        width = self.width()
        bar = QRectF(8, top, min(260.0, width - 16), 14)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        grad.setColorAt(0, ramp(0, self.reading))
        grad.setColorAt(1, ramp(1, self.reading))
        p.fillRect(bar, grad)
        p.setPen(QColor("#5b6470"))
        p.setBrush(Qt.NoBrush)
        p.drawRect(bar)
        hi = "1" if self.reading == "utilization" else f"{self.channels:,}"
        p.setPen(QColor(TEXT))
        p.drawText(QRectF(bar.left(), bar.bottom() + 2, 60, fm.height()), Qt.AlignLeft, "0")
        p.drawText(QRectF(bar.right() - 80, bar.bottom() + 2, 80, fm.height()), Qt.AlignRight, hi)
        cap = self._caption_rect(bar.bottom() + 2 + fm.height(), width)
        p.drawText(cap, Qt.AlignLeft | Qt.TextWordWrap, self._caption())
        items = self._legend_items()
        if items:
            p.translate(8, 0)
            draw_swatches(p, fm, cap.bottom() + 6, width - 16, items)
            p.translate(-8, 0)

    def hover_text(self, pos: QPointF) -> str:
        px = self.pixel_at(pos)
        return self.pixel_hover(*px) if px else ""
