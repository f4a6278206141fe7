"""Diagonal hatching over rows and columns of the grid: the rows a compression skips (and the
columns of output channels it removes) drawn in place, in the dense view of a compressed plan.

Drawn as real line segments in device pixels (a fixed spacing and width at every zoom, so the
hatching stays obvious on a projector), after a light wash that lifts the cells underneath.
Lines, not pattern brushes: PNG and SVG exports of the scene keep them as they are.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPen

SPACING_PX = 9.0  # between two hatch lines, on screen
LINE_PX = 2.0
LINE_COLOUR = "#1b1f24"
WASH = (255, 255, 255, 120)  # lifts the cells under the hatching


def hatch_pen(width: float = LINE_PX) -> QPen:
    pen = QPen(QColor(LINE_COLOUR), width)
    pen.setCosmetic(True)
    return pen


def hatch_lines(rect: QRectF, spacing: float = SPACING_PX) -> list[QLineF]:
    """'/' diagonals (bottom-left to top-right on a y-down device) clipped to `rect`, on a
    lattice x + y = k * spacing shared by every rectangle (adjacent runs line up)."""
    x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
    if x1 <= x0 or y1 <= y0:
        return []
    d = np.arange(np.ceil((x0 + y0) / spacing), np.floor((x1 + y1) / spacing) + 1) * spacing
    xs, xe = np.maximum(x0, d - y1), np.minimum(x1, d - y0)
    ok = xe > xs
    return [QLineF(a, e - a, b, e - b) for a, b, e in zip(xs[ok].tolist(), xe[ok].tolist(), d[ok].tolist())]


def mask_runs(mask: np.ndarray | None) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in a boolean vector."""
    if mask is None:
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _merge(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Spans (sorted) joined where they are less than `gap` apart (sub-pixel rows far out)."""
    out: list[list[float]] = []
    for a, b in spans:
        if out and a - out[-1][1] < gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


class HatchItem(pg.GraphicsObject):
    """Hatches runs of rows across the mapped block's columns, and runs of columns down its rows."""

    def __init__(self):
        super().__init__()
        self.rows = self.cols = 0
        self.row_runs: list[tuple[int, int]] = []
        self.col_runs: list[tuple[int, int]] = []
        self.block = (0, 0, 0, 0)  # rows r0..r1, columns c0..c1 the hatching spans
        self.pen = hatch_pen()
        self.wash = QColor(*WASH)

    def set_shape(self, rows: int, cols: int) -> None:
        self.prepareGeometryChange()
        self.rows, self.cols = rows, cols
        self.row_runs, self.col_runs = [], []
        self.update()

    def set_masks(self, rows: np.ndarray | None, cols: np.ndarray | None, block=None) -> None:
        """Rows and columns to hatch (None: none); `block` (r0, r1, c0, c1): the mapped block
        (default: the whole array) that row runs cross and column runs go down."""
        row_runs, col_runs = mask_runs(rows), mask_runs(cols)
        block = tuple(block) if block is not None else (0, self.rows, 0, self.cols)
        if (row_runs, col_runs, block) != (self.row_runs, self.col_runs, self.block):
            self.row_runs, self.col_runs, self.block = row_runs, col_runs, block
            self.update()

    @property
    def active(self) -> bool:
        return bool(self.row_runs or self.col_runs)

    def boundingRect(self) -> QRectF:
        return QRectF(-0.5, -0.5, self.cols, self.rows)

    def paint(self, p, *args):
        if not self.active:
            return
        t = p.transform()
        r0, r1, c0, c1 = self.block
        whole = t.mapRect(QRectF(c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0))
        rows = [t.mapRect(QRectF(c0 - 0.5, a - 0.5, c1 - c0, b - a)) for a, b in self.row_runs]
        cols = [t.mapRect(QRectF(a - 0.5, r0 - 0.5, b - a, r1 - r0)) for a, b in self.col_runs]
        p.save()
        p.resetTransform()
        clip = QRectF(p.viewport()) if p.viewport().isValid() else whole
        whole = whole.intersected(clip)
        for r in rows + cols:
            p.fillRect(r.intersected(whole), self.wash)
        lines = []
        for a, b in _merge(sorted((r.top(), r.bottom()) for r in rows), 1.5):
            lines += hatch_lines(QRectF(whole.left(), a, whole.width(), b - a).intersected(whole))
        for a, b in _merge(sorted((r.left(), r.right()) for r in cols), 1.5):
            lines += hatch_lines(QRectF(a, whole.top(), b - a, whole.height()).intersected(whole))
        if lines:
            p.setPen(self.pen)
            p.drawLines(lines)
        p.restore()
