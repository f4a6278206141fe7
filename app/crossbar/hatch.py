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


def _merge(spans: np.ndarray, gap: float) -> np.ndarray:
    """(n, 2) sorted spans joined where they are less than `gap` apart: far out, rows of a
    pixel or less share one band (`MERGE_PX` for the lines; the wash merges only touching ones)."""
    if len(spans) == 0:
        return spans
    new = np.concatenate(([True], spans[1:, 0] - np.maximum.accumulate(spans[:-1, 1]) >= gap))
    start = spans[new, 0]
    stop = np.maximum.reduceat(spans[:, 1], np.flatnonzero(new))
    return np.column_stack([start, stop])


def _device_spans(runs, scale: float, offset: float, lo: float, hi: float) -> np.ndarray:
    """(n, 2) sorted device coordinates of runs of cells [a, b) on one axis (cells centred on
    integers), clipped to [lo, hi]."""
    r = np.asarray(runs, dtype=np.float64).reshape(-1, 2) - 0.5
    d = np.sort(r * scale + offset, axis=1)
    d = np.clip(d, lo, hi)
    d = d[d[:, 1] > d[:, 0]]
    return d[np.argsort(d[:, 0], kind="stable")]


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
        t = p.transform()  # the view box's: scale and translate, y possibly flipped
        r0, r1, c0, c1 = self.block
        whole = t.mapRect(QRectF(c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0))
        p.save()
        p.resetTransform()
        if p.viewport().isValid():
            whole = whole.intersected(QRectF(p.viewport()))
        left, top, right, bottom = whole.left(), whole.top(), whole.right(), whole.bottom()
        rows = _device_spans(self.row_runs, t.m22(), t.dy(), top, bottom)
        cols = _device_spans(self.col_runs, t.m11(), t.dx(), left, right)
        for a, b in _merge(rows, 0.5).tolist():
            p.fillRect(QRectF(left, a, right - left, b - a), self.wash)
        for a, b in _merge(cols, 0.5).tolist():
            p.fillRect(QRectF(a, top, b - a, bottom - top), self.wash)
        boxes = [(left, a, right, b) for a, b in _merge(rows, MERGE_PX).tolist()]
        boxes += [(a, top, b, bottom) for a, b in _merge(cols, MERGE_PX).tolist()]
        seg = hatch_segments(boxes)
        if len(seg):
            p.setPen(self.pen)
            p.setBrush(Qt.NoBrush)
            p.drawPath(segments_path(seg))
        p.restore()
