"""Diagonal hatching over rows and columns of the grid: the rows a compression skips (and the
columns of output channels it removes) drawn in place, in the dense view of a compressed plan.

Drawn as real line segments in device pixels (a fixed spacing and width at every zoom, so the
hatching stays obvious on a projector), after a light wash that lifts the cells underneath.
Lines, not pattern brushes: PNG and SVG exports of the scene keep them as they are.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen

SPACING_PX = 9.0  # between two hatch lines, on screen
LINE_PX = 2.0
LINE_COLOUR = "#1b1f24"
WASH = (255, 255, 255, 120)  # lifts the cells under the hatching
MERGE_PX = 3.0  # hatched runs closer than this on screen share their lines (rows of a pixel or less)


def hatch_pen(width: float = LINE_PX) -> QPen:
    pen = QPen(QColor(LINE_COLOUR), width)
    pen.setCosmetic(True)
    return pen


def hatch_segments(rects: np.ndarray, spacing: float = SPACING_PX) -> np.ndarray:
    """(n, 4) x0, y0, x1, y1 of the '/' diagonals (bottom-left to top-right on a y-down
    device) clipped to each of the (N, 4) rectangles left, top, right, bottom, on one lattice
    x + y = k * spacing shared by every rectangle (adjacent runs line up). Vectorized: a
    hatched column of 4096 thin runs costs one pass, not one Python call per line."""
    r = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    r = r[(r[:, 2] > r[:, 0]) & (r[:, 3] > r[:, 1])]
    k0 = np.ceil((r[:, 0] + r[:, 1]) / spacing).astype(np.int64)
    k1 = np.floor((r[:, 2] + r[:, 3]) / spacing).astype(np.int64)
    n = np.maximum(k1 - k0 + 1, 0)
    idx = np.repeat(np.arange(len(r)), n)
    d = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + k0[idx]) * spacing
    x0, y0, x1, y1 = r[idx].T
    xs, xe = np.maximum(x0, d - y1), np.minimum(x1, d - y0)
    ok = xe > xs
    return np.column_stack([xs, d - xs, xe, d - xe])[ok]


def hatch_lines(rect: QRectF, spacing: float = SPACING_PX) -> list[QLineF]:
    """The diagonals of one rectangle as QLineF (legend swatches)."""
    seg = hatch_segments([[rect.left(), rect.top(), rect.right(), rect.bottom()]], spacing)
    return [QLineF(*row) for row in seg.tolist()]


def segments_path(seg: np.ndarray) -> QPainterPath:
    """One path of (n, 4) line segments (built from arrays, not line by line)."""
    return pg.arrayToQPath(seg[:, [0, 2]].ravel(), seg[:, [1, 3]].ravel(), connect="pairs")


def mask_runs(mask: np.ndarray | None) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in a boolean vector."""
    if mask is None:
        return []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _merge(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Spans (sorted) joined where they are less than `gap` apart: far out, rows of a pixel or
    less, the lines cross the whole band (the wash still shows each run)."""
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
        left, top, right, bottom = whole.left(), whole.top(), whole.right(), whole.bottom()
        boxes = [(left, max(a, top), right, min(b, bottom))
                 for a, b in _merge(sorted((r.top(), r.bottom()) for r in rows), MERGE_PX)]
        boxes += [(max(a, left), top, min(b, right), bottom)
                  for a, b in _merge(sorted((r.left(), r.right()) for r in cols), MERGE_PX)]
        seg = hatch_segments(boxes)
        if len(seg):
            p.setPen(self.pen)
            p.setBrush(Qt.NoBrush)
            p.drawPath(segments_path(seg))
        p.restore()
